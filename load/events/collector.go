package events

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/groundstack/groundstack/handlers/eventprobe/trace"
)

// maxReport bounds a report's body (a batch of 10,000 stream records fits).
const maxReport = 4 << 20

// Collector receives the probe functions' reports (trace.Report, POSTed as
// JSON) on a loopback HTTP listener and enters them in a Book.
type Collector struct {
	book    *Book
	ln      net.Listener
	srv     *http.Server
	url     string
	reports atomic.Int64
	bad     atomic.Int64
	done    chan struct{}
}

// StartCollector listens on addr ("127.0.0.1:0" for any free port) and
// enters reports in book. advertise, when not empty, is the host:port the
// functions are told to reach it at (a container's view of this machine);
// by default the listener's own address.
func StartCollector(book *Book, addr, advertise string) (*Collector, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if advertise == "" {
		advertise = ln.Addr().String()
	} else if _, port, err := net.SplitHostPort(advertise); err != nil || port == "" || port == "0" {
		host := advertise
		if h, _, err := net.SplitHostPort(advertise); err == nil {
			host = h
		}
		_, p, _ := net.SplitHostPort(ln.Addr().String())
		advertise = net.JoinHostPort(host, p)
	}
	c := &Collector{book: book, ln: ln, url: "http://" + advertise + "/report", done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /report", c.handle)
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	go func() {
		defer close(c.done)
		_ = c.srv.Serve(ln)
	}()
	return c, nil
}

// URL is where probe functions POST their reports.
func (c *Collector) URL() string { return c.url }

// Reports is the number of reports entered; Malformed the number refused.
func (c *Collector) Reports() int64   { return c.reports.Load() }
func (c *Collector) Malformed() int64 { return c.bad.Load() }

func (c *Collector) handle(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReport))
	var rep trace.Report
	if err == nil {
		err = json.Unmarshal(body, &rep)
	}
	if err == nil && rep.StartNS <= 0 {
		err = errors.New("start_ns must be a positive Unix time in nanoseconds")
	}
	if err != nil {
		c.bad.Add(1)
		http.Error(w, "malformed report: "+err.Error(), http.StatusBadRequest)
		return
	}
	for _, s := range rep.Events {
		if _, _, _, _, ok := trace.Parts(s.ID); !ok {
			c.bad.Add(1)
			http.Error(w, "malformed report: event id "+strconv.Quote(s.ID), http.StatusBadRequest)
			return
		}
	}
	c.book.Seen(time.Unix(0, rep.StartNS), rep.Events)
	c.reports.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

// Close stops the listener and waits for reports under way.
func (c *Collector) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.srv.Shutdown(ctx)
	<-c.done
	return err
}
