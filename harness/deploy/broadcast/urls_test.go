package broadcast

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/groundstack/groundstack/handlers/broadcast/chat"
)

func TestURLsOnAnEmulatorAndOnAWS(t *testing.T) {
	st := Names(DefaultName)
	st.APIID, st.Stage, st.Token = "a1b2c3", "prod", "t+k/n="
	st.setURLs(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:4566")})
	for name, got := range map[string][2]string{
		"url":             {st.URL, "ws://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod"},
		"host url":        {st.HostURL, "ws://a1b2c3.execute-api.localhost.localstack.cloud:4566/prod"},
		"management":      {st.ManagementURL, "http://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod"},
		"management host": {st.ManagementHostURL, "http://a1b2c3.execute-api.localhost.localstack.cloud:4566/prod"},
		"connect url":     {st.ConnectURL(), "ws://127.0.0.1:4566/_aws/execute-api/a1b2c3/prod?token=t%2Bk%2Fn%3D"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s: %q, want %q", name, got[0], got[1])
		}
	}
	st.setURLs(aws.Config{Region: "eu-west-1"})
	if st.URL != "wss://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod" || st.ManagementURL != "https://a1b2c3.execute-api.eu-west-1.amazonaws.com/prod" {
		t.Errorf("on AWS: %q %q", st.URL, st.ManagementURL)
	}
}

// The functions read the tables' names from the environment Deploy gives
// them, and the names are the flow spec's.
func TestTheFunctionsUseTheStacksTables(t *testing.T) {
	st := Names(DefaultName)
	if st.ConnectionsTable != "Connections" || st.MessagesTable != "Messages" {
		t.Fatalf("tables %q %q", st.ConnectionsTable, st.MessagesTable)
	}
	env := map[string]string{"CONNECTIONS_TABLE": st.ConnectionsTable, "MESSAGES_TABLE": st.MessagesTable}
	s := chat.SettingsFromEnv(func(k string) string { return env[k] })
	if s.ConnectionsTable != st.ConnectionsTable || s.MessagesTable != st.MessagesTable {
		t.Fatalf("settings %+v", s)
	}
	if len(st.Functions) != 3 || st.Functions["sendmessage"] != "broadcast-sendmessage" {
		t.Fatalf("functions %v", st.Functions)
	}
}
