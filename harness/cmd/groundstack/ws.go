package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// wsReadLimit is the largest message `groundstack ws` accepts: API
// Gateway's 128 KB message limit, with room.
const wsReadLimit = 1 << 20

// headerFlags is a repeatable --header K:V.
type headerFlags http.Header

func (h headerFlags) String() string { return "" }
func (h headerFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("header %q: want Name:value", v)
	}
	http.Header(h).Add(strings.TrimSpace(k), strings.TrimSpace(val))
	return nil
}

const wsUsage = `groundstack ws — a WebSocket client

Usage:
  groundstack ws [--header Name:value]… [--linger 2s] [--timeout 10s] URL

Description:
  A WebSocket client for trying WebSocket APIs (ws:// or wss:// URL): every
line read from stdin is sent as a text message; every message received is
printed on stdout, one a line. At the end of stdin (Ctrl-D) it keeps
printing for --linger, then closes the connection normally; Ctrl-C closes
at once. A refused upgrade is reported with its HTTP status (exit 1).

Examples:
  # the broadcast flow; groundstack up --flows broadcast prints the URL
  groundstack ws 'ws://127.0.0.1:4566/_aws/execute-api/ID/prod?token=TOKEN'
  {"action":"sendmessage","data":"hi"}

Exit status:
  0 the connection closed normally, 1 the upgrade was refused or the
  connection failed, 2 bad usage.

Flags:
`

func runWS(args []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return wsClient(ctx, args, os.Stdin, os.Stdout, os.Stderr)
}

// wsClient is `groundstack ws`, on the given streams.
func wsClient(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ws", flag.ContinueOnError)
	headers := headerFlags{}
	fs.Var(headers, "header", "an HTTP header for the upgrade request, Name:value (repeatable)")
	linger := fs.Duration("linger", 2*time.Second, "how long to keep printing messages after stdin ends")
	timeout := fs.Duration("timeout", 10*time.Second, "how long the connection (and the upgrade) may take")
	fs.Usage = func() { fmt.Fprint(os.Stdout, wsUsage); fs.SetOutput(os.Stdout); fs.PrintDefaults() }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{err: errors.New("ws: want one ws:// or wss:// URL (groundstack ws --help)")}
	}
	target := fs.Arg(0)
	if !strings.HasPrefix(target, "ws://") && !strings.HasPrefix(target, "wss://") {
		return usageError{err: fmt.Errorf("ws: %q is not a ws:// or wss:// URL", target)}
	}
	dctx, cancel := context.WithTimeout(ctx, *timeout)
	conn, resp, err := websocket.Dial(dctx, target, &websocket.DialOptions{HTTPHeader: http.Header(headers)})
	cancel()
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			body := ""
			if resp.Body != nil {
				b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
				body = strings.TrimSpace(string(b))
			}
			if body != "" {
				body = ": " + body
			}
			return fmt.Errorf("ws: the server refused the upgrade: %s%s", resp.Status, body)
		}
		return fmt.Errorf("ws: %w", err)
	}
	conn.SetReadLimit(wsReadLimit)
	fmt.Fprintf(stderr, "connected to %s (type messages, one a line; Ctrl-D or Ctrl-C to close)\n", redactToken(target))

	received := make(chan error, 1)
	go func() { received <- printMessages(ctx, conn, stdout) }()
	sent := make(chan error, 1)
	go func() { sent <- sendLines(ctx, conn, stdin) }()

	select {
	case err := <-received: // the server closed, or the connection broke
		return closedBy(err)
	case err := <-sent:
		if err != nil {
			conn.Close(websocket.StatusInternalError, "send failed")
			return fmt.Errorf("ws: send: %w", err)
		}
		select {
		case err := <-received:
			return closedBy(err)
		case <-time.After(*linger):
		case <-ctx.Done():
		}
	case <-ctx.Done():
	}
	conn.Close(websocket.StatusNormalClosure, "")
	return nil
}

// printMessages prints every message received until the connection ends.
func printMessages(ctx context.Context, conn *websocket.Conn, out io.Writer) error {
	w := bufio.NewWriter(out)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		w.Write(data)
		if len(data) == 0 || data[len(data)-1] != '\n' {
			w.WriteByte('\n')
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
}

// sendLines sends every non-empty line of in as a text message.
func sendLines(ctx context.Context, conn *websocket.Conn, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), wsReadLimit)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		if err := conn.Write(ctx, websocket.MessageText, []byte(line)); err != nil {
			return err
		}
	}
	return sc.Err()
}

// closedBy turns the end of the read loop into the command's result: a
// normal close is success, anything else says how the connection ended.
func closedBy(err error) error {
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure, websocket.StatusGoingAway:
		return nil
	case -1:
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return fmt.Errorf("ws: connection lost: %w", err)
	}
	var ce websocket.CloseError
	errors.As(err, &ce)
	return fmt.Errorf("ws: the server closed the connection: %d %s", ce.Code, ce.Reason)
}

// redactToken hides a token= query value in what is printed.
func redactToken(u string) string {
	base, q, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "token") {
			parts[i] = k + "=…"
		}
	}
	return base + "?" + strings.Join(parts, "&")
}
