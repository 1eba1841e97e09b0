package main

import (
	"context"
	"fmt"
	"io"

	"github.com/groundstack/groundstack/harness/deploy/scriptrunner"
)

func init() { knownFlows["scriptrunner"] = upScriptrunner }

// upScriptrunner deploys the scriptrunner flow (its fake EC2 host included)
// and prints a request to paste.
func upScriptrunner(ctx context.Context, endpoint string, out io.Writer) error {
	st, err := scriptrunner.Deploy(ctx, cloudConfig(endpoint), scriptrunner.Options{})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, `  scriptrunner (scripts from s3://%s/%s/ run on EC2 instance %s over SSH):
    invoke:        POST %s
                   POST %s (needs *.localhost.localstack.cloud DNS)
    scripts:       aws --endpoint-url %s s3 ls s3://%s/%s/
    executions:    aws --endpoint-url %s logs filter-log-events --log-group-name %s
    try:           curl -s -X POST %s -H 'Content-Type: application/json' -d '{"scriptname":"report.py","parameter":"2024-10"}'
`, st.Bucket, st.Prefix, st.InstanceID, st.InvokeURL, st.InvokeHostURL, endpoint, st.Bucket, st.Prefix, endpoint, st.LogGroup, st.InvokeURL)
	return nil
}
