package s3

import (
	"bytes"
	"crypto/sha1"
	"io"
	"net/http"
	"path"
	"sort"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// GetObjectTorrent: GET /{Bucket}/{Key+}?torrent answers a BitTorrent
// metainfo file (BEP 3) describing the object: its size, name and the SHA-1
// of each piece. groundstack runs no tracker or seeder; the file is what a
// client needs to check what it downloads.

// torrentPieceLength is the size of a torrent's pieces (256 KiB).
const torrentPieceLength = 256 << 10

// torrentMaxSize: S3 makes torrents only of objects smaller than 5 GB.
const torrentMaxSize = 5 << 30

type getObjectTorrentInput struct {
	Bucket string `xml:"-" location:"uri" name:"Bucket"`
	Key    string `xml:"-" location:"uri" name:"Key"`
}

// torrentReply is the metainfo file, written as application/x-bittorrent.
type torrentReply struct{ body []byte }

func (t torrentReply) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{c.RequestID}
	h["Content-Type"] = []string{"application/x-bittorrent"}
	h["Content-Length"] = []string{strconv.Itoa(len(t.body))}
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(t.body)
	return err
}

func (s *Service) getObjectTorrent(c *awsproto.Call, in *getObjectTorrentInput) (torrentReply, error) {
	b, err := s.store.Bucket(in.Bucket)
	if err != nil {
		return torrentReply{}, err
	}
	if b.Directory {
		return torrentReply{}, errNotImplemented.New(msgNotForDirectoryBuckets)
	}
	obj, err := s.store.Open(in.Bucket, in.Key)
	if err != nil {
		return torrentReply{}, err
	}
	defer obj.Body.Release()
	switch {
	case !obj.Readable(s.env.Now()):
		return torrentReply{}, errInvalidObjectState.New("The operation is not valid for the object's storage class").With("StorageClass", obj.StorageClass)
	case obj.Size() >= torrentMaxSize:
		return torrentReply{}, errInvalidRequest.New(msgTorrentTooLarge)
	case obj.protection().KMSKeyID != "":
		return torrentReply{}, errInvalidRequest.New(msgTorrentEncrypted)
	}
	r := obj.Body.NewReader(0, obj.Size())
	pieces, err := pieceHashes(r)
	r.Close()
	if err != nil {
		return torrentReply{}, s.failed(err)
	}
	return torrentReply{body: metainfo(torrentAnnounce(b.Region), map[string]any{
		"length":       obj.Size(),
		"name":         path.Base(in.Key),
		"piece length": int64(torrentPieceLength),
		"pieces":       pieces,
		"x-amz-bucket": in.Bucket,
		"x-amz-key":    in.Key,
	})}, nil
}

// torrentAnnounce is the tracker S3's torrents name for a region.
func torrentAnnounce(region string) string {
	if region == "us-east-1" {
		return "http://torrent.amazonaws.com:6969/announce"
	}
	return "http://s3-tracker." + region + ".amazonaws.com:6969/announce"
}

// pieceHashes reads r to its end and returns the SHA-1 of each
// torrentPieceLength piece, concatenated (the last piece may be shorter).
func pieceHashes(r io.Reader) (string, error) {
	var out bytes.Buffer
	buf := make([]byte, torrentPieceLength)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			sum := sha1.Sum(buf[:n])
			out.Write(sum[:])
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return out.String(), nil
		default:
			return "", err
		}
	}
}

// metainfo encodes a single-file torrent: announce, announce-list and info.
func metainfo(announce string, info map[string]any) []byte {
	var b bytes.Buffer
	bencode(&b, map[string]any{
		"announce":      announce,
		"announce-list": []any{[]any{announce}},
		"info":          info,
	})
	return b.Bytes()
}

// bencode writes v (string, int64, []any or map[string]any) in BitTorrent's
// encoding; dictionary keys are sorted as raw byte strings.
func bencode(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case string:
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	case int64:
		b.WriteByte('i')
		b.WriteString(strconv.FormatInt(v, 10))
		b.WriteByte('e')
	case []any:
		b.WriteByte('l')
		for _, e := range v {
			bencode(b, e)
		}
		b.WriteByte('e')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('d')
		for _, k := range keys {
			bencode(b, k)
			bencode(b, v[k])
		}
		b.WriteByte('e')
	default:
		panic("s3: bencode of an unsupported type")
	}
}
