package iot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// /mqtt is the broker's only for MQTT WebSocket upgrades: unsigned
// path-style requests for a bucket named "mqtt" reach S3.
func TestMQTTPathIsS3UnlessWebSocketUpgrade(t *testing.T) {
	t.Parallel()
	c := start(t)
	s3c := s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(bg, &s3.CreateBucketInput{Bucket: aws.String("mqtt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(bg, &s3.PutObjectInput{Bucket: aws.String("mqtt"), Key: aws.String("k"), Body: strings.NewReader("in the bucket")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		header     map[string]string
		want       string
	}{
		{name: "object", path: "/mqtt/k", want: "in the bucket"},
		{name: "listing", path: "/mqtt", want: "<Key>k</Key>"},
		{name: "websocket without the mqtt subprotocol", path: "/mqtt/k", want: "in the bucket",
			header: map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, c.e.URL()+tc.path, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
				t.Fatalf("GET %s: %d %s", tc.path, resp.StatusCode, body)
			}
		})
	}
	// …while an MQTT WebSocket upgrade on the same path reaches the broker.
	creds := c.e.MQTT().Credentials()
	ws := paho.NewClient(paho.NewClientOptions().AddBroker("ws://" + strings.TrimPrefix(c.e.URL(), "http://") + "/mqtt").
		SetClientID("ws-beside-bucket").SetUsername(creds.Username).SetPassword(creds.Password).SetAutoReconnect(false))
	if tok := ws.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("ws connect: %v", tok.Error())
	}
	ws.Disconnect(50)
}

// presignMQTT presigns ws://<edge>/mqtt for iotdevicegateway as IoT Core
// clients do (the SDK's v4 signer, the empty payload's hash).
func presignMQTT(t *testing.T, edge string, creds aws.Credentials, expires bool) string {
	t.Helper()
	u := "http://" + strings.TrimPrefix(edge, "http://") + "/mqtt"
	if expires {
		u += "?X-Amz-Expires=300"
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	empty := sha256.Sum256(nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hex.EncodeToString(empty[:]),
		"iotdevicegateway", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return "ws://" + strings.TrimPrefix(signed, "http://")
}

// IoT Core clients connect to a SigV4-presigned /mqtt URL with no MQTT
// username or password: strict mode verifies the signature, the default
// mode accepts any well-formed one.
func TestPresignedMQTTOverWebSocket(t *testing.T) {
	t.Parallel()
	const key, secret = "AKIASTRICTTEST000002", "strict-secret"
	strict, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{key: secret}))
	lax, _ := emutest.Start(t)
	good := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	for _, tc := range []struct {
		name    string
		e       *emulator.Emulator
		url     func(edge string) string
		connect bool
	}{
		{"strict, signed", strict, func(ep string) string { return presignMQTT(t, ep, good, true) }, true},
		{"strict, no X-Amz-Expires as the device SDKs sign", strict, func(ep string) string { return presignMQTT(t, ep, good, false) }, true},
		{"strict, wrong secret", strict, func(ep string) string {
			return presignMQTT(t, ep, aws.Credentials{AccessKeyID: key, SecretAccessKey: "wrong"}, true)
		}, false},
		{"strict, unknown key", strict, func(ep string) string {
			return presignMQTT(t, ep, aws.Credentials{AccessKeyID: "AKIANOBODY0000000000", SecretAccessKey: secret}, true)
		}, false},
		{"default mode, any well-formed signature", lax, func(ep string) string {
			return presignMQTT(t, ep, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, false)
		}, true},
		{"default mode, malformed signature", lax, func(ep string) string {
			u := presignMQTT(t, ep, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, false)
			i := strings.Index(u, "X-Amz-Signature=")
			return u[:i] + "X-Amz-Signature=not-hex"
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan string, 1)
			cl := paho.NewClient(paho.NewClientOptions().AddBroker(tc.url(tc.e.URL())).SetClientID("device-" + tc.name).
				SetAutoReconnect(false).SetConnectRetry(false))
			tok := cl.Connect()
			if !tok.WaitTimeout(10 * time.Second) {
				t.Fatal("connect timed out")
			}
			if !tc.connect {
				if tok.Error() == nil {
					cl.Disconnect(50)
					t.Fatal("connected")
				}
				return
			}
			if tok.Error() != nil {
				t.Fatalf("connect: %v", tok.Error())
			}
			defer cl.Disconnect(50)
			if tok := cl.Subscribe("devices/+/state", 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				t.Fatalf("subscribe: %v", tok.Error())
			}
			if tok := cl.Publish("devices/d1/state", 1, false, "on"); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				t.Fatalf("publish: %v", tok.Error())
			}
			select {
			case p := <-got:
				if p != "on" {
					t.Fatalf("got %q", p)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("own message never came back")
			}
		})
	}
}
