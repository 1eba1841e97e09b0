package execapi

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// HopHeaders are not forwarded by a proxy.
var HopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true}

// ErrNotLoopback refuses a connection to an address off this machine.
var ErrNotLoopback = errors.New("groundstack connects integrations and JWKS issuers only to loopback addresses")

// LoopbackClient is an HTTP client that connects only to loopback
// addresses (the emulator's network is loopback only), follows no
// redirects, and gives up after timeout.
func LoopbackClient(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return ErrNotLoopback
		}
		return nil
	}}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ProxyRequest builds the request an HTTP_PROXY integration sends to uri
// (REST and HTTP APIs alike): stage variables and {name} / {name+} path
// parameters substituted, the caller's query string appended, a method of
// ANY (or none) replaced by the caller's, and the caller's headers copied
// but the hop-by-hop ones.
func ProxyRequest(ctx context.Context, r *http.Request, body []byte, uri, method string, vars, params map[string]string) (*http.Request, error) {
	target := SubstituteStageVariables(uri, vars)
	for name, v := range params {
		target = strings.ReplaceAll(target, "{"+name+"}", v)
		target = strings.ReplaceAll(target, "{"+name+"+}", v)
	}
	if r.URL.RawQuery != "" {
		if strings.Contains(target, "?") {
			target += "&" + r.URL.RawQuery
		} else {
			target += "?" + r.URL.RawQuery
		}
	}
	if method == "ANY" || method == "" {
		method = r.Method
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	CopyHeaders(req.Header, r.Header)
	return req, nil
}

// CopyHeaders copies src's headers into dst but the hop-by-hop ones.
func CopyHeaders(dst, src http.Header) {
	for k, vs := range src {
		if !HopHeaders[k] {
			dst[k] = vs
		}
	}
}
