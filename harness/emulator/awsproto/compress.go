package awsproto

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
)

// gzipReaders are reused: a new one allocates its decompressor's ~40 KB of
// state, which would cost more than the operation it feeds.
var gzipReaders sync.Pool

// Gunzip replaces the body of a request sent with Content-Encoding: gzip
// (the SDKs compress CloudWatch's PutMetricData) by its decompressed
// stream; ReadBody's limit then bounds the decompressed size, so a small
// bomb cannot grow past the operation's limit. A body that is not gzip
// answers SerializationException when read.
func Gunzip(r *http.Request) *http.Request {
	enc := r.Header.Get("Content-Encoding")
	if enc == "" || r.Body == nil || r.Body == http.NoBody {
		return r
	}
	var rest []string
	gz := false
	for _, e := range strings.Split(enc, ",") {
		e = strings.TrimSpace(e)
		if strings.EqualFold(e, "gzip") && !gz {
			gz = true
			continue
		}
		if e != "" && !strings.EqualFold(e, "identity") && !strings.EqualFold(e, "aws-chunked") {
			rest = append(rest, e)
		}
	}
	if !gz {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.Body = &gunzipBody{src: r.Body}
	r2.ContentLength = -1
	r2.Header.Del("Content-Length")
	if len(rest) > 0 {
		r2.Header.Set("Content-Encoding", strings.Join(rest, ","))
	} else {
		r2.Header.Del("Content-Encoding")
	}
	return r2
}

type gunzipBody struct {
	src io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.zr == nil && g.err == nil {
		if zr, ok := gzipReaders.Get().(*gzip.Reader); ok {
			if err := zr.Reset(g.src); err != nil {
				gzipReaders.Put(zr)
				g.err = errGunzip
			} else {
				g.zr = zr
			}
		} else if g.zr, g.err = gzip.NewReader(g.src); g.err != nil {
			g.zr, g.err = nil, errGunzip
		}
	}
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.zr.Read(p)
	switch {
	case err == io.EOF:
		// Read to its end (ReadBody always is): the decompressor is free.
		gzipReaders.Put(g.zr)
		g.zr, g.err = nil, io.EOF
	case err != nil:
		return n, errGunzip
	}
	return n, err
}

var errGunzip = ErrSerialization.New("Could not decompress the gzip request body.")

func (g *gunzipBody) Close() error { return g.src.Close() }
