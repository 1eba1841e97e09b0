package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/persist"
)

func runUp(args []string) error {
	// Before anything starts: the keys leave the environment, and no
	// process of this user may read ours.
	if err := scrubKeysFromEnvironment(); err != nil {
		return err
	}
	forbidInspection()
	// Read at once: the pipe they came on must not outlive this call
	// into the children started below.
	keys, err := accessKeys()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	port := fs.Int("port", envInt("GROUNDSTACK_PORT", 4566), "edge port")
	host := fs.String("host", envStr("GROUNDSTACK_HOST", "127.0.0.1"), "address to bind (127.0.0.1 keeps the cloud private to this machine)")
	flows := fs.String("flows", "none", "flows to deploy: none, all, or a comma-separated list")
	initDir := fs.String("init-dir", "", "run DIR/ready.d scripts once the edge is ready (LocalStack's layout)")
	verbose := fs.Bool("v", false, "log every request error")
	mqttPort := fs.Int("mqtt-port", envInt("GROUNDSTACK_MQTT_PORT", -1), "MQTT broker port (default 1883, or any free port when 1883 is taken or --port is 0)")
	watch := fs.Bool("watch", false, "with --flows: rebuild the flows' Go handlers when their sources change and update their functions in place (docs/hot-reload.md)")
	noDemoData := fs.Bool("no-demo-data", false, "deploy the flows without their demo data (deliveries' dashboard starts empty)")
	wsIdle := fs.String("ws-idle-timeout", os.Getenv(envWSIdleTimeout), "close WebSocket API connections idle this long, a Go duration (default AWS's 10m; "+envWSIdleTimeout+")")
	wsLifetime := fs.String("ws-max-lifetime", os.Getenv(envWSMaxLifetime), "close WebSocket API connections this old, a Go duration (default AWS's 2h; "+envWSMaxLifetime+")")
	dataDir := fs.String("data-dir", os.Getenv(envDataDir), "keep every service's state in DIR across restarts: a write-ahead log per service, restored at start (docs/persistence.md; "+envDataDir+")")
	fsyncFlag := fs.String("fsync", envStr(envFsync, "batch"), "with --data-dir, when writes reach the disk before they are acknowledged: always, batch (one fsync per 10 ms for every write meanwhile) or off (never acknowledged late, may lose the last writes of a machine crash) ("+envFsync+")")
	fs.Usage = func() { upUsage(fs) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{err: fmt.Errorf("up: unexpected argument %q (flags come as --name value)", fs.Arg(0))}
	}
	if *watch && !wantsFlows(*flows) {
		return usageError{err: errors.New("up: --watch reloads the flows' handlers: give --flows too")}
	}
	fsync, err := persist.ParseFsync(*fsyncFlag)
	if err != nil {
		return usageError{err: fmt.Errorf("up: --fsync: %w", err)}
	}
	wsLimits, err := webSocketLimits(*wsIdle, *wsLifetime)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	flowsBin, selected, err := resolveFlows(ctx, *flows)
	if err != nil {
		return err
	}
	resolved := time.Since(start)
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts := []emulator.Option{emulator.WithAddr(net.JoinHostPort(*host, strconv.Itoa(*port))), emulator.WithLogger(log)}
	opts = append(opts, mqttOptions(*host, *port, *mqttPort)...)
	opts = append(opts, wsLimits)
	if *initDir != "" {
		opts = append(opts, emulator.WithInitDir(*initDir))
	}
	var madeKey string // a key this run made, printed with the banner
	if os.Getenv(envStrict) == "1" {
		if keys == nil {
			id, secret := newAccessKey()
			keys, madeKey = map[string]string{id: secret}, id
		}
		opts = append(opts, emulator.WithStrictAuth(keys))
	}
	opts = append(opts, originOptions(os.Getenv)...)
	acctOpts, err := emulator.AccountOptions(os.Getenv)
	if err != nil {
		return usageError{err: fmt.Errorf("up: %w", err)}
	}
	opts = append(opts, acctOpts...)
	svcOpts, err := servicesOption(os.Getenv)
	if err != nil {
		return usageError{err: fmt.Errorf("up: %w", err)}
	}
	opts = append(opts, svcOpts...)
	if *dataDir != "" {
		opts = append(opts, emulator.WithDataDir(*dataDir, fsync))
	}
	edgeStart := time.Now()
	e := emulator.New(opts...)
	if err := e.Start(); err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) && strings.Contains(err.Error(), "address already in use") {
			return fmt.Errorf("port %d is already in use (another groundstack or LocalStack?); pick another with --port or GROUNDSTACK_PORT", *port)
		}
		return err
	}
	defer e.Close()
	edgeReady := time.Since(edgeStart)
	endpoint := e.URL()
	var names []string
	for _, s := range e.Services() {
		names = append(names, s.Name())
	}
	sort.Strings(names)
	fmt.Printf("groundstack %s: edge ready in %s\n", emulator.Version, elapsed(edgeReady))
	fmt.Printf("  endpoint:  %s\n", endpoint)
	fmt.Printf("  services:  %s\n", strings.Join(names, ", "))
	fmt.Printf("  health:    %s/_localstack/health\n", endpoint)
	fmt.Printf("  console:   %s/_groundstack/ui/\n", endpoint)
	if p := e.Persistence(); p != nil {
		r := p.Restored
		fmt.Printf("  data dir:  %s (fsync %s): restored %d service(s) of %d account(s) from %d checkpoint(s) and %d log record(s) in %s\n",
			p.DataDir, p.Fsync, r.Services, r.Accounts, r.Checkpoints, r.Records, elapsed(time.Duration(r.Seconds*float64(time.Second))))
		for _, t := range p.TornTails {
			fmt.Printf("             a torn log tail was cut off: %d byte(s) at %d of %s (a write a crash interrupted, never acknowledged)\n", t.Bytes, t.At, t.File)
		}
		if len(p.NotPersisted) > 0 {
			fmt.Printf("             not persisted (start empty each time): %s\n", strings.Join(p.NotPersisted, ", "))
		}
	}
	for i, line := range exportLines(endpoint) {
		label := "env:"
		if i > 0 {
			label = ""
		}
		fmt.Printf("  %-11s%s\n", label, line)
	}
	fmt.Printf("             (paste both before the aws commands below; SDKs and aws CLI 1.29+/2.13+ then default to this cloud; awslocal needs neither)\n")
	fmt.Printf("  try:       aws --endpoint-url %s s3 mb s3://demo\n", endpoint)
	for _, line := range mqttBanner(e) {
		fmt.Println(line)
	}
	switch {
	case madeKey != "":
		// Only to the terminal: no file or environment a function could read.
		fmt.Printf("  strict:    SigV4 verified; no keys were given (%s), so this run made one:\n", envKeysFile)
		fmt.Printf("             export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", madeKey, keys[madeKey])
	case os.Getenv(envStrict) == "1":
		fmt.Printf("  strict:    SigV4 verified against %d access key(s)\n", len(keys))
	}

	phases := []string{"edge " + elapsed(edgeReady)}
	if wantsFlows(*flows) {
		// finding (and, in a checkout, building) groundstack-flows
		phases = append([]string{"groundstack-flows " + elapsed(resolved)}, phases...)
	}
	if len(selected) > 0 {
		deployStart := time.Now()
		var deployArgs []string
		if *noDemoData {
			deployArgs = append(deployArgs, "--no-demo-data")
		}
		if slices.Contains(selected, "bondmarket") {
			gw, err := startPayments()
			if err != nil {
				return err
			}
			defer gw.Close()
			deployArgs = append(deployArgs, "--payments-url", gw.URL())
		}
		// In strict mode the deployer gets a session of its own, revoked
		// once it is done: never the keys strict mode was given.
		var creds *cloud.TemporaryCredentials
		revoke := func() {}
		if os.Getenv(envStrict) == "1" {
			c, r, err := e.IssueSession("groundstack-up")
			if err != nil {
				return err
			}
			creds, revoke = &c, r
		}
		if *watch {
			// The watcher updates functions for as long as up runs: its
			// session lasts as long.
			wait, err := deployAndWatch(ctx, flowsBin, endpoint, deployArgs, selected, creds, os.Stdout, os.Stderr)
			if err != nil {
				revoke()
				return err
			}
			defer func() { stop(); wait(); revoke() }()
		} else {
			err := deployFlows(ctx, flowsBin, endpoint, deployArgs, selected, creds, os.Stdout, os.Stderr)
			revoke()
			if err != nil {
				return err
			}
		}
		if slices.Contains(selected, "bondmarket") {
			fmt.Println(bondmarketMQTTLine(e))
		}
		phases = append(phases, "flows "+elapsed(time.Since(deployStart)))
	}
	if wantsFlows(*flows) && len(selected) == 0 {
		fmt.Println("  flows:     none available in this version")
	}
	fmt.Printf("ready in %s (%s)\n", elapsed(time.Since(start)), strings.Join(phases, ", "))
	fmt.Println("Ctrl-C to stop.")
	<-ctx.Done()
	fmt.Println("\nstopping…")
	return nil
}

// exportLines are the shell lines that point the aws CLI and the SDKs at
// endpoint: test credentials and a region (a machine without ~/.aws has
// none), then the endpoint.
func exportLines(endpoint string) []string {
	return []string{
		"export AWS_ACCESS_KEY_ID=" + testAccessKey + " AWS_SECRET_ACCESS_KEY=" + testSecretKey + " AWS_DEFAULT_REGION=" + defaultRegion,
		"export AWS_ENDPOINT_URL=" + endpoint,
	}
}

// elapsed is a phase's duration as people read it: 3ms, 1.2s, 1m05s.
func elapsed(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// upUsage is `up --help`: the flags, and the flows --flows can name when
// groundstack-flows is at hand (it is never built for help).
func upUsage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `groundstack up — start the local cloud in the foreground (Ctrl-C stops it)

Usage:
  groundstack up [--port 4566] [--host 127.0.0.1] [--flows none|all|name,…] [--watch] [--no-demo-data] [--init-dir DIR]
                 [--data-dir DIR [--fsync always|batch|off]] [--ws-idle-timeout 10m] [--ws-max-lifetime 2h] [-v]

Description:
  Starts the edge (every AWS service on one port, as LocalStack's 4566) and the
  MQTT broker, prints how to reach them, and serves until Ctrl-C or SIGTERM.
  Without --flows the cloud starts empty. GROUNDSTACK_SERVICES=s3,sqs,… serves
  only those services (the others answer UnknownService); strict SigV4 mode,
  the account and browser origins come from the environment (groundstack
  --help lists the variables).

Examples:
  groundstack up
  groundstack up --port 4577 --flows deliveries
  groundstack up --flows all --watch      (edit a handler: its functions run the new code in about a second)
  GROUNDSTACK_SERVICES=s3,dynamodb groundstack up

Exit status:
  0 stopped by Ctrl-C or SIGTERM, 1 the cloud could not start (port in use,
  a flow failed to deploy), 2 bad usage.

Flags:
`)
	fs.PrintDefaults()
	if names := knownFlowNames(); len(names) > 0 {
		fmt.Fprintf(w, "\nFlows (--flows): none (the default: an empty cloud), all, %s\n", strings.Join(names, ", "))
	} else {
		fmt.Fprint(w, "\nFlows (--flows): none (the default: an empty cloud), all, or names; `make build` first to list them here\n")
	}
}

// resolveFlows finds groundstack-flows, which deploys the flows, and
// resolves spec among the flows it knows: before the edge starts, so that
// a typo costs no start.
func resolveFlows(ctx context.Context, spec string) (bin string, names []string, err error) {
	if !wantsFlows(spec) {
		return "", nil, nil
	}
	if bin, err = flowsBinary(ctx, os.Stderr); err != nil {
		return "", nil, err
	}
	available, err := listFlows(ctx, bin)
	if err != nil {
		return "", nil, err
	}
	names, err = selectFlows(spec, available)
	return bin, names, err
}

// wantsFlows tells whether --flows asks for any.
func wantsFlows(spec string) bool {
	spec = strings.TrimSpace(spec)
	return spec != "" && spec != "none"
}

// selectFlows resolves --flows into flow names among available, refusing
// unknown ones.
func selectFlows(spec string, available []string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if !wantsFlows(spec) {
		return nil, nil
	}
	all := append([]string(nil), available...)
	sort.Strings(all)
	if spec == "all" {
		return all, nil
	}
	var out []string
	for _, n := range strings.Split(spec, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(all, n) {
			return nil, fmt.Errorf("unknown flow %q (available: %s)", n, strings.Join(append([]string{"none", "all"}, all...), ", "))
		}
		out = append(out, n)
	}
	return out, nil
}

// Environment variables of the WebSocket APIs' connection limits (the
// defaults of --ws-idle-timeout and --ws-max-lifetime).
const (
	envDataDir       = "GROUNDSTACK_DATA_DIR"
	envFsync         = "GROUNDSTACK_FSYNC"
	envWSIdleTimeout = "GROUNDSTACK_WS_IDLE_TIMEOUT"
	envWSMaxLifetime = "GROUNDSTACK_WS_MAX_LIFETIME"
)

// webSocketLimits reads --ws-idle-timeout and --ws-max-lifetime: Go
// durations ("90s", "5m"), empty for AWS's.
func webSocketLimits(idle, lifetime string) (emulator.Option, error) {
	var d [2]time.Duration
	for i, f := range []struct{ flag, v string }{{"--ws-idle-timeout", idle}, {"--ws-max-lifetime", lifetime}} {
		if strings.TrimSpace(f.v) == "" {
			continue
		}
		v, err := time.ParseDuration(strings.TrimSpace(f.v))
		if err != nil || v <= 0 {
			return nil, usageError{err: fmt.Errorf("up: %s %q: want a positive Go duration such as 90s or 5m", f.flag, f.v)}
		}
		d[i] = v
	}
	return emulator.WithWebSocketLimits(d[0], d[1]), nil
}

func envStr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}

func versionString() string {
	return fmt.Sprintf("groundstack %s (%s, %s/%s)", emulator.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// originOptions reads which web pages may call the APIs from a browser:
// GROUNDSTACK_CORS_ORIGINS or LocalStack's EXTRA_CORS_ALLOWED_ORIGINS (comma
// lists), and DISABLE_CORS_CHECKS=1 for any page.
func originOptions(getenv func(string) string) []emulator.Option {
	var opts []emulator.Option
	for _, k := range []string{"GROUNDSTACK_CORS_ORIGINS", "EXTRA_CORS_ALLOWED_ORIGINS"} {
		if v := getenv(k); v != "" {
			opts = append(opts, emulator.WithAllowedOrigins(strings.Split(v, ",")...))
		}
	}
	if v := getenv("DISABLE_CORS_CHECKS"); v == "1" || strings.EqualFold(v, "true") {
		opts = append(opts, emulator.WithoutOriginChecks())
	}
	return opts
}

// envServices limits the services up serves (emulator.WithServices):
// comma-separated names, all when unset.
const envServices = "GROUNDSTACK_SERVICES"

// servicesOption reads envServices, refusing a name no service has.
func servicesOption(getenv func(string) string) ([]emulator.Option, error) {
	var names []string
	for _, n := range strings.Split(getenv(envServices), ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	known := emulator.ServiceNames()
	for _, n := range names {
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("%s: no service named %q (want some of %s)", envServices, n, strings.Join(known, ","))
		}
	}
	return []emulator.Option{emulator.WithServices(names...)}, nil
}
