package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/groundstack/groundstack/harness/emulator/control"
	"github.com/groundstack/groundstack/harness/emulator/faults"
)

const faultsUsage = `groundstack faults — inject failures into a running groundstack

  groundstack faults add [flags]            add a rule from flags
  groundstack faults add '{"service":…}'    add a rule (or an array of rules) as JSON
  groundstack faults list                   the rules in force, with how many calls each hit
  groundstack faults clear [--id ID]        remove every rule, or one

A rule matches calls by --service (dynamodb, s3, sqs…), --operation (PutItem, or a glob: Put*), --resource (a glob
on the names and ARNs the call carries: orders*) and --region, and answers a share of them (--probability, default 1)
with --error CODE (AWS's status and message for throttling and server errors; --status and --message override),
--latency 200ms [--latency-max 1s] (the call then runs), or --drop (the connection is closed). --duration 30s or
--times N retire it. Example:

  groundstack faults add --service dynamodb --operation PutItem --error ProvisionedThroughputExceededException --probability 0.05

The endpoint is --endpoint, else GROUNDSTACK_ENDPOINT, else AWS_ENDPOINT_URL, else http://127.0.0.1:4566. Requests are
signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when they are set (strict mode needs that).
`

// runFaults is `groundstack faults`.
func runFaults(args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, faultsUsage)
		if len(args) == 0 {
			return usageError{err: errors.New("faults: say add, list or clear"), printed: false}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("faults "+sub, flag.ContinueOnError)
	endpoint := fs.String("endpoint", awslocalEndpoint(getenv), "the groundstack endpoint")
	fs.Usage = func() { fmt.Fprint(stdout, faultsUsage) }
	var r faults.Rule
	var probability float64
	id := ""
	switch sub {
	case "add":
		fs.StringVar(&r.ID, "id", "", "the rule's id (default: a new one)")
		fs.StringVar(&r.Service, "service", "", "service (dynamodb, s3, sqs, lambda, …)")
		fs.StringVar(&r.Operation, "operation", "", "operation or glob (PutItem, Put*)")
		fs.StringVar(&r.Resource, "resource", "", "glob on the names and ARNs the call carries")
		fs.StringVar(&r.Region, "region", "", "region")
		fs.StringVar(&r.Error, "error", "", "AWS error code to answer with")
		fs.IntVar(&r.Status, "status", 0, "HTTP status of the error")
		fs.StringVar(&r.Message, "message", "", "message of the error")
		fs.StringVar(&r.Latency, "latency", "", "added latency (Go duration)")
		fs.StringVar(&r.LatencyMax, "latency-max", "", "latency drawn uniformly up to this")
		fs.BoolVar(&r.Drop, "drop", false, "close the connection without an answer")
		fs.Float64Var(&probability, "probability", 0, "share of matching calls hit (0 < p ≤ 1; default 1)")
		fs.StringVar(&r.Duration, "duration", "", "retire the rule after this long")
		fs.IntVar(&r.Times, "times", 0, "retire the rule after this many hits")
	case "clear":
		fs.StringVar(&id, "id", "", "remove only this rule")
	case "list":
	default:
		return usageError{err: fmt.Errorf("faults: unknown subcommand %q (add, list or clear)", sub)}
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	url := strings.TrimSuffix(*endpoint, "/") + control.PathFaults
	var method string
	var body []byte
	switch sub {
	case "add":
		switch {
		case fs.NArg() == 1:
			body = []byte(fs.Arg(0))
		case fs.NArg() > 1:
			return usageError{err: errors.New("faults add: give flags or one JSON rule")}
		default:
			if probability != 0 {
				r.Probability = &probability
			}
			body, _ = json.Marshal(r)
		}
		method = http.MethodPost
	case "list":
		method = http.MethodGet
	case "clear":
		method = http.MethodDelete
		if id != "" {
			url += "?id=" + id
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); key != "" && secret != "" {
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret, SessionToken: getenv("AWS_SESSION_TOKEN")}
		region := getenv("AWS_REGION")
		if region == "" {
			region = "us-east-1"
		}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), control.SigningName, region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("faults: %v (is groundstack up at %s?)", err, *endpoint)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error, Message string
		}
		_ = json.Unmarshal(out, &e)
		msg := e.Error
		if msg == "" {
			msg = strings.TrimSpace(string(out))
		}
		return fmt.Errorf("faults %s: %s: %s", sub, resp.Status, msg)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") == nil {
		out = append(pretty.Bytes(), '\n')
	}
	_, err = stdout.Write(out)
	return err
}
