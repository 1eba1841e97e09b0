package scenario

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

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/onsi/ginkgo/v2"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/faults"
)

// WithFault puts rule in force for the rest of the current spec (or
// container, when called from a BeforeAll) and removes it when that ends,
// whatever its outcome. Specs calling it should be labelled
// Needs(backend.FeatureFaults). It returns the rule as stored, with its id.
func (c *Cloud) WithFault(ctx context.Context, rule faults.Rule) (faults.Rule, error) {
	if !c.Supports(backend.FeatureFaults) {
		return faults.Rule{}, fmt.Errorf("scenario: the %s cloud injects no faults", c.Backend.Name())
	}
	body, err := json.Marshal(rule)
	if err != nil {
		return faults.Rule{}, err
	}
	var out struct {
		Faults []faults.Rule `json:"faults"`
	}
	if err := c.faultsCall(ctx, http.MethodPost, "", body, &out); err != nil {
		return faults.Rule{}, err
	}
	if len(out.Faults) != 1 {
		return faults.Rule{}, fmt.Errorf("scenario: adding a fault rule answered %d rules", len(out.Faults))
	}
	got := out.Faults[0]
	ginkgo.DeferCleanup(func(ctx context.Context) error {
		return c.faultsCall(ctx, http.MethodDelete, "?id="+got.ID, nil, nil)
	})
	return got, nil
}

// Faults lists the fault rules in force, with how many calls each hit.
func (c *Cloud) Faults(ctx context.Context) ([]faults.Rule, error) {
	var out struct {
		Faults []faults.Rule `json:"faults"`
	}
	err := c.faultsCall(ctx, http.MethodGet, "", nil, &out)
	return out.Faults, err
}

// faultsCall sends one request to the control plane's faults endpoint,
// signed with the cloud's credentials (strict mode needs them).
func (c *Cloud) faultsCall(ctx context.Context, method, query string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.Endpoint(), "/")+control.PathFaults+query, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	cfg := c.Config()
	if cfg.Credentials != nil {
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), control.SigningName, cfg.Region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("scenario: %s %s: %s: %s", method, control.PathFaults+query, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
