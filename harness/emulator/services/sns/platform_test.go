package sns_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	snssvc "github.com/groundstack/groundstack/harness/emulator/services/sns"
)

// recordedFor returns the recorded messages sent to one endpoint.
func recordedFor(t *testing.T, c clients, protocol, endpoint string) []snssvc.Recorded {
	t.Helper()
	var all struct{ Messages []snssvc.Recorded }
	getJSON(t, c.e.URL()+"/_groundstack/sns/messages?protocol="+protocol, &all)
	var out []snssvc.Recorded
	for _, m := range all.Messages {
		if m.Endpoint == endpoint {
			out = append(out, m)
		}
	}
	return out
}

// TestBreadthOperations covers the platform, SMS, permission and data
// protection operations, on one emulator.
func TestBreadthOperations(t *testing.T) {
	t.Parallel()
	c := start(t)

	t.Run("DataProtectionPolicy", func(t *testing.T) {
		t.Parallel()
		topic := c.topic(t, "dpp", nil)
		got, err := c.sns.GetDataProtectionPolicy(ctx, &sns.GetDataProtectionPolicyInput{ResourceArn: &topic})
		if err != nil || aws.ToString(got.DataProtectionPolicy) != "" {
			t.Fatalf("before: %v %v", got, err)
		}
		policy := `{"Name":"p","Description":"","Version":"2021-06-01","Statement":[]}`
		if _, err := c.sns.PutDataProtectionPolicy(ctx, &sns.PutDataProtectionPolicyInput{ResourceArn: &topic, DataProtectionPolicy: &policy}); err != nil {
			t.Fatal(err)
		}
		got, err = c.sns.GetDataProtectionPolicy(ctx, &sns.GetDataProtectionPolicyInput{ResourceArn: &topic})
		if err != nil || aws.ToString(got.DataProtectionPolicy) != policy {
			t.Fatalf("after: %v %v", aws.ToString(got.DataProtectionPolicy), err)
		}
		attrs, _ := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
		if attrs.Attributes["DataProtectionPolicy"] != policy {
			t.Fatalf("attribute %q", attrs.Attributes["DataProtectionPolicy"])
		}
		for _, tc := range []struct {
			arn, policy, code string
			status            int
			msg               string
		}{
			{"arn:aws:sns:us-east-1:000000000000:nope", policy, "NotFound", 404, "Topic does not exist"},
			{topic, "{", "InvalidParameter", 400, "Invalid parameter: DataProtectionPolicy Reason: failed to parse JSON"},
			{"nope", policy, "InvalidParameter", 400, "Invalid parameter: ResourceArn Reason: An ARN must have at least 6 elements, not 1"},
		} {
			_, err := c.sns.PutDataProtectionPolicy(ctx, &sns.PutDataProtectionPolicyInput{ResourceArn: aws.String(tc.arn), DataProtectionPolicy: aws.String(tc.policy)})
			wantErr(t, err, tc.code, tc.status, tc.msg)
		}
		_, err = c.sns.GetDataProtectionPolicy(ctx, &sns.GetDataProtectionPolicyInput{ResourceArn: aws.String("arn:aws:sns:us-east-1:000000000000:nope")})
		wantErr(t, err, "NotFound", 404, "Topic does not exist")
	})

	t.Run("Permissions", func(t *testing.T) {
		t.Parallel()
		topic := c.topic(t, "perm", nil)
		add := func(label string, actions ...string) error {
			_, err := c.sns.AddPermission(ctx, &sns.AddPermissionInput{TopicArn: &topic, Label: aws.String(label),
				AWSAccountId: []string{"111122223333"}, ActionName: actions})
			return err
		}
		if err := add("pub", "Publish"); err != nil {
			t.Fatal(err)
		}
		policy := func() map[string]any {
			attrs, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: &topic})
			if err != nil {
				t.Fatal(err)
			}
			var p map[string]any
			if err := json.Unmarshal([]byte(attrs.Attributes["Policy"]), &p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		st := policy()["Statement"].([]any)
		if len(st) != 2 {
			t.Fatalf("statements %v", st)
		}
		last := st[1].(map[string]any)
		if last["Sid"] != "pub" || last["Action"] != "SNS:Publish" || last["Resource"] != topic ||
			last["Principal"].(map[string]any)["AWS"] != "arn:aws:iam::111122223333:root" {
			t.Fatalf("statement %v", last)
		}
		wantErr(t, add("pub", "Publish"), "InvalidParameter", 400, "Invalid parameter: Statement already exists")
		wantErr(t, add("other", "Fly"), "InvalidParameter", 400, "Invalid parameter: Policy statement action out of service scope!")
		if _, err := c.sns.RemovePermission(ctx, &sns.RemovePermissionInput{TopicArn: &topic, Label: aws.String("pub")}); err != nil {
			t.Fatal(err)
		}
		if st := policy()["Statement"].([]any); len(st) != 1 {
			t.Fatalf("after remove %v", st)
		}
		_, err := c.sns.RemovePermission(ctx, &sns.RemovePermissionInput{TopicArn: aws.String(topic + "-gone"), Label: aws.String("pub")})
		wantErr(t, err, "NotFound", 404, "Topic does not exist")
	})

	t.Run("PlatformApplicationsAndEndpoints", func(t *testing.T) {
		t.Parallel()
		app, err := c.sns.CreatePlatformApplication(ctx, &sns.CreatePlatformApplicationInput{Name: aws.String("phone-app"), Platform: aws.String("GCM"),
			Attributes: map[string]string{"PlatformCredential": "server-key"}})
		if err != nil {
			t.Fatal(err)
		}
		appARN := aws.ToString(app.PlatformApplicationArn)
		if appARN != "arn:aws:sns:us-east-1:000000000000:app/GCM/phone-app" {
			t.Fatalf("arn %s", appARN)
		}
		attrs, err := c.sns.GetPlatformApplicationAttributes(ctx, &sns.GetPlatformApplicationAttributesInput{PlatformApplicationArn: &appARN})
		if err != nil || attrs.Attributes["Enabled"] != "true" || attrs.Attributes["PlatformCredential"] != "" {
			t.Fatalf("attributes %v %v", attrs, err)
		}
		if _, err := c.sns.SetPlatformApplicationAttributes(ctx, &sns.SetPlatformApplicationAttributesInput{PlatformApplicationArn: &appARN,
			Attributes: map[string]string{"EventEndpointCreated": "arn:aws:sns:us-east-1:000000000000:events"}}); err != nil {
			t.Fatal(err)
		}
		list, err := c.sns.ListPlatformApplications(ctx, &sns.ListPlatformApplicationsInput{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range list.PlatformApplications {
			if aws.ToString(a.PlatformApplicationArn) == appARN && a.Attributes["EventEndpointCreated"] != "" {
				found = true
			}
		}
		if !found {
			t.Fatalf("list %+v", list.PlatformApplications)
		}

		ep, err := c.sns.CreatePlatformEndpoint(ctx, &sns.CreatePlatformEndpointInput{PlatformApplicationArn: &appARN, Token: aws.String("device-1"), CustomUserData: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		epARN := aws.ToString(ep.EndpointArn)
		if !strings.HasPrefix(epARN, "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/phone-app/") {
			t.Fatalf("endpoint arn %s", epARN)
		}
		again, err := c.sns.CreatePlatformEndpoint(ctx, &sns.CreatePlatformEndpointInput{PlatformApplicationArn: &appARN, Token: aws.String("device-1"), CustomUserData: aws.String("alice")})
		if err != nil || aws.ToString(again.EndpointArn) != epARN {
			t.Fatalf("idempotent create: %v %v", again, err)
		}
		_, err = c.sns.CreatePlatformEndpoint(ctx, &sns.CreatePlatformEndpointInput{PlatformApplicationArn: &appARN, Token: aws.String("device-1"), CustomUserData: aws.String("bob")})
		wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Token Reason: Endpoint "+epARN+" already exists with the same Token, but different attributes.")

		eattrs, err := c.sns.GetEndpointAttributes(ctx, &sns.GetEndpointAttributesInput{EndpointArn: &epARN})
		if err != nil || eattrs.Attributes["Token"] != "device-1" || eattrs.Attributes["Enabled"] != "true" || eattrs.Attributes["CustomUserData"] != "alice" {
			t.Fatalf("endpoint attributes %v %v", eattrs, err)
		}
		eps, err := c.sns.ListEndpointsByPlatformApplication(ctx, &sns.ListEndpointsByPlatformApplicationInput{PlatformApplicationArn: &appARN})
		if err != nil || len(eps.Endpoints) != 1 || aws.ToString(eps.Endpoints[0].EndpointArn) != epARN {
			t.Fatalf("endpoints %+v %v", eps, err)
		}

		// Publishing to the endpoint records the push notification.
		msg := `{"default":"hi","GCM":"{\"notification\":{\"title\":\"hi\"}}"}`
		pub, err := c.sns.Publish(ctx, &sns.PublishInput{TargetArn: &epARN, Message: &msg, MessageStructure: aws.String("json")})
		if err != nil {
			t.Fatal(err)
		}
		rec := recordedFor(t, c, "application", "device-1")
		if len(rec) != 1 || rec[0].MessageID != aws.ToString(pub.MessageId) || rec[0].TargetArn != epARN || rec[0].Message != `{"notification":{"title":"hi"}}` {
			t.Fatalf("recorded %+v", rec)
		}
		// So does a topic the endpoint is subscribed to.
		topic := c.topic(t, "push", nil)
		sub, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("application"), Endpoint: &epARN})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: aws.String("via topic")}); err != nil {
			t.Fatal(err)
		}
		rec = recordedFor(t, c, "application", "device-1")
		if len(rec) != 2 || rec[1].Message != "via topic" || rec[1].SubscriptionArn != aws.ToString(sub.SubscriptionArn) || rec[1].TargetArn != epARN {
			t.Fatalf("recorded %+v", rec)
		}
		gone := strings.Replace(appARN, ":app/", ":endpoint/", 1) + "/nope"
		_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("application"), Endpoint: &gone})
		wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint arn"+gone)

		if _, err := c.sns.SetEndpointAttributes(ctx, &sns.SetEndpointAttributesInput{EndpointArn: &epARN, Attributes: map[string]string{"Enabled": "false"}}); err != nil {
			t.Fatal(err)
		}
		_, err = c.sns.Publish(ctx, &sns.PublishInput{TargetArn: &epARN, Message: aws.String("x")})
		wantErr(t, err, "EndpointDisabled", 400, "Endpoint is disabled")

		if _, err := c.sns.DeleteEndpoint(ctx, &sns.DeleteEndpointInput{EndpointArn: &epARN}); err != nil {
			t.Fatal(err)
		}
		_, err = c.sns.GetEndpointAttributes(ctx, &sns.GetEndpointAttributesInput{EndpointArn: &epARN})
		wantErr(t, err, "NotFound", 404, "Endpoint does not exist")
		_, err = c.sns.Publish(ctx, &sns.PublishInput{TargetArn: &epARN, Message: aws.String("x")})
		wantErr(t, err, "NotFound", 404, "Endpoint does not exist")
		if _, err := c.sns.DeleteEndpoint(ctx, &sns.DeleteEndpointInput{EndpointArn: &epARN}); err != nil {
			t.Fatalf("deleting again: %v", err)
		}

		if _, err := c.sns.DeletePlatformApplication(ctx, &sns.DeletePlatformApplicationInput{PlatformApplicationArn: &appARN}); err != nil {
			t.Fatal(err)
		}
		_, err = c.sns.GetPlatformApplicationAttributes(ctx, &sns.GetPlatformApplicationAttributesInput{PlatformApplicationArn: &appARN})
		wantErr(t, err, "NotFound", 404, "PlatformApplication does not exist")
		_, err = c.sns.ListEndpointsByPlatformApplication(ctx, &sns.ListEndpointsByPlatformApplicationInput{PlatformApplicationArn: &appARN})
		wantErr(t, err, "NotFound", 404, "PlatformApplication does not exist")
		_, err = c.sns.CreatePlatformEndpoint(ctx, &sns.CreatePlatformEndpointInput{PlatformApplicationArn: &appARN, Token: aws.String("t")})
		wantErr(t, err, "NotFound", 404, "PlatformApplication does not exist")
	})

	t.Run("PlatformApplicationErrors", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name, platform string
			attrs          map[string]string
			msg            string
		}{
			{"a", "PIGEON", map[string]string{"PlatformCredential": "k"}, "Invalid parameter: Platform Reason: PIGEON is not supported"},
			{"a b", "GCM", map[string]string{"PlatformCredential": "k"}, "Invalid parameter: Name Reason: must contain only uppercase and lowercase ASCII letters, numbers, underscores, hyphens, and periods, and must be between 1 and 256 characters long"},
			{"a", "GCM", map[string]string{"Enabled": "true"}, "Invalid parameter: Attributes Reason: PlatformCredential attribute is required"},
			{"a", "GCM", map[string]string{"PlatformCredential": "k", "Colour": "red"}, "Invalid parameter: Attributes Reason: Invalid attribute name: Colour"},
		} {
			_, err := c.sns.CreatePlatformApplication(ctx, &sns.CreatePlatformApplicationInput{Name: &tc.name, Platform: &tc.platform, Attributes: tc.attrs})
			wantErr(t, err, "InvalidParameter", 400, tc.msg)
		}
	})

	t.Run("SMSAttributes", func(t *testing.T) {
		t.Parallel()
		if _, err := c.sns.SetSMSAttributes(ctx, &sns.SetSMSAttributesInput{Attributes: map[string]string{"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop"}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.sns.GetSMSAttributes(ctx, &sns.GetSMSAttributesInput{Attributes: []string{"DefaultSMSType"}})
		if err != nil || len(got.Attributes) != 1 || got.Attributes["DefaultSMSType"] != "Transactional" {
			t.Fatalf("get %v %v", got, err)
		}
		_, err = c.sns.SetSMSAttributes(ctx, &sns.SetSMSAttributesInput{Attributes: map[string]string{"DefaultSMSType": "Loud"}})
		wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: DefaultSMSType Reason: Loud is not a valid SMS type")
		_, err = c.sns.SetSMSAttributes(ctx, &sns.SetSMSAttributesInput{Attributes: map[string]string{"Colour": "x"}})
		wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: Colour")
	})

	t.Run("OptOut", func(t *testing.T) {
		t.Parallel()
		const phone = "+15550100777"
		check := func() bool {
			out, err := c.sns.CheckIfPhoneNumberIsOptedOut(ctx, &sns.CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: aws.String(phone)})
			if err != nil {
				t.Fatal(err)
			}
			return out.IsOptedOut
		}
		if check() {
			t.Fatal("opted out before STOP")
		}
		resp, err := http.Post(c.e.URL()+"/_groundstack/sns/opted-out?PhoneNumber=%2B15550100777", "", nil)
		if err != nil || resp.StatusCode != 204 {
			t.Fatalf("opt out: %v %v", resp, err)
		}
		resp.Body.Close()
		if !check() {
			t.Fatal("not opted out after STOP")
		}
		if _, err := c.sns.Publish(ctx, &sns.PublishInput{PhoneNumber: aws.String(phone), Message: aws.String("sale!")}); err != nil {
			t.Fatal(err)
		}
		if rec := recordedFor(t, c, "sms", phone); len(rec) != 0 {
			t.Fatalf("an opted-out number got %+v", rec)
		}
		list, err := c.sns.ListPhoneNumbersOptedOut(ctx, &sns.ListPhoneNumbersOptedOutInput{})
		if err != nil || !slices.Contains(list.PhoneNumbers, phone) {
			t.Fatalf("list %v %v", list, err)
		}
		if _, err := c.sns.OptInPhoneNumber(ctx, &sns.OptInPhoneNumberInput{PhoneNumber: aws.String(phone)}); err != nil {
			t.Fatal(err)
		}
		if check() {
			t.Fatal("opted out after opt-in")
		}
		_, err = c.sns.CheckIfPhoneNumberIsOptedOut(ctx, &sns.CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: aws.String("12")})
		wantErr(t, err, "InvalidParameter", 400, "Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
	})

	t.Run("Sandbox", func(t *testing.T) {
		t.Parallel()
		const phone = "+15550100888"
		status, err := c.sns.GetSMSSandboxAccountStatus(ctx, &sns.GetSMSSandboxAccountStatusInput{})
		if err != nil || !status.IsInSandbox {
			t.Fatalf("status %v %v", status, err)
		}
		if _, err := c.sns.CreateSMSSandboxPhoneNumber(ctx, &sns.CreateSMSSandboxPhoneNumberInput{PhoneNumber: aws.String(phone)}); err != nil {
			t.Fatal(err)
		}
		statusOf := func() string {
			out, err := c.sns.ListSMSSandboxPhoneNumbers(ctx, &sns.ListSMSSandboxPhoneNumbersInput{})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range out.PhoneNumbers {
				if aws.ToString(n.PhoneNumber) == phone {
					return string(n.Status)
				}
			}
			return ""
		}
		if s := statusOf(); s != "Pending" {
			t.Fatalf("status %q", s)
		}
		_, err = c.sns.VerifySMSSandboxPhoneNumber(ctx, &sns.VerifySMSSandboxPhoneNumberInput{PhoneNumber: aws.String(phone), OneTimePassword: aws.String("00000")})
		wantErr(t, err, "VerificationException", 400, "Invalid one-time password")
		rec := recordedFor(t, c, "sms", phone)
		if len(rec) != 1 {
			t.Fatalf("recorded %+v", rec)
		}
		otp := rec[0].Message[strings.LastIndex(rec[0].Message, " ")+1:]
		if _, err := c.sns.VerifySMSSandboxPhoneNumber(ctx, &sns.VerifySMSSandboxPhoneNumberInput{PhoneNumber: aws.String(phone), OneTimePassword: &otp}); err != nil {
			t.Fatal(err)
		}
		if s := statusOf(); s != "Verified" {
			t.Fatalf("status %q", s)
		}
		if _, err := c.sns.DeleteSMSSandboxPhoneNumber(ctx, &sns.DeleteSMSSandboxPhoneNumberInput{PhoneNumber: aws.String(phone)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.sns.DeleteSMSSandboxPhoneNumber(ctx, &sns.DeleteSMSSandboxPhoneNumberInput{PhoneNumber: aws.String(phone)})
		wantErr(t, err, "ResourceNotFound", 404, "Phone number does not exist")
		_, err = c.sns.VerifySMSSandboxPhoneNumber(ctx, &sns.VerifySMSSandboxPhoneNumberInput{PhoneNumber: aws.String(phone), OneTimePassword: &otp})
		wantErr(t, err, "ResourceNotFound", 404, "Phone number does not exist")
		_, err = c.sns.ListSMSSandboxPhoneNumbers(ctx, &sns.ListSMSSandboxPhoneNumbersInput{MaxResults: aws.Int32(0)})
		wantErr(t, err, "ValidationError", 400, "")
	})

	t.Run("OriginationNumbers", func(t *testing.T) {
		t.Parallel()
		out, err := c.sns.ListOriginationNumbers(ctx, &sns.ListOriginationNumbersInput{})
		if err != nil || len(out.PhoneNumbers) != 0 {
			t.Fatalf("%v %v", out, err)
		}
		_, err = c.sns.ListOriginationNumbers(ctx, &sns.ListOriginationNumbersInput{MaxResults: aws.Int32(31)})
		wantErr(t, err, "ValidationError", 400, "")
	})
}
