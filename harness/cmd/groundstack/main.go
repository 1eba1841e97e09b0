// Command groundstack runs the local cloud: `groundstack up` starts the edge
// in the foreground, `awslocal` runs the aws CLI against it, `version`
// prints the version.
package main

import (
	"errors"
	"fmt"
	"os"
)

const usage = `groundstack — a local AWS cloud for end-to-end tests

Usage:
  groundstack up [--port 4566] [--host 127.0.0.1] [--flows none|all|name,…] [--init-dir DIR]
  groundstack awslocal [aws CLI arguments…]
  groundstack load [--profile baseline|year1|year2|ramp|FILE] [--duration 60s] [--target URL] [--out build/load]
  groundstack load merge a.json b.json …
  groundstack ec2host --dir DIR --authorized-key-file F [--listen 127.0.0.1:2222] [--host-key-file F] [--idle-timeout D] [--command-timeout D]
  groundstack version

Environment: GROUNDSTACK_PORT, GROUNDSTACK_HOST, GROUNDSTACK_STRICT_AUTH=1 (with
GROUNDSTACK_ACCESS_KEYS_FILE=path, a chmod 600 file of key:secret lines, or
GROUNDSTACK_ACCESS_KEYS=key:secret,…), GROUNDSTACK_ENDPOINT (for awslocal),
GROUNDSTACK_CORS_ORIGINS=https://app.example.com,… (web pages, besides the
machine's own, that may call the APIs from a browser; also read from
EXTRA_CORS_ALLOWED_ORIGINS), DISABLE_CORS_CHECKS=1 (any page may).
`

func main() {
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
	case "load":
		err = execFlows("load", os.Args[2:]) // returns only on failure
	case "version", "--version", "-v":
		fmt.Println(versionString())
	case "help", "--help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "groundstack: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, errReported) {
		os.Exit(1)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "groundstack:", err)
		os.Exit(1)
	}
}
