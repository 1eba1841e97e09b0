package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Wire paths of snapshots on the control plane.
const (
	PathSave = "/_groundstack/snapshot"
	PathLoad = "/_groundstack/snapshot/load"
)

// SigningName is the SigV4 service name strict mode wants on the calls
// (the control plane's).
const SigningName = "groundstack"

// Client calls a running emulator's snapshot endpoints (the CLI's
// `groundstack snapshot`).
type Client struct {
	Endpoint string
	// Credentials, when set, sign each call (strict mode needs it).
	Credentials aws.CredentialsProvider
	Region      string
	HTTP        *http.Client
}

// Loaded is what a load answers.
type Loaded struct {
	Accounts []string `json:"accounts"`
	Loaded   []string `json:"loaded"`
	NotSaved []string `json:"notSaved"`
	Message  string   `json:"message"`
}

// Save returns the emulator's snapshot, gzipped when zip is set.
func (c *Client) Save(ctx context.Context, zip bool) ([]byte, error) {
	q := ""
	if zip {
		q = "?gzip=true"
	}
	return c.do(ctx, PathSave+q, nil)
}

// Load loads file into the emulator; replace resets a non-empty one first.
func (c *Client) Load(ctx context.Context, file []byte, replace bool) (Loaded, error) {
	q := ""
	if replace {
		q = "?replace=true"
	}
	var out Loaded
	b, err := c.do(ctx, PathLoad+q, file)
	if err != nil {
		return out, err
	}
	return out, json.Unmarshal(b, &out)
}

func (c *Client) do(ctx context.Context, path string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.Endpoint, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	if c.Credentials != nil {
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, err
		}
		region := c.Region
		if region == "" {
			region = "us-east-1"
		}
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), SigningName, region, time.Now()); err != nil {
			return nil, err
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %v (is groundstack up at %s?)", err, c.Endpoint)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxSize+1<<10))
	if err != nil {
		return nil, fmt.Errorf("snapshot: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return nil, fmt.Errorf("snapshot: POST %s: %s: %s", path, resp.Status, e.Error)
	}
	return b, nil
}
