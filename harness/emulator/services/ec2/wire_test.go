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
		{"unknown action", "Action=FlyToTheMoon", "InvalidAction", "The action FlyToTheMoon is not valid for this web service."},
		{"tags without resources", "Action=CreateTags&Tag.1.Key=a&Tag.1.Value=b", "MissingParameter", "The request must contain the parameter ResourceId"},
		{"tags without tags", "Action=CreateTags&ResourceId.1=i-12345678", "MissingParameter", "The request must contain the parameter Tag"},
		{"delete tags without resources", "Action=DeleteTags", "MissingParameter", ""},
		{"stop without ids", "Action=StopInstances", "MissingParameter", "The request must contain the parameter InstanceId"},
		{"run without MinCount", "Action=RunInstances&ImageId=ami-1&MaxCount=1", "MissingParameter", "The request must contain the parameter MinCount"},
		{"run with a word for a count", "Action=RunInstances&ImageId=ami-1&MinCount=one&MaxCount=1", "InvalidParameterValue", "Invalid value 'one' for MinCount. Expected an integer."},
		{"run with an empty image", "Action=RunInstances&ImageId=&MinCount=1&MaxCount=1", "MissingParameter", "The request must contain the parameter ImageId"},
		{"filter without values", "Action=DescribeInstances&Filter.1.Name=tag-key", "InvalidParameterValue", "The filter 'tag-key' must have at least one value"},
		{"filter without name", "Action=DescribeInstances&Filter.1.Value.1=x", "InvalidParameterValue", "The filter 'null' is invalid"},
		{"bad boolean", "Action=StopInstances&InstanceId.1=i-12345678&Force=yes", "InvalidParameterValue", "Invalid value 'yes' for Force. Expected a boolean."},
		{"bad dry run", "Action=DescribeRegions&DryRun=maybe", "InvalidParameterValue", "Invalid value 'maybe' for DryRun. Expected a boolean."},
		// Members accepted and not acted on still have their type checked.
		{"bad AllRegions", "Action=DescribeRegions&AllRegions=maybe", "InvalidParameterValue", "Invalid value 'maybe' for AllRegions. Expected a boolean."},
		{"bad netmask before the missing CIDR", "Action=CreateVpc&Ipv4NetmaskLength=x", "InvalidParameterValue", "Invalid value 'x' for Ipv4NetmaskLength. Expected an integer."},
		{"bad Force before the instance ids", "Action=TerminateInstances&InstanceId.1=bad&Force=maybe", "InvalidParameterValue", "Invalid value 'maybe' for Force. Expected a boolean."},
		{"stop an empty list", "Action=StopInstances&InstanceId=", "MissingParameter", "The request must contain the parameter InstanceId"},
		{"page size not a number", "Action=DescribeTags&MaxResults=x", "InvalidParameterValue", "Value ( x ) for parameter maxResults is invalid. Expecting a value greater than 5."},
		{"page size with ids", "Action=DescribeInstanceStatus&InstanceId.1=i-12345678&MaxResults=5", "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults"},
		{"key material not base64", "Action=ImportKeyPair&KeyName=k&PublicKeyMaterial=%25%25", "InvalidKeyPair.Format", "Key is not in valid OpenSSH public key format"},
		{"create key without name", "Action=CreateKeyPair", "MissingParameter", "The request must contain the parameter KeyName"},
		{"key type", "Action=CreateKeyPair&KeyName=k&KeyType=dsa", "InvalidParameterValue", "Value (dsa) for parameter KeyType is invalid. Valid values are rsa and ed25519."},
		{"key format", "Action=CreateKeyPair&KeyName=k&KeyFormat=der", "InvalidParameterValue", "Value (der) for parameter KeyFormat is invalid. Valid values are pem and ppk."},
		{"import without material", "Action=ImportKeyPair&KeyName=k", "MissingParameter", "The request must contain the parameter PublicKeyMaterial"},
		{"delete key without name or id", "Action=DeleteKeyPair", "MissingParameter", "The request must contain the parameter KeyName or KeyPairId"},
		{"delete a tag without a key", "Action=DeleteTags&ResourceId.1=i-12345678&Tag.1.Value=v", "InvalidParameterValue", "Tag key must not be empty"},
		{"console output for a malformed id", "Action=GetConsoleOutput&InstanceId=web-1", "InvalidInstanceID.Malformed", `Invalid id: "web-1" (expecting "i-...")`},
		{"unknown region", "Action=DescribeRegions&RegionName.1=mars-1", "InvalidParameterValue", "Invalid region: mars-1"},
		{"zone filter", "Action=DescribeAvailabilityZones&Filter.1.Name=colour&Filter.1.Value.1=x", "InvalidParameterValue", "The filter 'colour' is invalid"},
		{"console output without id", "Action=GetConsoleOutput", "MissingParameter", ""},
		{"shutdown behaviour", "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&InstanceInitiatedShutdownBehavior=hibernate", "InvalidParameterValue", ""},
		{"tag spec without type", "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&TagSpecification.1.Tag.1.Key=a", "MissingParameter", ""},
		{"tag spec without tags", "Action=CreateKeyPair&KeyName=k&TagSpecification.1.ResourceType=key-pair", "InvalidParameterValue", "Tag specification must have at least one tag"},
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
	// A dry run answers only a request that would have succeeded.
	for _, body := range []string{"Action=StopInstances&DryRun=true&InstanceId.1=i-12345678", "Action=DescribeRegions&DryRun=TRUE"} {
		code, out := serveForm(f.svc, body)
		var e ec2Error
		if err := xml.Unmarshal(out, &e); err != nil || code != 412 || e.Code != "DryRunOperation" || e.Message != "Request would have succeeded, but DryRun flag is set." {
			t.Fatalf("%s: %d %s", body, code, out)
		}
	}
	_, err := f.c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	wantAPIError(t, err, "MissingParameter", "The request must contain the parameter ImageId")
}
