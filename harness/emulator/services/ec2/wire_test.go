package ec2_test

import (
	"encoding/xml"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// ec2Error is EC2's error document.
type ec2Error struct {
	XMLName xml.Name `xml:"Response"`
	Code    string   `xml:"Errors>Error>Code"`
	Message string   `xml:"Errors>Error>Message"`
	ID      string   `xml:"RequestID"`
}

// Requests the SDK refuses to send (its client-side validation) still get
// AWS's answer from the service, in EC2's error document.
func TestRawFormErrors(t *testing.T) {
	f := start(t)
	cases := []struct {
		name, body, code, msg string
	}{
		{"no action", "Version=2016-11-15", "MissingAction", ""},
		{"unknown action", "Action=RebootInstances", "InvalidAction", "The action RebootInstances is not valid for this web service."},
		{"tags without resources", "Action=CreateTags&Tag.1.Key=a&Tag.1.Value=b", "MissingParameter", "The request must contain the parameter ResourceId"},
		{"tags without tags", "Action=CreateTags&ResourceId.1=i-12345678", "MissingParameter", "The request must contain the parameter Tag"},
		{"delete tags without resources", "Action=DeleteTags", "MissingParameter", ""},
		{"stop without ids", "Action=StopInstances", "MissingParameter", "The request must contain the parameter InstanceId"},
		{"run without MinCount", "Action=RunInstances&ImageId=ami-1&MaxCount=1", "MissingParameter", "The request must contain the parameter MinCount"},
		{"run with a word for a count", "Action=RunInstances&ImageId=ami-1&MinCount=one&MaxCount=1", "InvalidParameterValue", ""},
		{"filter without values", "Action=DescribeInstances&Filter.1.Name=tag-key", "InvalidParameterValue", "The filter 'tag-key' must have at least one value"},
		{"filter without name", "Action=DescribeInstances&Filter.1.Value.1=x", "InvalidParameterValue", ""},
		{"bad boolean", "Action=StopInstances&InstanceId.1=i-12345678&Force=yes", "InvalidParameterValue", ""},
		{"key material not base64", "Action=ImportKeyPair&KeyName=k&PublicKeyMaterial=%25%25", "InvalidKeyPair.Format", "Key is not in valid OpenSSH public key format"},
		{"create key without name", "Action=CreateKeyPair", "MissingParameter", "The request must contain the parameter KeyName"},
		{"console output without id", "Action=GetConsoleOutput", "MissingParameter", ""},
		{"shutdown behaviour", "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&InstanceInitiatedShutdownBehavior=hibernate", "InvalidParameterValue", ""},
		{"tag spec without type", "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&TagSpecification.1.Tag.1.Key=a", "MissingParameter", ""},
		{"tag spec without tags", "Action=CreateKeyPair&KeyName=k&TagSpecification.1.ResourceType=key-pair", "InvalidParameterValue", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := serveForm(f.svc, tc.body)
			if code != 400 {
				t.Fatalf("status %d: %s", code, body)
			}
			var e ec2Error
			if err := xml.Unmarshal(body, &e); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if e.Code != tc.code || (tc.msg != "" && e.Message != tc.msg) || e.ID == "" {
				t.Fatalf("got %s %q (request %q), want %s %q", e.Code, e.Message, e.ID, tc.code, tc.msg)
			}
		})
	}
	_, err := f.c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	wantAPIError(t, err, "MissingParameter", "The request must contain the parameter ImageId")
}
