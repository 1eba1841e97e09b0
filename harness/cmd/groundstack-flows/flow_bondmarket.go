package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/groundstack/groundstack/harness/deploy/bondmarket"
	"github.com/groundstack/groundstack/harness/payments"
)

func init() { knownFlows["bondmarket"] = upBondmarket }

// upBondmarket deploys the bondmarket flow, seeds its demo fixtures and
// prints the API, the card gateway, the MQTT side and commands that work
// pasted as they are.
func upBondmarket(ctx context.Context, endpoint string, opts deployOptions, out io.Writer) error {
	st, err := bondmarket.Deploy(ctx, cloudConfig(endpoint), bondmarket.Options{PaymentsURL: opts.PaymentsURL})
	if err != nil {
		return err
	}
	demo := bondmarket.DemoFixtures()
	seeded := "none (--no-demo-data): put fixtures in " + st.FixturesTable
	if !opts.NoDemoData {
		if err := bondmarket.SeedDemo(ctx, cloudConfig(endpoint), st); err != nil {
			return err
		}
		seeded = fmt.Sprintf("%d fixtures (%s…%s), %d bonds each", len(demo), demo[0].FixtureID, demo[len(demo)-1].FixtureID, demo[0].Available)
	}
	gateway := "none (groundstack up starts one; deploy --payments-url URL names one)"
	if st.PaymentsURL != "" {
		gateway = fmt.Sprintf("%s (fake; deposit_token %s approves, %s rejects, %s times out)",
			st.PaymentsURL, payments.CardApprove, payments.CardReject, payments.CardTimeout)
	}
	mqtt := "topic rules " + strings.Join(st.TopicRules, ", ") + ": fixtures/requests and fixtures/validation invoke " +
		st.Functions["requests"] + " and " + st.Functions["validation"]
	alarms := fmt.Sprintf("%d (each function's Errors) notify SNS %s, read by SQS %s", len(st.Alarms), st.AlarmTopicARN, st.AlarmQueueURL)
	notes := "none"
	if len(st.Notes) > 0 {
		notes = strings.Join(st.Notes, "; ")
	}
	order := `{"group_id":"15","fixture_id":"1001","quantity":2,"user_id":"demo","league_name":"Primera División","round":"Regular Season - 1","date":"2027-03-01","result":"home","deposit_token":"` + payments.CardApprove + `","datetime":"2027-03-01T20:00:00Z","status":"pending"}`
	fmt.Fprintf(out, `  bondmarket (bonds on football fixtures, functions %s-*):
    API (REST):    %s
                   %s %s
    card gateway:  %s
    MQTT:          %s
    alarms:        %s
    not here:      %s
    receipts:      s3://%s (presigned URLs), logs: s3://%s
    demo data:     %s
    buy:           curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' -d %s %s
    list:          curl -sS --fail-with-body %s
    top up:        curl -sS --fail-with-body -X PUT -H 'Content-Type: application/json' -d '{"user_id":"demo","amount":5000}' %s
`, bondmarket.DefaultName, st.APIURL, st.APIHostURL, needsDNS, gateway, mqtt, alarms, notes, st.ReceiptsBucket, st.LogsBucket, seeded,
		shellQuote(order), shellQuote(st.APIURL+"/requests"), shellQuote(st.APIURL+"/requests?page=1&count=25"),
		shellQuote(st.APIURL+"/users/wallet"))
	return nil
}
