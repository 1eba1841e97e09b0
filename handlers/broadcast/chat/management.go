package chat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigningName is the management API's SigV4 service name.
const SigningName = "execute-api"

// ManagementEndpoint is the base URL of the @connections API for the API
// and stage an event came through: Settings.Endpoint when set (deploy's
// choice); on an emulator (AWS_ENDPOINT_URL set) its edge's path form
// {edge}/_aws/execute-api/{api}/{stage}, which needs no DNS; on AWS
// https://{domainName}/{stage}, as AWS's own samples build it.
func ManagementEndpoint(s Settings, rc events.APIGatewayWebsocketProxyRequestContext) (string, error) {
	if s.Endpoint != "" {
		return strings.TrimRight(s.Endpoint, "/"), nil
	}
	if rc.Stage == "" {
		return "", errors.New("management endpoint: the event has no requestContext.stage (set CONNECTIONS_ENDPOINT)")
	}
	if s.EdgeURL != "" && rc.APIID != "" {
		return strings.TrimRight(s.EdgeURL, "/") + "/_aws/execute-api/" + url.PathEscape(rc.APIID) + "/" + url.PathEscape(rc.Stage), nil
	}
	if rc.DomainName == "" {
		return "", errors.New("management endpoint: the event has no requestContext.domainName (set CONNECTIONS_ENDPOINT)")
	}
	return "https://" + rc.DomainName + "/" + url.PathEscape(rc.Stage), nil
}

// Management posts to connections through the @connections API, each
// request signed with SigV4 (service execute-api) with the function's own
// credentials. One Management is shared by every post of an instance: its
// HTTP client keeps its connections to the endpoint alive.
type Management struct {
	Credentials aws.CredentialsProvider
	Region      string
	Client      *http.Client
	Signer      *v4.Signer
	// Timeout bounds one post (5 s when zero).
	Timeout time.Duration
}

// NewManagement is a Management with an HTTP client sized for fan-out
// connections in flight to one host.
func NewManagement(cfg aws.Config, fanOut int) *Management {
	if fanOut <= 0 {
		fanOut = DefaultFanOut
	}
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        fanOut * 2,
		MaxIdleConnsPerHost: fanOut,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 5 * time.Second,
	}
	return &Management{Credentials: cfg.Credentials, Region: cfg.Region, Client: &http.Client{Transport: t}, Signer: v4.NewSigner()}
}

// Post sends data to the connection: POST {endpoint}/@connections/{id}.
func (m *Management) Post(ctx context.Context, endpoint, connectionID string, data []byte) (int, error) {
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ConnectionURL(endpoint, connectionID), bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if err := m.sign(ctx, req, data); err != nil {
		return 0, err
	}
	resp, err := m.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	// drain (bounded) so the connection goes back to the pool
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

func (m *Management) sign(ctx context.Context, req *http.Request, body []byte) error {
	if m.Credentials == nil {
		return errors.New("management API: no credentials to sign with")
	}
	creds, err := m.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	return m.Signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), SigningName, m.Region, time.Now())
}

// ConnectionURL is {endpoint}/@connections/{id}, the id escaped as a path
// segment.
func ConnectionURL(endpoint, connectionID string) string {
	return strings.TrimRight(endpoint, "/") + "/@connections/" + url.PathEscape(connectionID)
}
