package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"golang.org/x/sys/unix"

	"github.com/groundstack/groundstack/harness/sdkclient"
)

// envCredentialsFD names the file descriptor on which groundstack hands
// over the credentials to deploy with (a strict-mode emulator's session):
// access key, secret and session token, one a line.
const envCredentialsFD = "GROUNDSTACK_CREDENTIALS_FD"

// handedCredentials are those credentials, once read; nil means the
// emulator's test credentials.
var handedCredentials aws.CredentialsProvider

// readHandedCredentials reads the credentials groundstack handed over, if
// any, and keeps processes of this user (functions among them) from
// reading them in this one's memory.
func readHandedCredentials() error {
	fd := os.Getenv(envCredentialsFD)
	if fd == "" {
		return nil
	}
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	os.Unsetenv(envCredentialsFD)
	n, err := strconv.Atoi(fd)
	if err != nil || n < 3 {
		return fmt.Errorf("%s=%q: not a file descriptor", envCredentialsFD, fd)
	}
	f := os.NewFile(uintptr(n), "credentials")
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil || len(lines) < 2 || lines[0] == "" || lines[1] == "" {
		return fmt.Errorf("%s: want an access key, a secret and a session token, one a line (%v)", envCredentialsFD, err)
	}
	token := ""
	if len(lines) > 2 {
		token = lines[2]
	}
	handedCredentials = credentials.NewStaticCredentialsProvider(lines[0], lines[1], token)
	return nil
}

// cloudConfig is the SDK config the flows deploy with.
func cloudConfig(endpoint string) aws.Config {
	cfg := sdkclient.Config(endpoint, "")
	if handedCredentials != nil {
		cfg.Credentials = handedCredentials
	}
	return cfg
}
