package main

import (
	"context"
	"fmt"
	"io"

	"github.com/groundstack/groundstack/harness/deploy/scriptrunner"
)

func init() { knownFlows["scriptrunner"] = upScriptrunner }

// upScriptrunner deploys the scriptrunner flow (its fake EC2 host included)
// and prints a request to paste. The aws commands need the credentials and
// region `up`'s export line sets (or awslocal in their place).
func upScriptrunner(ctx context.Context, endpoint string, _ deployOptions, out io.Writer) error {
	st, err := scriptrunner.Deploy(ctx, cloudConfig(endpoint), scriptrunner.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `  scriptrunner (scripts from s3://%s/%s/ run on EC2 instance %s over SSH):
    invoke:        POST %s
                   POST %s %s
    scripts:       aws --endpoint-url %s s3 ls s3://%s/%s/
    try:           curl -sS --fail-with-body -X POST %s -H 'Content-Type: application/json' -d '{"scriptname":"report.py","parameter":"2024-10"}'
    executions:    aws --endpoint-url %s logs filter-log-events --log-group-name %s
`, st.Bucket, st.Prefix, st.InstanceID, st.InvokeURL, st.InvokeHostURL, needsDNS, endpoint, st.Bucket, st.Prefix,
		shellQuote(st.InvokeURL), endpoint, st.LogGroup)
	return nil
}
