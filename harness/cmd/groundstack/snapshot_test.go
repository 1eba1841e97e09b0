package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// groundstack snapshot save, then load into another groundstack, both in
// strict mode: signed with AWS_ACCESS_KEY_ID, refused without it.
func TestSnapshotCommand(t *testing.T) {
	ctx := context.Background()
	keys := map[string]string{sdkclient.AccessKey: sdkclient.SecretKey}
	start := func() (*emulator.Emulator, func(string) string) {
		e := emulator.New(emulator.WithStrictAuth(keys))
		if err := e.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e, func(k string) string {
			switch k {
			case "GROUNDSTACK_ENDPOINT":
				return e.URL()
			case "AWS_ACCESS_KEY_ID":
				return sdkclient.AccessKey
			case "AWS_SECRET_ACCESS_KEY":
				return sdkclient.SecretKey
			}
			return ""
		}
	}
	a, aenv := start()
	cfg := sdkclient.Config(a.URL(), "us-east-1")
	if _, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.snapshot")
	var out bytes.Buffer
	unsigned := func(k string) string {
		if strings.HasPrefix(k, "AWS_") {
			return ""
		}
		return aenv(k)
	}
	if err := runSnapshot([]string{"save", file}, nil, &out, unsigned); err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("an unsigned save in strict mode: %v", err)
	}
	if err := runSnapshot([]string{"save", file}, nil, &out, aenv); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); !strings.HasPrefix(string(b), "groundstack-snapshot v1\n") {
		t.Fatalf("saved %.60q", b)
	}

	b, benv := start()
	out.Reset()
	if err := runSnapshot([]string{"load", file}, nil, &out, benv); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "loaded ") || !strings.Contains(out.String(), " dynamodb, ") || !strings.Contains(out.String(), ", sqs into 1 account(s)") || !strings.Contains(out.String(), "warning: ") {
		t.Errorf("load printed %q", out.String())
	}
	if _, err := sqs.NewFromConfig(sdkclient.Config(b.URL(), "us-east-1")).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("kept")}); err != nil {
		t.Errorf("the loaded queue: %v", err)
	}
	if err := runSnapshot([]string{"load", file}, nil, &out, benv); err == nil || !strings.Contains(err.Error(), "409") || !strings.Contains(err.Error(), "--replace") {
		t.Errorf("loading into a non-empty groundstack: %v", err)
	}
	if err := runSnapshot([]string{"load", "--replace", file}, nil, &out, benv); err != nil {
		t.Errorf("--replace: %v", err)
	}
	if err := runSnapshot([]string{"load"}, nil, &out, benv); err == nil {
		t.Error("load without a file was accepted")
	}
}
