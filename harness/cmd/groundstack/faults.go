package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/groundstack/groundstack/harness/emulator/faults"
)

const faultsUsage = `groundstack faults — inject failures into a running groundstack

Usage:
  groundstack faults add [flags]            add a rule from flags
  groundstack faults add '{"service":…}'    add a rule (or an array of rules) as JSON
  groundstack faults list                   the rules in force, with how many calls each hit
  groundstack faults clear [--id ID]        remove every rule, or one

Description:
A rule matches calls by --service (dynamodb, s3, sqs…), --operation (PutItem, or a glob: Put*), --resource (a glob
on the names and ARNs the call carries: orders*) and --region, and answers a share of them (--probability, default 1)
with --error CODE (AWS's status and message for throttling and server errors; --status and --message override),
--latency 200ms [--latency-max 1s] (the call then runs), or --drop (the connection is closed). --duration 30s or
--times N retire it.

The endpoint is --endpoint, else GROUNDSTACK_ENDPOINT, else AWS_ENDPOINT_URL, else http://127.0.0.1:4566. Requests are
signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when they are set (strict mode needs that).

Examples:
  groundstack faults add --service dynamodb --operation PutItem --error ProvisionedThroughputExceededException --probability 0.05
  groundstack faults add --service s3 --latency 200ms --latency-max 1s --duration 30s
  groundstack faults list
  groundstack faults clear

Exit status:
  0 done, 1 the cloud refused or could not be reached, 2 bad usage.

Flags:
`

// runFaults is `groundstack faults`.
func runFaults(args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, faultsUsage)
		fmt.Fprintln(stdout, "  each subcommand's, with their defaults: groundstack faults add|list|clear --help")
		if len(args) == 0 {
			return usageError{err: errors.New("faults: say add, list or clear"), printed: false}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("faults "+sub, flag.ContinueOnError)
	endpoint := fs.String("endpoint", awslocalEndpoint(getenv), "the groundstack endpoint")
	fs.Usage = func() { fmt.Fprint(stdout, faultsUsage); fs.SetOutput(stdout); fs.PrintDefaults() }
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
		fs.BoolVar(&r.Drop, "drop", false, "close the connection without an answer (ssh: the host stops answering; websocket: close the connection)")
		fs.BoolVar(&r.Crash, "crash", false, "the Lambda function's process exits (targets cold-start and invoke)")
		fs.StringVar(&r.Target, "target", "", "api (default), cold-start, invoke, delivery, ssh or websocket")
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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fc := &faults.Client{Endpoint: *endpoint, Region: getenv("AWS_REGION")}
	if key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); key != "" && secret != "" {
		fc.Credentials = credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))
	}
	var rules []faults.Rule
	var err error
	switch sub {
	case "add":
		switch {
		case fs.NArg() == 1:
			rules, err = fc.AddJSON(ctx, []byte(fs.Arg(0)))
		case fs.NArg() > 1:
			return usageError{err: errors.New("faults add: give flags or one JSON rule")}
		default:
			if probability != 0 {
				r.Probability = &probability
			}
			rules, err = fc.Add(ctx, r)
		}
	case "list":
		rules, err = fc.List(ctx)
	case "clear":
		if id != "" {
			err = fc.Remove(ctx, id)
		} else {
			err = fc.Clear(ctx)
		}
		if err == nil {
			rules = []faults.Rule{}
		}
	}
	if err != nil {
		return err
	}
	if sub == "clear" {
		return nil
	}
	out, err := json.MarshalIndent(map[string]any{"faults": rules}, "", "  ")
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(out, '\n'))
	return err
}
