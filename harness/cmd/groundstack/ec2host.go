package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/ec2host"
)

// ec2hostOptions are the flags of `groundstack ec2host`.
type ec2hostOptions struct {
	listen         string
	dir            string
	authorizedKeys string // file
	hostKey        string // file; "" generates one
	idleTimeout    time.Duration
	commandTimeout time.Duration
	outputCap      int
	verbose        bool
}

const ec2hostUsage = `groundstack ec2host — one fake EC2 host: SSH and SFTP on a directory

Usage:
  groundstack ec2host --dir DIR --authorized-key-file FILE [--listen 127.0.0.1:2222] [flags]

Description:
  Serves SSH (commands run in DIR, with a bounded run time and output) and
  SFTP (DIR seen as /) to the keys in FILE. The emulator runs one per EC2
  instance; the container backend runs it in each host container. It is
  also useful on its own to try a deploy script.

Examples:
  groundstack ec2host --dir /tmp/host --authorized-key-file ~/.ssh/id_ed25519.pub
  ssh -p 2222 -i ~/.ssh/id_ed25519 ec2-user@127.0.0.1 uname -a

Exit status:
  0 stopped (Ctrl-C, SIGTERM or --idle-timeout), 1 it could not serve, 2 bad
  usage.

Flags:
`

func parseEC2HostFlags(args []string, errOut io.Writer) (ec2hostOptions, error) {
	var o ec2hostOptions
	fs := flag.NewFlagSet("ec2host", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() { fmt.Fprint(os.Stdout, ec2hostUsage); fs.SetOutput(os.Stdout); fs.PrintDefaults() }
	fs.StringVar(&o.listen, "listen", "127.0.0.1:2222", "address to listen on")
	fs.StringVar(&o.dir, "dir", "", "the host's working directory (required; SFTP sees it as /)")
	fs.StringVar(&o.authorizedKeys, "authorized-key-file", "", "authorized_keys file of the keys allowed in (required)")
	fs.StringVar(&o.hostKey, "host-key-file", "", "private host key (OpenSSH or PEM); a fresh ed25519 key when empty")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", 0, "stop and exit after this long with no session (0: never)")
	fs.DurationVar(&o.commandTimeout, "command-timeout", ec2host.DefaultCommandTimeout, "kill a command after this long (exit 124)")
	fs.IntVar(&o.outputCap, "output-cap", ec2host.DefaultOutputCap, "bytes of stdout, and of stderr, a command may send")
	fs.BoolVar(&o.verbose, "v", false, "log connections and commands")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, usageError{err: fmt.Errorf("ec2host: unexpected argument %q", fs.Arg(0))}
	case o.dir == "":
		return o, usageError{err: errors.New("ec2host: --dir is required")}
	case o.authorizedKeys == "":
		return o, usageError{err: errors.New("ec2host: --authorized-key-file is required")}
	case o.idleTimeout < 0 || o.commandTimeout <= 0 || o.outputCap <= 0:
		return o, usageError{err: errors.New("ec2host: --idle-timeout must be ≥ 0, --command-timeout and --output-cap > 0")}
	}
	return o, nil
}

func runEC2Host(args []string) error {
	o, err := parseEC2HostFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveEC2Host(ctx, o, os.Stdout)
}

// serveEC2Host runs one host until ctx ends or it stops for idleness; the
// directory is left in place (it is the caller's).
func serveEC2Host(ctx context.Context, o ec2hostOptions, out io.Writer) error {
	authorized, err := os.ReadFile(o.authorizedKeys)
	if err != nil {
		return err
	}
	var hostKey gossh.Signer
	if o.hostKey != "" {
		pem, err := os.ReadFile(o.hostKey)
		if err != nil {
			return err
		}
		if hostKey, err = gossh.ParsePrivateKey(pem); err != nil {
			return fmt.Errorf("ec2host: host key %s: %w", o.hostKey, err)
		}
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	idle := make(chan struct{})
	h, err := ec2host.New(ec2host.Config{
		Dir:            o.dir,
		AuthorizedKey:  string(authorized),
		HostKey:        hostKey,
		Addr:           o.listen,
		CommandTimeout: o.commandTimeout,
		OutputCap:      o.outputCap,
		IdleTimeout:    o.idleTimeout,
		OnIdle:         func() { close(idle) },
		Logger:         slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		return err
	}
	if err := h.Start(); err != nil {
		return err
	}
	defer h.Stop()
	fmt.Fprintf(out, "ec2host listening on %s\n", h.Addr())
	fmt.Fprintf(out, "host key: %s\n", h.HostKey())
	select {
	case <-ctx.Done():
	case <-idle:
		fmt.Fprintf(out, "ec2host: no session for %s, stopped\n", o.idleTimeout)
	}
	return nil
}
