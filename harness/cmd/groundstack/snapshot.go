package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/groundstack/groundstack/harness/emulator/snapshot"
)

const snapshotUsage = `groundstack snapshot — save a running groundstack's state to a file, or load one

Usage:
  groundstack snapshot save [--gzip] FILE      every account's state, as a groundstack-snapshot v1 file ("-": stdout)
  groundstack snapshot load [--replace] FILE   load FILE ("-": stdin) into an empty groundstack; --replace resets a
                                               non-empty one first

Description:
Saved so far: DynamoDB, Secrets Manager, SQS, SNS; the file's header lists the services it does not hold, and load says so
(docs/snapshots.md). The endpoint is --endpoint, else GROUNDSTACK_ENDPOINT, else AWS_ENDPOINT_URL, else
http://127.0.0.1:4566. Requests are signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when they are set (strict
mode needs that).

Examples:
  groundstack snapshot save before-demo.snapshot
  groundstack snapshot save --gzip - > state.snapshot.gz
  groundstack snapshot load --replace before-demo.snapshot

Exit status:
  0 saved or loaded, 1 the cloud refused (a non-empty cloud without --replace, a newer file) or could not be
  reached, 2 bad usage.

Flags:
`

// runSnapshot is `groundstack snapshot`.
func runSnapshot(args []string, stdin io.Reader, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, snapshotUsage)
		fmt.Fprintln(stdout, "  each subcommand's, with their defaults: groundstack snapshot save|load --help")
		if len(args) == 0 {
			return usageError{err: errors.New("snapshot: say save or load")}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("snapshot "+sub, flag.ContinueOnError)
	endpoint := fs.String("endpoint", awslocalEndpoint(getenv), "the groundstack endpoint")
	fs.Usage = func() { fmt.Fprint(stdout, snapshotUsage); fs.SetOutput(stdout); fs.PrintDefaults() }
	var zip, replace bool
	switch sub {
	case "save":
		fs.BoolVar(&zip, "gzip", false, "gzip the body after the header line")
	case "load":
		fs.BoolVar(&replace, "replace", false, "reset a groundstack that holds resources, then load")
	default:
		return usageError{err: fmt.Errorf("snapshot: unknown subcommand %q (save or load)", sub)}
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{err: fmt.Errorf("snapshot %s: give one FILE", sub)}
	}
	file := fs.Arg(0)
	c := &snapshot.Client{Endpoint: *endpoint, Region: getenv("AWS_REGION")}
	if key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); key != "" && secret != "" {
		c.Credentials = credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))
	}
	ctx := context.Background()
	if sub == "save" {
		b, err := c.Save(ctx, zip)
		if err != nil {
			return err
		}
		if file == "-" {
			_, err = stdout.Write(b)
			return err
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "saved %s (%d bytes)\n", file, len(b))
		return nil
	}
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(io.LimitReader(stdin, snapshot.MaxSize+1<<10))
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	res, err := c.Load(ctx, b, replace)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res.Message)
	if len(res.NotSaved) > 0 {
		fmt.Fprintf(stdout, "warning: %s not in the snapshot: their resources were not restored\n", strings.Join(res.NotSaved, ", "))
	}
	return nil
}
