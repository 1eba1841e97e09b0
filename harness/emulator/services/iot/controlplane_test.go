package iot_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iotapi "github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

func apiErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	var re *smithyhttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("want %s (%d), got %v", code, status, err)
	}
}

func TestTopicRulesThroughTheCLI(t *testing.T) {
	t.Parallel()
	c := start(t)
	ep := c.e.URL()
	_, stderr, code := emutest.CLI(t, ep, "iot", "create-topic-rule", "--rule-name", "bad",
		"--topic-rule-payload", `{"sql":"SELECT * FORM 'a/b'","actions":[]}`)
	if code == 0 || !strings.Contains(stderr, "SqlParseException") {
		t.Fatalf("invalid SQL: code %d, %s", code, stderr)
	}
	payload := `{"sql":"SELECT * FROM 'a/b'","actions":[{"lambda":{"functionArn":"arn:aws:lambda:us-east-1:000000000000:function:f"}}],"description":"d"}`
	if _, stderr, code := emutest.CLI(t, ep, "iot", "create-topic-rule", "--rule-name", "r", "--topic-rule-payload", payload); code != 0 {
		t.Fatal(stderr)
	}
	_, stderr, code = emutest.CLI(t, ep, "iot", "create-topic-rule", "--rule-name", "r", "--topic-rule-payload", payload)
	if code == 0 || !strings.Contains(stderr, "ResourceAlreadyExistsException") {
		t.Fatalf("duplicate: %s", stderr)
	}
	out, stderr, code := emutest.CLI(t, ep, "iot", "get-topic-rule", "--rule-name", "r")
	if code != 0 {
		t.Fatal(stderr)
	}
	var got struct {
		RuleArn string
		Rule    struct {
			RuleName, Sql, Description, AwsIotSqlVersion string
			RuleDisabled                                 bool
			Actions                                      []map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.RuleArn != "arn:aws:iot:us-east-1:000000000000:rule/r" || got.Rule.Sql != "SELECT * FROM 'a/b'" || got.Rule.Description != "d" ||
		got.Rule.AwsIotSqlVersion != "2015-10-08" || got.Rule.RuleDisabled || got.Rule.Actions[0]["lambda"]["functionArn"] == "" {
		t.Fatalf("get-topic-rule %s", out)
	}
	if _, stderr, code := emutest.CLI(t, ep, "iot", "disable-topic-rule", "--rule-name", "r"); code != 0 {
		t.Fatal(stderr)
	}
	out, _, _ = emutest.CLI(t, ep, "iot", "list-topic-rules", "--rule-disabled")
	if !strings.Contains(out, `"topicPattern": "a/b"`) || !strings.Contains(out, `"ruleDisabled": true`) {
		t.Fatalf("list-topic-rules %s", out)
	}
	if _, stderr, code := emutest.CLI(t, ep, "iot", "delete-topic-rule", "--rule-name", "r"); code != 0 {
		t.Fatal(stderr)
	}
	_, stderr, code = emutest.CLI(t, ep, "iot", "get-topic-rule", "--rule-name", "r")
	if code == 0 || !strings.Contains(stderr, "UnauthorizedException") {
		t.Fatalf("deleted rule: %s", stderr)
	}
	out, _, _ = emutest.CLI(t, ep, "iot", "describe-endpoint", "--endpoint-type", "iot:Data-ATS")
	if !strings.Contains(out, c.e.MQTT().Addr()) {
		t.Fatalf("describe-endpoint %s", out)
	}
}

func TestControlPlaneSDK(t *testing.T) {
	c := start(t)
	_, err := c.iot.CreateTopicRule(bg, &iotapi.CreateTopicRuleInput{RuleName: aws.String("r"),
		TopicRulePayload: &iottypes.TopicRulePayload{Sql: aws.String("SELECT nope( FROM 'a'"), Actions: []iottypes.Action{}}})
	apiErr(t, err, "SqlParseException", 400)
	_, err = c.iot.CreateTopicRule(bg, &iotapi.CreateTopicRuleInput{RuleName: aws.String("bad-name"),
		TopicRulePayload: &iottypes.TopicRulePayload{Sql: aws.String("SELECT * FROM 'a'"), Actions: []iottypes.Action{}}})
	apiErr(t, err, "InvalidRequestException", 400)
	_, err = c.iot.CreateTopicRule(bg, &iotapi.CreateTopicRuleInput{RuleName: aws.String("r"),
		TopicRulePayload: &iottypes.TopicRulePayload{Sql: aws.String("SELECT * FROM 'a'"), Actions: []iottypes.Action{{
			Lambda: &iottypes.LambdaAction{FunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")},
			Sns:    &iottypes.SnsAction{TargetArn: aws.String("arn:aws:sns:us-east-1:000000000000:t"), RoleArn: aws.String(role)}}}}})
	apiErr(t, err, "InvalidRequestException", 400)
	_, err = c.iot.ReplaceTopicRule(bg, &iotapi.ReplaceTopicRuleInput{RuleName: aws.String("absent"),
		TopicRulePayload: &iottypes.TopicRulePayload{Sql: aws.String("SELECT * FROM 'a'"), Actions: []iottypes.Action{}}})
	apiErr(t, err, "UnauthorizedException", 401)

	th, err := c.iot.CreateThing(bg, &iotapi.CreateThingInput{ThingName: aws.String("sensor-1"),
		AttributePayload: &iottypes.AttributePayload{Attributes: map[string]string{"room": "kitchen"}}})
	if err != nil || aws.ToString(th.ThingArn) != "arn:aws:iot:us-east-1:000000000000:thing/sensor-1" || aws.ToString(th.ThingId) == "" {
		t.Fatalf("create-thing %+v %v", th, err)
	}
	_, err = c.iot.CreateThing(bg, &iotapi.CreateThingInput{ThingName: aws.String("sensor-1"),
		AttributePayload: &iottypes.AttributePayload{Attributes: map[string]string{"room": "hall"}}})
	apiErr(t, err, "ResourceAlreadyExistsException", 409)
	d, err := c.iot.DescribeThing(bg, &iotapi.DescribeThingInput{ThingName: aws.String("sensor-1")})
	if err != nil || d.Attributes["room"] != "kitchen" || d.Version != 1 || aws.ToString(d.DefaultClientId) != "sensor-1" {
		t.Fatalf("describe-thing %+v %v", d, err)
	}
	l, err := c.iot.ListThings(bg, &iotapi.ListThingsInput{AttributeName: aws.String("room"), AttributeValue: aws.String("kitchen")})
	if err != nil || len(l.Things) != 1 {
		t.Fatalf("list-things %+v %v", l, err)
	}
	for _, prefix := range []bool{false, true} {
		l, err = c.iot.ListThings(bg, &iotapi.ListThingsInput{AttributeName: aws.String("room"), AttributeValue: aws.String("kit"), UsePrefixAttributeValue: prefix})
		if want := map[bool]int{false: 0, true: 1}[prefix]; err != nil || len(l.Things) != want {
			t.Fatalf("list-things usePrefixAttributeValue=%v: %+v %v, want %d things", prefix, l, err, want)
		}
	}
	_, err = c.iot.DeleteThing(bg, &iotapi.DeleteThingInput{ThingName: aws.String("sensor-1"), ExpectedVersion: aws.Int64(7)})
	apiErr(t, err, "VersionConflictException", 409)
	if _, err := c.iot.DeleteThing(bg, &iotapi.DeleteThingInput{ThingName: aws.String("sensor-1")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.iot.DescribeThing(bg, &iotapi.DescribeThingInput{ThingName: aws.String("sensor-1")})
	apiErr(t, err, "ResourceNotFoundException", 404)
	e, err := c.iot.DescribeEndpoint(bg, &iotapi.DescribeEndpointInput{EndpointType: aws.String("iot:Data-ATS")})
	if err != nil || aws.ToString(e.EndpointAddress) != c.e.MQTT().Addr() {
		t.Fatalf("describe-endpoint %v %v", e, err)
	}
	_, err = c.iot.DescribeEndpoint(bg, &iotapi.DescribeEndpointInput{EndpointType: aws.String("iot:Nope")})
	apiErr(t, err, "InvalidRequestException", 400)
}

// iot-data through the CLI (v1 sends --payload as given; v2 needs
// --cli-binary-format raw-in-base64-out for text): publish reaches MQTT
// subscribers, retain keeps it for get-retained-message.
func TestIoTDataThroughTheCLI(t *testing.T) {
	t.Parallel()
	c := start(t)
	ep := c.e.URL()
	sub := c.mqtt(t, "listener")
	got := make(chan paho.Message, 2)
	if tok := sub.Subscribe("fixtures/#", 1, func(_ paho.Client, m paho.Message) { got <- m }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	if _, stderr, code := emutest.CLI(t, ep, "iot-data", "publish", "--topic", "fixtures/requests", "--qos", "1", "--retain", "--payload", `{"id":1}`); code != 0 {
		t.Fatal(stderr)
	}
	select {
	case m := <-got:
		if m.Topic() != "fixtures/requests" || string(m.Payload()) != `{"id":1}` {
			t.Fatalf("subscriber got %s %s", m.Topic(), m.Payload())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("iot-data publish did not reach the subscriber")
	}
	out, stderr, code := emutest.CLI(t, ep, "iot-data", "get-retained-message", "--topic", "fixtures/requests")
	if code != 0 || !strings.Contains(out, `"payload": "eyJpZCI6MX0="`) || !strings.Contains(out, `"qos": 1`) {
		t.Fatalf("get-retained-message %s %s", out, stderr)
	}
	_, stderr, code = emutest.CLI(t, ep, "iot-data", "get-retained-message", "--topic", "nothing/here")
	if code == 0 || !strings.Contains(stderr, "ResourceNotFoundException") {
		t.Fatalf("missing retained: %s", stderr)
	}
	out, _, _ = emutest.CLI(t, ep, "iot-data", "list-retained-messages")
	if !strings.Contains(out, `"topic": "fixtures/requests"`) || strings.Contains(out, "$SYS") {
		t.Fatalf("list-retained-messages %s", out)
	}
	// An oversize payload is refused as AWS refuses it.
	req, _ := http.NewRequest(http.MethodPost, ep+"/topics/big", strings.NewReader(strings.Repeat("x", 128*1024+1)))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iotdata/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 || resp.Header.Get("X-Amzn-Errortype") == "" && resp.StatusCode != 413 {
		t.Fatalf("oversize publish: %d", resp.StatusCode)
	}
}

// MQTT over WebSockets on the edge's /mqtt, with the broker's credentials.
func TestWebSocketOnTheEdge(t *testing.T) {
	c := start(t)
	creds := c.e.MQTT().Credentials()
	ws := paho.NewClient(paho.NewClientOptions().AddBroker("ws://" + strings.TrimPrefix(c.e.URL(), "http://") + "/mqtt").
		SetClientID("browser").SetUsername(creds.Username).SetPassword(creds.Password).SetAutoReconnect(false))
	if tok := ws.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("ws connect: %v", tok.Error())
	}
	defer ws.Disconnect(50)
	got := make(chan string, 1)
	if tok := ws.Subscribe("edge/+", 1, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatal(tok.Error())
	}
	publish(t, c.mqtt(t, "tcp-client"), "edge/x", "over the edge")
	select {
	case p := <-got:
		if p != "over the edge" {
			t.Fatalf("got %q", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing over WebSockets")
	}
}

// In strict SigV4 mode the control plane and iot-data want signatures,
// while MQTT over WebSockets on /mqtt stays reachable and is guarded by the
// broker's own credentials.
func TestStrictMode(t *testing.T) {
	e, _ := emutest.Start(t, emulator.WithStrictAuth(map[string]string{"AKIASTRICTTEST000001": "strict-secret"}))
	resp, err := http.Get(e.URL() + "/endpoint?endpointType=iot:Data-ATS")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		t.Fatalf("unsigned describe-endpoint answered %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/topics/a", strings.NewReader("x"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iotdata/aws4_request, SignedHeaders=host, Signature=0")
	resp2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode/100 == 2 {
		t.Fatalf("unsigned iot-data publish accepted: %d", resp2.StatusCode)
	}
	creds := e.MQTT().Credentials()
	url := "ws://" + strings.TrimPrefix(e.URL(), "http://") + "/mqtt"
	good := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("ok").SetUsername(creds.Username).SetPassword(creds.Password).SetAutoReconnect(false))
	if tok := good.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("ws connect in strict mode: %v", tok.Error())
	}
	good.Disconnect(50)
	bad := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("bad").SetUsername(creds.Username).SetPassword("wrong").SetAutoReconnect(false))
	if tok := bad.Connect(); tok.WaitTimeout(10*time.Second) && tok.Error() == nil {
		t.Fatal("wrong password accepted over WebSockets")
	}
}

// Every topic-rule operation answers a missing rule with
// UnauthorizedException (401), as AWS does (botocore's model lists no
// ResourceNotFoundException for them).
func TestMissingRuleIsUnauthorized(t *testing.T) {
	t.Parallel()
	c := start(t)
	name := aws.String("absent")
	payload := &iottypes.TopicRulePayload{Sql: aws.String("SELECT * FROM 'a'"), Actions: []iottypes.Action{}}
	for _, tc := range []struct {
		op   string
		call func() error
	}{
		{"GetTopicRule", func() error { _, err := c.iot.GetTopicRule(bg, &iotapi.GetTopicRuleInput{RuleName: name}); return err }},
		{"DeleteTopicRule", func() error {
			_, err := c.iot.DeleteTopicRule(bg, &iotapi.DeleteTopicRuleInput{RuleName: name})
			return err
		}},
		{"EnableTopicRule", func() error {
			_, err := c.iot.EnableTopicRule(bg, &iotapi.EnableTopicRuleInput{RuleName: name})
			return err
		}},
		{"DisableTopicRule", func() error {
			_, err := c.iot.DisableTopicRule(bg, &iotapi.DisableTopicRuleInput{RuleName: name})
			return err
		}},
		{"ReplaceTopicRule", func() error {
			_, err := c.iot.ReplaceTopicRule(bg, &iotapi.ReplaceTopicRuleInput{RuleName: name, TopicRulePayload: payload})
			return err
		}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			err := tc.call()
			apiErr(t, err, "UnauthorizedException", 401)
			var ae smithy.APIError
			if errors.As(err, &ae); ae.ErrorMessage() != "Access to topic rule 'absent' was denied" {
				t.Fatalf("message %q", ae.ErrorMessage())
			}
		})
	}
}

// TestModelConstraints: members the model bounds are checked, not ignored
// (the conformance suite found these accepted as sent).
func TestModelConstraints(t *testing.T) {
	c := start(t)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"billing group name too long", func() error {
			_, err := c.iot.CreateThing(bg, &iotapi.CreateThingInput{ThingName: aws.String("t"), BillingGroupName: aws.String(strings.Repeat("b", 129))})
			return err
		}},
		{"empty billing group name", func() error {
			_, err := c.iot.CreateThing(bg, &iotapi.CreateThingInput{ThingName: aws.String("t"), BillingGroupName: aws.String("")})
			return err
		}},
		{"attribute name too long", func() error {
			_, err := c.iot.ListThings(bg, &iotapi.ListThingsInput{AttributeName: aws.String(strings.Repeat("a", 129))})
			return err
		}},
		{"attribute value too long", func() error {
			_, err := c.iot.ListThings(bg, &iotapi.ListThingsInput{AttributeName: aws.String("a"), AttributeValue: aws.String(strings.Repeat("v", 801))})
			return err
		}},
		{"thing type name too long", func() error {
			_, err := c.iot.ListThings(bg, &iotapi.ListThingsInput{ThingTypeName: aws.String(strings.Repeat("t", 129))})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { apiErr(t, tc.call(), "InvalidRequestException", 400) })
	}
	// iot-data has no SDK client here: the CLI sends the header as given.
	_, stderr, code := emutest.CLI(t, c.e.URL(), "iot-data", "publish", "--topic", "a", "--payload-format-indicator", "UTF16_DATA")
	if code == 0 || !strings.Contains(stderr, "(InvalidRequestException)") || !strings.Contains(stderr, "payloadFormatIndicator") {
		t.Fatalf("publish with payload format indicator UTF16_DATA: exit %d, %s", code, stderr)
	}
}

// TestStoredActionsNeedTheirRequiredMembers: an action type groundstack
// stores without running is still refused without a member IoT's model
// requires of it (the conformance suite found such rules stored).
func TestStoredActionsNeedTheirRequiredMembers(t *testing.T) {
	c := start(t)
	payload := func(a iottypes.Action) *iottypes.TopicRulePayload {
		return &iottypes.TopicRulePayload{Sql: aws.String("SELECT * FROM 'a'"), Actions: []iottypes.Action{a}}
	}
	// The SDK and the CLI refuse to send it: a raw request, signed in name only.
	body := `{"sql":"SELECT * FROM 'a'","actions":[{"cloudwatchAlarm":{"alarmName":"a","stateReason":"r","stateValue":"ALARM"}}]}`
	req, _ := http.NewRequest(http.MethodPost, c.e.URL()+"/rules/alarm", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Errortype") != "InvalidRequestException" {
		t.Fatalf("cloudwatchAlarm without roleArn: %d %s, want 400 InvalidRequestException", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	_, err = c.iot.CreateTopicRule(bg, &iotapi.CreateTopicRuleInput{RuleName: aws.String("archive"), TopicRulePayload: payload(iottypes.Action{
		S3: &iottypes.S3Action{RoleArn: aws.String(role), BucketName: aws.String("b"), Key: aws.String("k")}})})
	if err != nil {
		t.Fatalf("an s3 action with its required members: %v", err)
	}
	// Members at any depth are checked before the rule's name clashes
	// (CreateTopicRule) or is looked up (ReplaceTopicRule), as AWS does.
	raw := func(method, path, body string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(method, c.e.URL()+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iot/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), string(b)
	}
	for _, tc := range []struct{ method, path, action, want string }{
		{"POST", "/rules/archive", `{"timestream":{"roleArn":"r","databaseName":"d","tableName":"t","dimensions":[{"name":"n","value":"v"}],"timestamp":{"unit":"SECONDS"}}}`,
			"topicRulePayload.actions.1.member.timestream.timestamp.value"},
		{"PATCH", "/rules/nowhere", `{"http":{"url":"https://example.com","auth":{"sigv4":{"signingRegion":"us-east-1","serviceName":"iot"}}}}`,
			"topicRulePayload.actions.1.member.http.auth.sigv4.roleArn"},
		{"POST", "/rules/archive", `{"sns":{"targetArn":"a","roleArn":"r","messageFormat":"XML"}}`, "topicRulePayload.actions.1.member.sns.messageFormat"},
		{"POST", "/rules/archive", `{"http":{"url":"https://example.com","headers":[{"key":"","value":"v"}]}}`, "topicRulePayload.actions.1.member.http.headers.1.member.key"},
	} {
		status, code, body := raw(tc.method, tc.path, `{"sql":"SELECT * FROM 'a'","actions":[`+tc.action+`]}`)
		if status != 400 || code != "InvalidRequestException" || !strings.Contains(body, tc.want) {
			t.Fatalf("%s %s %s: %d %s %s, want 400 InvalidRequestException naming %s", tc.method, tc.path, tc.action, status, code, body, tc.want)
		}
	}
	status, code, body := raw("POST", "/rules/archive", `{"sql":"SELECT * FROM 'a'","actions":[{"lambda":{"functionArn":7}}]}`)
	if status != 400 || code != "SerializationException" && code != "InvalidRequestException" {
		t.Fatalf("a number for a string: %d %s %s", status, code, body)
	}
	// GetTopicRule answers the actions as they were sent.
	ts := `{"timestream":{"roleArn":"` + role + `","databaseName":"d","tableName":"t","dimensions":[{"name":"n","value":"v"}],"timestamp":{"value":"${time}","unit":"MILLISECONDS"}}}`
	if status, code, body := raw("POST", "/rules/metrics", `{"sql":"SELECT * FROM 'a'","actions":[`+ts+`]}`); status != 200 {
		t.Fatalf("a timestream rule: %d %s %s", status, code, body)
	}
	g, err := c.iot.GetTopicRule(bg, &iotapi.GetTopicRuleInput{RuleName: aws.String("metrics")})
	if err != nil || len(g.Rule.Actions) != 1 || g.Rule.Actions[0].Timestream == nil || aws.ToString(g.Rule.Actions[0].Timestream.Timestamp.Value) != "${time}" ||
		aws.ToString(g.Rule.Actions[0].Timestream.Dimensions[0].Name) != "n" {
		t.Fatalf("get-topic-rule: %+v %v", g, err)
	}
}
