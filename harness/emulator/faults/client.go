package faults

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Path is where the emulator serves its fault rules.
const Path = "/_groundstack/faults"

// SigningName is the SigV4 service name strict mode wants on the call
// (the control plane's).
const SigningName = "groundstack"

// Client calls a running emulator's /_groundstack/faults: the CLI, the
// load generator and Ginkgo scenarios share it.
type Client struct {
	Endpoint string
	// Credentials, when set, sign each call (strict mode needs it).
	Credentials aws.CredentialsProvider
	Region      string
	HTTP        *http.Client
}

// Add puts rules in force and returns them as stored, with their ids.
func (c *Client) Add(ctx context.Context, rules ...Rule) ([]Rule, error) {
	body, err := json.Marshal(rules)
	if err != nil {
		return nil, err
	}
	return c.AddJSON(ctx, body)
}

// AddJSON adds the rule (an object) or rules (an array) body holds.
func (c *Client) AddJSON(ctx context.Context, body []byte) ([]Rule, error) {
	var out struct {
		Faults []Rule `json:"faults"`
	}
	err := c.do(ctx, http.MethodPost, "", body, &out)
	return out.Faults, err
}

// List returns the rules in force, with how many calls each hit.
func (c *Client) List(ctx context.Context) ([]Rule, error) {
	var out struct {
		Faults []Rule `json:"faults"`
	}
	err := c.do(ctx, http.MethodGet, "", nil, &out)
	return out.Faults, err
}

// Remove deletes the rule with id.
func (c *Client) Remove(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "?id="+url.QueryEscape(id), nil, nil)
}

// Clear deletes every rule.
func (c *Client) Clear(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "", nil, nil)
}

func (c *Client) do(ctx context.Context, method, query string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Endpoint, "/")+Path+query, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.Credentials != nil {
		creds, err := c.Credentials.Retrieve(ctx)
		if err != nil {
			return err
		}
		region := c.Region
		if region == "" {
			region = "us-east-1"
		}
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), SigningName, region, time.Now()); err != nil {
			return err
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("faults: %v (is groundstack up at %s?)", err, c.Endpoint)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return fmt.Errorf("faults: %s %s: %s: %s", method, Path+query, resp.Status, e.Error)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
