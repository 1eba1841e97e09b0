package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/groundstack/groundstack/harness/deploy/broadcast"
)

func init() { knownFlows["broadcast"] = upBroadcast }

// upBroadcast deploys the broadcast flow (a WebSocket chat) and prints its
// WebSocket URL and a client command that works as pasted: groundstack's
// own `ws` client, since a fresh machine has no wscat or websocat.
// BROADCAST_TOKEN, when set, is the ?token= clients connect with; else the
// cloud's earlier token is kept or a random one made.
func upBroadcast(ctx context.Context, endpoint string, _ deployOptions, out io.Writer) error {
	st, err := broadcast.Deploy(ctx, cloudConfig(endpoint), broadcast.Options{Token: os.Getenv("BROADCAST_TOKEN")})
	if err != nil {
		return err
	}
	fmt.Fprint(out, broadcastSummary(st))
	return nil
}

// broadcastSummary is what `up` prints for the flow.
func broadcastSummary(st broadcast.Stack) string {
	url := shellQuote(st.ConnectURL())
	return fmt.Sprintf(`  broadcast (a WebSocket chat: API %s, tables %s and %s):
    WebSocket:     %s
                   %s %s
    token:         %s  (?token=; BROADCAST_TOKEN=… before up sets one)
    chat:          bin/groundstack ws %s
                   then type: {"action":"sendmessage","data":"hi"}  (every connected client prints hi)
    one message:   echo '{"action":"sendmessage","data":"hi"}' | bin/groundstack ws %s
    @connections:  %s/@connections/{connectionId}  (SigV4, service execute-api)
    messages:      awslocal dynamodb scan --table-name %s --query Count
`, st.APIID, st.ConnectionsTable, st.MessagesTable, st.URL, st.HostURL, needsDNS, st.Token,
		url, url, st.ManagementURL, st.MessagesTable)
}
