package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// How `groundstack up` takes the access keys of strict mode.
const (
	envStrict   = "GROUNDSTACK_STRICT_AUTH"
	envKeys     = "GROUNDSTACK_ACCESS_KEYS"      // key:secret,…
	envKeysFile = "GROUNDSTACK_ACCESS_KEYS_FILE" // a file of key:secret lines, mode 0600
	// envKeysFD is set by groundstack itself when it re-executes itself
	// without envKeys: the keys wait on that pipe.
	envKeysFD = "GROUNDSTACK_ACCESS_KEYS_FD"
	// maxKeysBytes bounds what is read of the keys (file, pipe); the pipe
	// takes it without a reader (its buffer is 64 KiB).
	maxKeysBytes = 60 << 10
)

// scrubKeysFromEnvironment makes the keys of GROUNDSTACK_ACCESS_KEYS
// unreadable from outside: os.Unsetenv would not change
// /proc/<pid>/environ, which any process of the same user (a Lambda
// handler reading /proc/$PPID/environ) can read, so groundstack replaces
// itself with itself, without the variable, and hands the keys over a
// pipe. It returns only when there is nothing to scrub or on failure.
func scrubKeysFromEnvironment() error {
	keys, ok := os.LookupEnv(envKeys)
	if !ok {
		return nil
	}
	if len(keys) > maxKeysBytes {
		return fmt.Errorf("%s is longer than %d bytes: put the keys in a file and name it with %s", envKeys, maxKeysBytes, envKeysFile)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot hide %s from other processes: %w", envKeys, err)
	}
	var p [2]int
	if err := unix.Pipe2(p[:], 0); err != nil { // no O_CLOEXEC: the read end survives exec
		return fmt.Errorf("cannot hide %s from other processes: %w", envKeys, err)
	}
	w := os.NewFile(uintptr(p[1]), "keys")
	_, err = io.WriteString(w, keys)
	w.Close()
	if err != nil {
		unix.Close(p[0])
		return fmt.Errorf("cannot hide %s from other processes: %w", envKeys, err)
	}
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != envKeys && k != envKeysFD {
			env = append(env, kv)
		}
	}
	env = append(env, envKeysFD+"="+strconv.Itoa(p[0]))
	err = syscall.Exec(self, os.Args, env)
	unix.Close(p[0])
	return fmt.Errorf("cannot hide %s from other processes: re-exec: %w", envKeys, err)
}

// forbidInspection marks this process non-dumpable, so processes of the
// same user (its own children, function instances among them) cannot read
// its memory or /proc/<pid>/environ. Root is not stopped by it.
func forbidInspection() {
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
}

// accessKeys gathers strict mode's keys: handed over by
// scrubKeysFromEnvironment, and from GROUNDSTACK_ACCESS_KEYS_FILE. It
// returns nil when none is configured.
func accessKeys() (map[string]string, error) {
	keys := map[string]string{}
	if fd := os.Getenv(envKeysFD); fd != "" {
		os.Unsetenv(envKeysFD) // children have no such pipe
		n, err := strconv.Atoi(fd)
		if err != nil || n < 3 {
			return nil, fmt.Errorf("%s=%q: not a file descriptor", envKeysFD, fd)
		}
		f := os.NewFile(uintptr(n), "keys")
		b, err := io.ReadAll(io.LimitReader(f, maxKeysBytes+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the keys of %s: %w", envKeys, err)
		}
		if err := parseKeysInto(keys, string(b), envKeys); err != nil {
			return nil, err
		}
	}
	if path := os.Getenv(envKeysFile); path != "" {
		s, err := readKeysFile(path)
		if err != nil {
			return nil, err
		}
		if err := parseKeysInto(keys, s, envKeysFile+" "+path); err != nil {
			return nil, err
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return keys, nil
}

// newAccessKey makes an AWS-shaped long-term key pair.
func newAccessKey() (id, secret string) {
	return "AKIA" + strings.ToUpper(rand.Text()[:16]), rand.Text() + rand.Text()
}

// readKeysFile reads a keys file that only its owner, this user, can
// read or write, as ssh insists for private keys.
func readKeysFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", envKeysFile, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("%s: %w", envKeysFile, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s: %s is not a regular file", envKeysFile, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s: permissions %04o for %s are too open: it holds secret keys, so it must not be accessible by others (chmod 600 %s)",
			envKeysFile, perm, path, path)
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Getuid() {
		return "", fmt.Errorf("%s: %s belongs to uid %d, not to you (uid %d)", envKeysFile, path, sys.Uid, os.Getuid())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeysBytes+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", envKeysFile, err)
	}
	if len(b) > maxKeysBytes {
		return "", fmt.Errorf("%s: %s is larger than %d bytes", envKeysFile, path, maxKeysBytes)
	}
	return string(b), nil
}

// parseKeys reads "key:secret,key2:secret2" (or one pair a line; lines
// starting with # are comments).
func parseKeys(s string) (map[string]string, error) {
	out := map[string]string{}
	if err := parseKeysInto(out, s, envKeys); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errNoKeys
	}
	return out, nil
}

var errNoKeys = errors.New(envStrict + "=1 needs access keys: " + envKeysFile + "=path (a file of key:secret lines, chmod 600) or " + envKeys + "=key:secret,…")

func parseKeysInto(out map[string]string, s, source string) error {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "#") {
			continue
		}
		for _, pair := range strings.Split(line, ",") {
			if pair = strings.TrimSpace(pair); pair == "" {
				continue
			}
			k, v, ok := strings.Cut(pair, ":")
			if k, v = strings.TrimSpace(k), strings.TrimSpace(v); !ok || k == "" || v == "" {
				// Never the pair itself: it may hold a secret.
				return fmt.Errorf("%s: want key:secret pairs, got an entry without a key or a secret", source)
			}
			out[k] = v
		}
	}
	return nil
}
