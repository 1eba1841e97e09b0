package execapi

import (
	"context"
	"errors"
	"net"
	"net/http"
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
