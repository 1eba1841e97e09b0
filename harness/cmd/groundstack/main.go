// Command groundstack runs the local cloud: `groundstack up` starts the edge
// in the foreground, `awslocal` runs the aws CLI against it, `version`
// prints the version.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const usage = `groundstack — a local AWS cloud for end-to-end tests

Usage:
  groundstack up [--port 4566] [--host 127.0.0.1] [--flows none|all|name,…] [--no-demo-data] [--init-dir DIR]
                 [--data-dir DIR] [--fsync always|batch|off]   (state kept across restarts: docs/persistence.md)
  groundstack awslocal [aws CLI arguments…]   (also as bin/awslocal, which make build links here)
  groundstack load [--profile baseline|year1|year2|ramp|FILE] [--duration 60s] [--target URL] [--out build/load]
  groundstack load merge a.json b.json …
  groundstack bench-events [--paths s3-lambda,…] [--idle 200] [--rate 1000] [--duration 10s] [--endpoint URL]
                                            event freshness per messaging path (table, build/bench-events/)
  groundstack status [--endpoint URL] [--json]   what the running cloud serves and holds
  groundstack logs [--follow] [--since 10m] [--filter PATTERN] FUNCTION|/LOG/GROUP   events from CloudWatch Logs
  groundstack ws [--header Name:value]… URL   a WebSocket client: stdin lines sent, messages printed
  groundstack ec2host --dir DIR --authorized-key-file F [--listen 127.0.0.1:2222] [--host-key-file F] [--idle-timeout D] [--command-timeout D]
  groundstack faults add|list|clear [flags]   inject failures (AWS errors, latency, dropped connections)
  groundstack snapshot save|load [flags] FILE   save the emulator's state to a file, or load one (docs/snapshots.md)
  groundstack coverage [--out docs/coverage.md]   per service, the AWS operations served (from botocore's models)
  groundstack completion bash|zsh|fish   a shell completion script (groundstack completion --help: how to install it)
  groundstack version (or --version)

groundstack COMMAND --help describes a command: its flags and defaults, examples and exit status.
Exit status: 0 success, 1 failure, 2 bad usage.

Environment: GROUNDSTACK_PORT, GROUNDSTACK_HOST, GROUNDSTACK_STRICT_AUTH=1 (with
GROUNDSTACK_ACCESS_KEYS_FILE=path, a chmod 600 file of key:secret lines, or
GROUNDSTACK_ACCESS_KEYS=key:secret,…), GROUNDSTACK_ACCOUNT_ID (the default account, 12 digits;
GROUNDSTACK_MAX_ACCOUNTS bounds how many a 12-digit key id may start), GROUNDSTACK_SERVICES=s3,sqs,… (up serves only
those; the others answer UnknownService), GROUNDSTACK_ENDPOINT (for awslocal, status, logs, faults and snapshot;
else AWS_ENDPOINT_URL, else 127.0.0.1 and GROUNDSTACK_PORT), DELIVERIES_DEMO_PASSWORD
(the deliveries flow's demo logins' password; random each run without it),
GROUNDSTACK_CORS_ORIGINS=https://app.example.com,… (web pages, besides the
machine's own, that may call the APIs from a browser; also read from
EXTRA_CORS_ALLOWED_ORIGINS), DISABLE_CORS_CHECKS=1 (any page may).
`

// usageError is bad input on the command line: one line, exit status 2
// (unless printed says it was already said).
type usageError struct {
	err     error
	printed bool
}

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// parseFlags parses a subcommand's flags. -h/--help prints the flag set's
// Usage on stdout and is flag.ErrHelp (exit 0); a bad flag is a one-line
// usageError (exit 2), without the usage repeated after it.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(os.Stdout)
	switch {
	case errors.Is(err, flag.ErrHelp):
		if usage != nil {
			usage()
		} else {
			fs.PrintDefaults()
		}
		return err
	case err != nil:
		return usageError{err: fmt.Errorf("%s: %v (groundstack %s --help lists the flags)", fs.Name(), err, fs.Name())}
	}
	return nil
}

const versionUsage = `groundstack version — print the version

Usage:
  groundstack version
  groundstack --version

Description:
  Prints groundstack's version, the Go release it was built with and the
  platform, on one line.

Examples:
  groundstack --version

Exit status:
  0 always.

Flags:
  none
`

const helpUsage = `groundstack help — describe groundstack or one of its commands

Usage:
  groundstack help [COMMAND]

Description:
  Without a command, lists the commands; with one, prints its help, as
  groundstack COMMAND --help does.

Examples:
  groundstack help
  groundstack help logs

Exit status:
  0 the help was printed, 2 the command is unknown.

Flags:
  none
`

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "help" }

func main() {
	if filepath.Base(os.Args[0]) == awslocalName { // bin/awslocal links here
		if err := runAWSLocal(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "awslocal:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "up":
		err = runUp(os.Args[2:])
	case "awslocal":
		err = runAWSLocal(os.Args[2:])
	case "ec2host":
		err = runEC2Host(os.Args[2:])
	case "ws":
		err = runWS(os.Args[2:])
	case "load":
		err = execFlows("load", os.Args[2:]) // returns only on failure
	case "logs":
		err = execFlows("logs", os.Args[2:]) // returns only on failure
	case "bench-events":
		err = execFlows("bench-events", os.Args[2:]) // returns only on failure
	case "coverage":
		err = runCoverage(os.Args[2:])
	case "faults":
		err = runFaults(os.Args[2:], os.Stdout, os.Getenv)
	case "snapshot":
		err = runSnapshot(os.Args[2:], os.Stdin, os.Stdout, os.Getenv)
	case "status":
		err = runStatus(os.Args[2:], os.Stdout, os.Getenv)
	case "completion":
		err = runCompletion(os.Args[2:], os.Stdout)
	case "version", "--version", "-v":
		if len(os.Args) > 2 && isHelp(os.Args[2]) {
			fmt.Print(versionUsage)
			return
		}
		fmt.Println(versionString())
	case "help", "--help", "-h":
		if len(os.Args) > 2 && os.Args[1] == "help" && (os.Args[2] == "--help" || os.Args[2] == "-h") {
			fmt.Print(helpUsage)
			return
		}
		if len(os.Args) > 2 && os.Args[1] == "help" { // groundstack help CMD
			os.Args = []string{os.Args[0], os.Args[2], "--help"}
			main()
			return
		}
		fmt.Print(usage)
		if names := knownFlowNames(); len(names) > 0 {
			fmt.Printf("\nFlows (up --flows): none, all, %s\n", strings.Join(names, ", "))
		}
	default:
		fmt.Fprintf(os.Stderr, "groundstack: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	var ue usageError
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0) // the flag set printed the help
	case errors.As(err, &ue):
		if !ue.printed {
			fmt.Fprintln(os.Stderr, "groundstack:", ue.err)
		}
		os.Exit(2)
	case errors.Is(err, errReported):
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "groundstack:", err)
		os.Exit(1)
	}
}
