package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/deploy/deliveries"
)

func init() { knownFlows["deliveries"] = upDeliveries }

// demoOrders is how many orders `up` posts so the dashboard is not empty.
const demoOrders = 8

// needsDNS marks the host-form URLs, which reach this machine only where
// *.localhost.localstack.cloud resolves to it.
const needsDNS = "(needs *.localhost.localstack.cloud DNS)"

// upDeliveries deploys the deliveries flow on the running edge, seeds a
// few demo orders, and prints how to reach it: URLs that need no DNS
// first, then commands that work pasted as they are.
func upDeliveries(ctx context.Context, endpoint string, opts deployOptions, out io.Writer) error {
	st, err := deliveries.Deploy(ctx, cloudConfig(endpoint), deliveries.Options{})
	if err != nil {
		return err
	}
	seeded := "none (--no-demo-data): the dashboard starts empty"
	if !opts.NoDemoData {
		n, err := deliveries.SeedDemoOrders(ctx, st, demoOrders, time.Now())
		if err != nil {
			return err
		}
		seeded = fmt.Sprintf("%d delivered today (up --no-demo-data starts empty)", n)
	}
	var logins []string
	for _, l := range st.Logins {
		logins = append(logins, l.Username+" / "+l.Password)
	}
	fmt.Fprintf(out, `  deliveries (orders and the live dashboard, %s):
    dashboard:     %s
                   %s %s
    API (REST):    %s
                   %s %s
    Function URL:  %s
                   %s %s
    demo logins:   %s
                   (new each run; DELIVERIES_DEMO_PASSWORD=… before up sets one for all, as groundstack load --target expects)
    demo orders:   %s
`, st.TimeZone, st.DashboardURL, st.DashboardHostURL, needsDNS, st.APIURL, st.APIHostURL, needsDNS,
		st.FunctionPathURL, st.FunctionURL, needsDNS, strings.Join(logins, ", "), seeded)
	for _, c := range deliveriesCommands(st) {
		fmt.Fprintf(out, "    %-15s%s\n", c.label+":", c.command)
	}
	return nil
}

// labelled is a command to paste, with what it does.
type labelled struct{ label, command string }

// deliveriesCommands log in as the couriers' app (setting TOKEN in the
// shell), post an order, and read the orders and today's metrics; curl
// --fail-with-body exits non-zero on an error answer and still shows it.
func deliveriesCommands(st deliveries.Stack) []labelled {
	password := ""
	for _, l := range st.Logins {
		if l.Username == deliveries.DemoCourier {
			password = l.Password
		}
	}
	login, _ := json.Marshal(deliveries.Login{Username: deliveries.DemoCourier, Password: password})
	// No timestamp: the server stamps it, so pasting it again is the same
	// order (answered "duplicado": true), never a conflict.
	order := `{"pedido_id":"TRY-1","repartidor":{"IdRepartidor":2,"Nombre":"Carlos Ruiz"},` +
		`"productos":[{"IdProducto":5,"producto":"Zafiro","precio":99.99},{"IdProducto":2,"producto":"Billete","precio":10}]}`
	const curl = "curl -sS --fail-with-body"
	bearer := `-H "Authorization: Bearer $TOKEN"`
	return []labelled{
		{"log in", "TOKEN=$(" + curl + " -X POST " + shellQuote(st.APIURL+"/token") + " -H 'Content-Type: application/json' -d " +
			shellQuote(string(login)) + ` | sed -E 's/.*"access_token":"([^"]+)".*/\1/')`},
		{"post an order", curl + " -X POST " + shellQuote(st.APIURL+"/registrar_pedido_entregado") + " " + bearer +
			" -H 'Content-Type: application/json' -d " + shellQuote(order)},
		{"orders", curl + " " + shellQuote(st.APIURL+"/pedidos?limit=5") + " " + bearer},
		{"metrics", curl + " " + shellQuote(st.APIURL+"/metrics") + " " + bearer},
	}
}

// shellQuote quotes s for a POSIX shell: in single quotes, each quote in s
// closed, escaped and reopened.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
