package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/groundstack/groundstack/harness/deploy/deliveries"
)

func init() { knownFlows["deliveries"] = upDeliveries }

// upDeliveries deploys the deliveries flow on the running edge and prints
// how to reach it.
func upDeliveries(ctx context.Context, endpoint string, out io.Writer) error {
	st, err := deliveries.Deploy(ctx, cloudConfig(endpoint), deliveries.Options{})
	if err != nil {
		return err
	}
	var logins []string
	for _, l := range st.Logins {
		logins = append(logins, l.Username+" / "+l.Password)
	}
	fmt.Fprintf(out, `  deliveries (orders and the live dashboard, %s):
    dashboard:     %s
                   %s (needs *.localhost.localstack.cloud DNS)
    API (REST):    %s
                   %s
    Function URL:  %s
                   %s (same function, no DNS needed)
    demo logins:   %s
    try:           curl -s -X POST %s/token -H 'Content-Type: application/json' -d '{"username":"%s","password":"%s"}'
`, st.TimeZone, st.DashboardURL, st.DashboardHostURL, st.APIURL, st.APIHostURL, st.FunctionURL, st.FunctionPathURL,
		strings.Join(logins, ", "), st.APIURL, st.Logins[0].Username, st.Logins[0].Password)
	return nil
}
