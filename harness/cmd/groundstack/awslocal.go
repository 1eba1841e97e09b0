package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
)

// runAWSLocal runs the aws CLI against the local edge, like LocalStack's
// awslocal: arguments are passed through as argv, never through a shell.
func runAWSLocal(args []string) error {
	bin, err := exec.LookPath("aws")
	if err != nil {
		return errors.New("the aws CLI is not installed (Debian: apt-get install awscli)")
	}
	endpoint := envStr("GROUNDSTACK_ENDPOINT", fmt.Sprintf("http://127.0.0.1:%d", envInt("GROUNDSTACK_PORT", 4566)))
	cmd := exec.Command(bin, append([]string{"--endpoint-url", endpoint}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = os.Environ()
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test")
	}
	if os.Getenv("AWS_DEFAULT_REGION") == "" && os.Getenv("AWS_REGION") == "" {
		cmd.Env = append(cmd.Env, "AWS_DEFAULT_REGION=us-east-1")
	}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			os.Exit(ee.ExitCode())
		}
		return err
	}
	return nil
}
