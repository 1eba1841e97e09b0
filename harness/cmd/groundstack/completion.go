package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// command is one of groundstack's subcommands.
type command struct {
	name, summary string
	subs          []string // its own subcommands (faults add|list|clear)
	flags         []string // its flags, for completion (TestEveryCommandsHelp checks them against --help)
}

// commands are groundstack's subcommands in the order the help lists them;
// completion and the help test walk this list, so a command added to main
// and not here fails that test.
var commands = []command{
	{name: "up", summary: "start the cloud in the foreground",
		flags: []string{"port", "host", "mqtt-port", "flows", "watch", "no-demo-data", "init-dir", "data-dir", "fsync", "ws-idle-timeout", "ws-max-lifetime", "v"}},
	{name: "status", summary: "what a running cloud serves and holds", flags: []string{"endpoint", "json"}},
	{name: "logs", summary: "a function's or a log group's events",
		flags: []string{"follow", "f", "since", "filter", "color", "endpoint", "region"}},
	{name: "awslocal", summary: "the aws CLI against the local cloud"},
	{name: "faults", summary: "inject failures: add, list or clear rules", subs: []string{"add", "list", "clear"},
		flags: []string{"endpoint", "id", "service", "operation", "resource", "region", "error", "status", "message", "latency",
			"latency-max", "drop", "crash", "target", "probability", "duration", "times"}},
	{name: "snapshot", summary: "save the cloud's state to a file, or load one", subs: []string{"save", "load"},
		flags: []string{"endpoint", "gzip", "replace"}},
	{name: "load", summary: "drive the deliveries flow with a growth profile",
		flags: []string{"profile", "duration", "clients", "target", "out", "seed", "shard", "threshold", "fault", "thresholds", "user",
			"password", "api-name", "stage", "budget", "max-in-flight", "quiet", "cpuprofile", "events", "events-rate",
			"events-share", "events-endpoint", "region", "events-warmup", "collector-listen", "collector-host"}},
	{name: "bench-events", summary: "event freshness per messaging path",
		flags: []string{"endpoint", "region", "paths", "idle", "rate", "duration", "deadline", "warmup", "out",
			"collector-listen", "collector-host", "server-pid", "consumers", "quiet", "cpuprofile"}},
	{name: "ws", summary: "a WebSocket client: stdin lines sent, messages printed", flags: []string{"header", "linger", "timeout"}},
	{name: "ec2host", summary: "one fake EC2 host (SSH and SFTP)",
		flags: []string{"listen", "dir", "authorized-key-file", "host-key-file", "idle-timeout", "command-timeout", "output-cap", "v"}},
	{name: "coverage", summary: "per service, the AWS operations served", flags: []string{"out", "conformance"}},
	{name: "completion", summary: "a shell completion script: bash, zsh or fish", subs: []string{"bash", "zsh", "fish"}},
	{name: "version", summary: "the version, Go release and platform"},
	{name: "help", summary: "this overview"},
}

const completionUsage = `groundstack completion — print a shell completion script

Usage:
  groundstack completion bash|zsh|fish

Description:
  Prints a script that completes groundstack's subcommands, their own
  subcommands (faults add, snapshot save…) and their flags in the shell
  named. It reads nothing and changes nothing: install it as below.

Examples:
  # bash (needs bash-completion; or add the eval line to ~/.bashrc)
  groundstack completion bash > ~/.local/share/bash-completion/completions/groundstack
  eval "$(groundstack completion bash)"

  # zsh: a file named _groundstack in a directory of $fpath
  groundstack completion zsh > "${fpath[1]}/_groundstack"   # then: compinit

  # fish
  groundstack completion fish > ~/.config/fish/completions/groundstack.fish

Exit status:
  0 the script was printed, 2 no shell or an unknown one was named.

Flags:
  none
`

// runCompletion is `groundstack completion SHELL`.
func runCompletion(args []string, stdout io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, completionUsage)
		return nil
	}
	if len(args) != 1 {
		return usageError{err: errors.New("completion: name one shell: bash, zsh or fish")}
	}
	switch args[0] {
	case "bash":
		return bashCompletion(stdout)
	case "zsh":
		return zshCompletion(stdout)
	case "fish":
		return fishCompletion(stdout)
	}
	return usageError{err: fmt.Errorf("completion: unknown shell %q (bash, zsh or fish)", args[0])}
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// dashed is a command's flags as the shell completes them ("--port").
func dashed(c command) []string {
	out := make([]string, 0, len(c.flags)+1)
	for _, f := range c.flags {
		if len(f) > 1 {
			out = append(out, "--"+f)
		} else {
			out = append(out, "-"+f)
		}
	}
	out = append(out, "--help")
	sort.Strings(out)
	return out
}

func bashCompletion(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# bash completion for groundstack (groundstack completion bash)\n")
	b.WriteString("_groundstack() {\n")
	b.WriteString("\tlocal cur=${COMP_WORDS[COMP_CWORD]} words\n")
	b.WriteString("\tif [[ $COMP_CWORD -eq 1 ]]; then\n")
	fmt.Fprintf(&b, "\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n\t\treturn\n\tfi\n", strings.Join(commandNames(), " "))
	b.WriteString("\tcase ${COMP_WORDS[1]} in\n")
	for _, c := range commands {
		if c.name == "awslocal" {
			continue // the aws CLI's own arguments
		}
		fmt.Fprintf(&b, "\t%s)\n", c.name)
		if len(c.subs) > 0 {
			fmt.Fprintf(&b, "\t\tif [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", strings.Join(c.subs, " "))
		}
		fmt.Fprintf(&b, "\t\twords=%q ;;\n", strings.Join(dashed(c), " "))
	}
	b.WriteString("\t*) return ;;\n\tesac\n")
	b.WriteString("\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\telse\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n}\n")
	b.WriteString("complete -o default -F _groundstack groundstack\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func zshCompletion(w io.Writer) error {
	var b strings.Builder
	b.WriteString("#compdef groundstack\n# zsh completion for groundstack (groundstack completion zsh)\n\n")
	b.WriteString("_groundstack() {\n\tlocal -a cmds\n\tcmds=(\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "\t\t%s\n", zshQuote(c.name+":"+c.summary))
	}
	b.WriteString("\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe 'command' cmds\n\t\treturn\n\tfi\n")
	b.WriteString("\tcase $words[2] in\n")
	for _, c := range commands {
		if c.name == "awslocal" {
			continue
		}
		fmt.Fprintf(&b, "\t%s)\n", c.name)
		if len(c.subs) > 0 {
			fmt.Fprintf(&b, "\t\tif (( CURRENT == 3 )); then compadd -- %s; return; fi\n", strings.Join(c.subs, " "))
		}
		fmt.Fprintf(&b, "\t\tif [[ $PREFIX == -* ]]; then compadd -- %s; else _files; fi\n\t\t;;\n", strings.Join(dashed(c), " "))
	}
	b.WriteString("\tesac\n}\n\n")
	// Loaded from $fpath the file is the function; sourced, it registers it.
	b.WriteString("if [[ ${funcstack[1]} == _groundstack ]]; then\n\t_groundstack \"$@\"\nelse\n\tcompdef _groundstack groundstack\nfi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func fishCompletion(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# fish completion for groundstack (groundstack completion fish)\n")
	b.WriteString("complete -c groundstack -f\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "complete -c groundstack -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range commands {
		if c.name == "awslocal" {
			continue
		}
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, s := range c.subs {
			fmt.Fprintf(&b, "complete -c groundstack -n %s -a %s\n", cond, s)
		}
		for _, f := range c.flags {
			if len(f) > 1 {
				fmt.Fprintf(&b, "complete -c groundstack -n %s -l %s\n", cond, f)
			} else {
				fmt.Fprintf(&b, "complete -c groundstack -n %s -s %s\n", cond, f)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// zshQuote and fishQuote single-quote s for their shells.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
