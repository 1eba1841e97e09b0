package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/deploy"
)

// apiURL works out the deliveries API's base URL from --target:
//
//   - an invoke URL (a path after the host, or an execute-api / lambda-url
//     host) is the API itself;
//   - a bare edge URL (http://127.0.0.1:4566) that answers LocalStack's
//     health check is a cloud: the REST API named apiName is found through
//     the SDK (GetRestApis, then its stage) and its invoke URL used;
//   - any other bare URL (e.g. a custom domain) is taken as the API.
func apiURL(ctx context.Context, raw, apiName, stage string) (api, how, endpoint string, err error) {
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", "", fmt.Errorf("--target %q is not an http(s) URL (give the API's invoke URL or a cloud's edge URL)", raw)
	}
	base := strings.TrimRight(u.String(), "/")
	host := u.Hostname()
	if strings.Trim(u.Path, "/") != "" || strings.Contains(host, ".execute-api.") || strings.Contains(host, ".lambda-url.") {
		return base, "given: the API's invoke URL", "", nil
	}
	healthy, err := edgeHealthy(ctx, base)
	if err != nil {
		return "", "", "", unreachable(raw, err)
	}
	if !healthy {
		return base, "given: no LocalStack-style health check there, so taken as the API's base URL", "", nil
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	found, err := deploy.FindRestAPI(cctx, backend.SDKConfig(base, ""), apiName, stage)
	if errors.Is(err, deploy.ErrNoRestAPI) {
		return "", "", "", fmt.Errorf("the cloud at %s has no REST API named %q: deploy the flow (groundstack up --flows deliveries) or give the API's invoke URL as --target", base, apiName)
	}
	if err != nil {
		return "", "", "", fmt.Errorf("find the API %q at %s: %v", apiName, base, err)
	}
	return found.URL, fmt.Sprintf("discovered: REST API %q (%s), stage %s, through the SDK at %s", apiName, found.ID, found.Stage, base), base, nil
}

// edgeHealthy asks endpoint's /_localstack/health; false (no error) when
// something answers but not as a cloud edge.
func edgeHealthy(ctx context.Context, endpoint string) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(cctx, "GET", endpoint+"/_localstack/health", nil)
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode == 200 && strings.Contains(string(b), `"services"`), nil
}

// unreachable words a transport error for one line.
func unreachable(target string, err error) error {
	return fmt.Errorf("target %s is unreachable: %s", target, transportReason(err))
}

// transportReason is the short cause of a transport error.
func transportReason(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is it running? is the port right?)"
	case errors.As(err, &dnsErr):
		return "host not found (" + dnsErr.Name + ")"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer in time"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
