package ec2_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	ec2svc "github.com/groundstack/groundstack/harness/emulator/services/ec2"
)

// FuzzEC2Query sends arbitrary forms to the EC2 service (with fake machines
// behind its instances): every answer must be a well-formed XML document,
// and never a 500.
func FuzzEC2Query(f *testing.F) {
	env := cloud.DefaultEnv()
	var mu sync.Mutex
	n := 0
	env.NewID = func() string { // deterministic, so seeds can name what seed() made
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("id-%d", n)
	}
	svc := ec2svc.New(env)
	svc.SetLauncher(newFakeLauncher())
	f.Cleanup(func() { svc.Close() })
	var instanceID, keyID string
	seed := func() {
		svc.Reset()
		mu.Lock()
		n = 0
		mu.Unlock()
		for _, body := range []string{
			"Action=CreateKeyPair&KeyName=seed&KeyType=ed25519",
			"Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&KeyName=seed&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web",
		} {
			code, out := serveForm(svc, body)
			if code != 200 {
				f.Fatalf("seeding: %d %s", code, out)
			}
			if s := between(string(out), "<instanceId>", "</instanceId>"); s != "" {
				instanceID = s
			}
			if s := between(string(out), "<keyPairId>", "</keyPairId>"); s != "" {
				keyID = s
			}
		}
	}
	seed()
	for _, s := range []string{
		"Action=DescribeInstances",
		"Action=DescribeInstances&InstanceId.1=" + instanceID + "&InstanceId.2=i-12345678",
		"Action=DescribeInstances&Filter.1.Name=tag:Name&Filter.1.Value.1=w*&Filter.2.Name=instance-state-name&Filter.2.Value.1=running",
		"Action=DescribeInstances&MaxResults=5&NextToken=RGVzY3JpYmVJbnN0YW5jZXMAMQ",
		"Action=DescribeInstances&Filter.1.Name=tag-value&Filter.1.Value.1=%5C*%3F",
		"Action=StopInstances&InstanceId.1=" + instanceID + "&Force=true",
		"Action=StartInstances&InstanceId.1=" + instanceID,
		"Action=TerminateInstances&InstanceId.1=" + instanceID,
		"Action=DescribeInstanceStatus&IncludeAllInstances=true&MaxResults=5",
		"Action=RunInstances&ImageId=ami-1&MinCount=2&MaxCount=1",
		"Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1&InstanceInitiatedShutdownBehavior=terminate&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=groundstack:idle-timeout&TagSpecification.1.Tag.1.Value=1m",
		"Action=ImportKeyPair&KeyName=imp&PublicKeyMaterial=c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUdWbmIzcz0%3D",
		"Action=DescribeKeyPairs&KeyName.1=seed&IncludePublicKey=true&Filter.1.Name=key-type&Filter.1.Value.1=ed25519",
		"Action=DeleteKeyPair&KeyPairId=" + keyID,
		"Action=CreateTags&ResourceId.1=" + instanceID + "&ResourceId.2=" + keyID + "&Tag.1.Key=a&Tag.1.Value=b",
		"Action=DeleteTags&ResourceId.1=" + instanceID + "&Tag.1.Key=Name",
		"Action=DescribeTags&Filter.1.Name=resource-type&Filter.1.Value.1=instance&MaxResults=5",
		"Action=GetConsoleOutput&InstanceId=" + instanceID,
		"Action=DescribeAvailabilityZones&ZoneName.1=us-east-1b",
		"Action=DescribeRegions&Filter.1.Name=region-name&Filter.1.Value.1=eu-*",
		"Action=DescribeInstances&InstanceId.0=x&InstanceId.-1=y&Filter.99999999999999999999.Name=z",
		"Action=DescribeInstances&DryRun=maybe",
		"Action=Nope&%zz=1",
		"Action=DescribeTags&NextToken=" + url.QueryEscape("RGVzY3JpYmVUYWdzAA"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		seed()
		code, out := serveForm(svc, body)
		if code >= 500 {
			t.Fatalf("%d for %q: %s", code, body, out)
		}
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("answer is not XML (%v) for %q: %s", err, body, out)
			}
		}
	})
}

func serveForm(h http.Handler, body string) (int, []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
