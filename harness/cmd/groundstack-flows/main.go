// Command groundstack-flows is the part of groundstack that drives a cloud
// from outside through the AWS SDK: it deploys the flows of `groundstack
// up --flows` and is `groundstack load`. groundstack runs it for those, so
// that the emulator's binary links neither the SDK's clients nor the load
// generator's charts and Docker client (harness/cmd/groundstack/flows.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"syscall"
)

const usage = `groundstack-flows — the flows and the load generator of groundstack; groundstack runs it

Usage:
  groundstack-flows list                             the flows, one a line
  groundstack-flows deploy --endpoint URL [--no-demo-data] [--payments-url URL] [--watch] NAME…
                                                     deploy flows on a running cloud (groundstack up --flows)
  groundstack-flows load …                           groundstack load (see groundstack load --help)
  groundstack-flows logs …                           groundstack logs (see groundstack logs --help)
  groundstack-flows bench-events …                   groundstack bench-events (see groundstack bench-events --help)
`

// deployOptions are what `groundstack up` asks of every flow it deploys.
type deployOptions struct {
	// NoDemoData leaves the flow's data empty (no demo orders and the like).
	NoDemoData bool
	// PaymentsURL is the card gateway groundstack up started for the
	// bondmarket flow ("" when none).
	PaymentsURL string
}

// knownFlows are the flows `groundstack up --flows` can deploy. Each
// flow_*.go file registers its own, so that flows added by other changes
// do not touch the same line.
var knownFlows = map[string]func(ctx context.Context, endpoint string, opts deployOptions, out io.Writer) error{}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch os.Args[1] {
	case "list":
		for _, name := range flowNames() {
			fmt.Println(name)
		}
	case "deploy":
		os.Exit(runDeploy(os.Args[2:], os.Stdout, os.Stderr))
	case "load":
		os.Exit(runLoad(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	case "logs":
		os.Exit(runLogs(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	case "bench-events":
		os.Exit(runBenchEvents(context.Background(), os.Args[2:], os.Stdout, os.Stderr))
	case "help", "--help", "-h":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "groundstack-flows: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
}

func flowNames() []string {
	var names []string
	for name := range knownFlows {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// runDeploy deploys the named flows in turn on the cloud at --endpoint and
// prints how to reach each; errors are printed as groundstack's own.
func runDeploy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", "", "the cloud's edge URL (http://127.0.0.1:4566)")
	var opts deployOptions
	fs.BoolVar(&opts.NoDemoData, "no-demo-data", false, "deploy the flows without demo data (an empty dashboard)")
	fs.StringVar(&opts.PaymentsURL, "payments-url", "", "the fake card gateway's URL (groundstack up starts one for bondmarket)")
	watch := fs.Bool("watch", false, "then rebuild the flows' Go handlers when their sources change and update their functions, until interrupted")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *endpoint == "" || fs.NArg() == 0 {
		fmt.Fprint(stderr, "groundstack-flows deploy: want --endpoint URL and the flows' names\n")
		return 2
	}
	for _, name := range fs.Args() {
		if !slices.Contains(flowNames(), name) {
			fmt.Fprintf(stderr, "groundstack: unknown flow %q (available: %v)\n", name, flowNames())
			return 2
		}
	}
	if err := readHandedCredentials(); err != nil {
		fmt.Fprintf(stderr, "groundstack: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for _, name := range fs.Args() {
		fmt.Fprintf(stdout, "deploying flow %s…\n", name)
		if err := knownFlows[name](ctx, *endpoint, opts, stdout); err != nil {
			fmt.Fprintf(stderr, "groundstack: deploy %s: %v\n", name, err)
			return 1
		}
	}
	if *watch {
		if err := watchHandlers(ctx, *endpoint, stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "groundstack: watch: %v\n", err)
			return 1
		}
	}
	return 0
}

// parseFlags parses a subcommand's flags: --help prints usage and the
// flags on stdout (exit 0), a bad flag is one line on stderr (exit 2).
// ok is false when the command should return code now.
func parseFlags(fs *flag.FlagSet, args []string, name, usage string, stdout, stderr io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitPassed, false
	}
	fmt.Fprintf(stderr, "groundstack %s: %v (groundstack %s --help lists the flags)\n", name, err, name)
	return exitUsage, false
}
