package scenario

import (
	"context"
	"fmt"
	"sync"

	"github.com/onsi/ginkgo/v2"

	"github.com/groundstack/groundstack/harness/backend"
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
	fc := c.faults()
	added, err := fc.Add(ctx, rule)
	if err != nil {
		return faults.Rule{}, err
	}
	if len(added) != 1 {
		return faults.Rule{}, fmt.Errorf("scenario: adding a fault rule answered %d rules", len(added))
	}
	got := added[0]
	ginkgo.DeferCleanup(func(ctx context.Context) error {
		if _, done := ended.LoadAndDelete(got.ID); done {
			return nil
		}
		return fc.Remove(ctx, got.ID)
	})
	return got, nil
}

// ended holds the ids of rules EndFault removed before their spec ended.
var ended sync.Map

// EndFault removes a rule WithFault added before the spec ends (to see the
// flow recover once a dependency is back).
func (c *Cloud) EndFault(ctx context.Context, rule faults.Rule) error {
	if err := c.faults().Remove(ctx, rule.ID); err != nil {
		return err
	}
	ended.Store(rule.ID, true)
	return nil
}

// Faults lists the fault rules in force, with how many calls each hit.
func (c *Cloud) Faults(ctx context.Context) ([]faults.Rule, error) { return c.faults().List(ctx) }

// faults is a client of the cloud's fault rules, signing with its
// credentials (strict mode needs them).
func (c *Cloud) faults() *faults.Client {
	cfg := c.Config()
	return &faults.Client{Endpoint: c.Endpoint(), Credentials: cfg.Credentials, Region: cfg.Region}
}
