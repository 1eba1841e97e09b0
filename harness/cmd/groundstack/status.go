package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/groundstack/groundstack/harness/emulator/control"
)

const statusUsage = `groundstack status — what a running groundstack serves, and what it holds

Usage:
  groundstack status [--endpoint URL] [--json]

Description:
  Asks the cloud at the endpoint for its health (GET /_groundstack/health) and
  its resources (GET /_groundstack/state) and prints the endpoint (and the
  MQTT broker's address), the emulator's version and uptime, its data directory when it reports one, its
  capabilities, and a line per service: running (its API answers) or disabled
  (left out by GROUNDSTACK_SERVICES), with the resources it holds (buckets,
  tables, queues…). A table whose resources are a map of names lists how many.

  The endpoint is --endpoint, else GROUNDSTACK_ENDPOINT, else AWS_ENDPOINT_URL,
  else http://127.0.0.1:$GROUNDSTACK_PORT (4566). In strict mode the state
  call is signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; without
  them status prints the services without their resources.

Examples:
  groundstack status
  groundstack status --endpoint http://127.0.0.1:4577
  groundstack status --json | jq .state.services.s3

Exit status:
  0 the cloud answered, 1 no cloud answers at the endpoint, 2 bad usage.

Flags:
`

// runStatus is `groundstack status`.
func runStatus(args []string, stdout io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	endpoint := fs.String("endpoint", awslocalEndpoint(getenv), "the groundstack endpoint")
	asJSON := fs.Bool("json", false, "print the health and state answers as one JSON object")
	fs.Usage = func() { fmt.Fprint(stdout, statusUsage); fs.SetOutput(stdout); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError{err: fmt.Errorf("status: unexpected argument %q", fs.Arg(0))}
	}
	ep := strings.TrimRight(*endpoint, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var health statusHealth
	if err := getControl(ctx, ep, control.PathHealth, nil, "", &health); err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("no groundstack answers at %s (is groundstack up running? is the endpoint right?)", ep)
		}
		return fmt.Errorf("status: %s: %w", ep, err)
	}
	var state struct {
		Services map[string]map[string]any `json:"services"`
	}
	var creds *credentials.StaticCredentialsProvider
	if key, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"); key != "" && secret != "" {
		c := credentials.NewStaticCredentialsProvider(key, secret, getenv("AWS_SESSION_TOKEN"))
		creds = &c
	}
	stateErr := getControl(ctx, ep, control.PathState, creds, getenv("AWS_REGION"), &state)
	if *asJSON {
		out := map[string]any{"endpoint": ep, "health": health.raw, "state": state}
		if stateErr != nil {
			out["stateError"] = stateErr.Error()
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		_, err := fmt.Fprintln(stdout, string(b))
		return err
	}
	fmt.Fprintf(stdout, "endpoint      %s\n", ep)
	for _, k := range slices.Sorted(maps.Keys(health.Endpoints)) {
		if k != "edge" {
			fmt.Fprintf(stdout, "%-13s %s\n", k, health.Endpoints[k])
		}
	}
	fmt.Fprintf(stdout, "version       %s\n", health.Version)
	fmt.Fprintf(stdout, "uptime        %s\n", (time.Duration(health.Uptime * float64(time.Second))).Round(time.Second))
	if health.DataDir != "" {
		fmt.Fprintf(stdout, "data dir      %s\n", health.DataDir)
	}
	fmt.Fprintf(stdout, "capabilities  %s\n", strings.Join(health.Capabilities, ", "))
	if stateErr != nil {
		fmt.Fprintf(stdout, "resources     unknown: %v\n", stateErr)
	}
	fmt.Fprintln(stdout)
	names := slices.Clone(health.Services)
	for n := range state.Services {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tSTATE\tRESOURCES")
	for _, n := range names {
		st := "running"
		if !slices.Contains(health.Services, n) {
			st = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", n, st, resources(state.Services[n]))
	}
	return tw.Flush()
}

// statusHealth is what status reads of GET /_groundstack/health.
type statusHealth struct {
	Version      string            `json:"version"`
	Uptime       float64           `json:"uptime_s"`
	Services     []string          `json:"services"`
	Capabilities []string          `json:"capabilities"`
	Endpoints    map[string]string `json:"endpoints"`
	DataDir      string            `json:"dataDir"`
	raw          json.RawMessage
}

// resources words a service's summary: "buckets 2, objects 5"; a map
// (tables by name) counts its entries; what is neither is left out.
func resources(summary map[string]any) string {
	keys := make([]string, 0, len(summary))
	for k := range summary {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		switch v := summary[k].(type) {
		case float64:
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), int64(v)))
		case map[string]any:
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), len(v)))
		case []any:
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), len(v)))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// getControl GETs a control-plane path into v, signed when creds is set.
func getControl(ctx context.Context, endpoint, path string, creds *credentials.StaticCredentialsProvider, region string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+path, nil)
	if err != nil {
		return err
	}
	if creds != nil {
		c, err := creds.Retrieve(ctx)
		if err != nil {
			return err
		}
		if region == "" {
			region = "us-east-1"
		}
		sum := sha256.Sum256(nil)
		if err := v4.NewSigner().SignHTTP(ctx, c, req, hex.EncodeToString(sum[:]), control.SigningName, region, time.Now()); err != nil {
			return err
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &e)
		msg := e.Error + e.Message
		if msg == "" {
			msg = strings.TrimSpace(string(body))
		}
		return fmt.Errorf("%s answered %s: %s", path, resp.Status, msg)
	}
	if h, ok := v.(*statusHealth); ok {
		h.raw = body
	}
	return json.Unmarshal(body, v)
}
