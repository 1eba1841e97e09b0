package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/deploy/workshop"
)

func init() { knownFlows["workshop"] = upWorkshop }

// upWorkshop deploys the workshop flow's Go path (names workshop-go-…, so
// the lab's own scripts, which make lab-…, can run beside it) and prints
// the API, a command or two, and where the lab's scripts are.
func upWorkshop(ctx context.Context, endpoint string, opts deployOptions, out io.Writer) error {
	st, err := workshop.Deploy(ctx, cloudConfig(endpoint), workshop.Options{})
	if err != nil {
		return err
	}
	seeded := "none (--no-demo-data)"
	if !opts.NoDemoData {
		if err := workshop.SeedDemo(ctx, cloudConfig(endpoint), st); err != nil {
			return err
		}
		seeded = "a log batch and a notification"
	}
	lab := "fixtures/workshop/run-all.sh"
	if root, err := deploy.SourceRoot(); err == nil {
		lab = filepath.Join(root, "fixtures", "workshop", "run-all.sh")
	}
	triggers := "S3 uploads under " + workshop.UploadsPrefix + " and the queue invoke their functions"
	if len(st.TriggerNotes) > 0 {
		triggers = "not on this cloud: " + strings.Join(st.TriggerNotes, "; ")
	}
	fmt.Fprintf(out, `  workshop (the serverless-architectures lab, Go functions %s-*):
    API (REST):    %s
                   %s %s
    triggers:      %s
    demo data:     %s
    health:        curl -sS --fail-with-body %s
    stats:         curl -sS --fail-with-body %s
    dashboard:     awslocal lambda invoke --function-name %s --payload '{}' dashboard.json && cat dashboard.json
    the lab:       %s  (its Python functions, names lab-…; fixtures/workshop/README.md)
`, workshop.DefaultName, st.APIURL, st.APIHostURL, needsDNS, triggers, seeded,
		shellQuote(st.APIURL+"/health"), shellQuote(st.APIURL+"/stats"), st.Functions["dashboard"], lab)
	return nil
}
