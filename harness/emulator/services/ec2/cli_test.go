package ec2_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The aws CLI (botocore) drives EC2 as users do by hand and in lab scripts.
func TestAWSCLI(t *testing.T) {
	f := start(t)
	url := f.e.URL()
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := emutest.CLI(t, url, args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	runJSON := func(args ...string) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal([]byte(run(args...)), &m); err != nil {
			t.Fatalf("aws %v: %v", args, err)
		}
		return m
	}

	// The private key comes out ready to save as a .pem file.
	pemText := run("ec2", "create-key-pair", "--key-name", "lab", "--query", "KeyMaterial", "--output", "text")
	signer, err := ssh.ParsePrivateKey([]byte(pemText))
	if err != nil {
		t.Fatalf("create-key-pair material %q: %v", pemText[:min(len(pemText), 60)], err)
	}
	edText := run("ec2", "create-key-pair", "--key-name", "lab-ed", "--key-type", "ed25519", "--query", "KeyMaterial", "--output", "text")
	if _, err := ssh.ParsePrivateKey([]byte(edText)); err != nil {
		t.Fatalf("ed25519 material: %v", err)
	}
	pubFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(pubFile, ssh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	imported := runJSON("ec2", "import-key-pair", "--key-name", "imported", "--public-key-material", "fileb://"+pubFile)
	if imported["KeyName"] != "imported" || !strings.Contains(imported["KeyFingerprint"].(string), ":") {
		t.Fatalf("import-key-pair: %v", imported)
	}
	keys := run("ec2", "describe-key-pairs", "--query", "KeyPairs[].KeyName", "--output", "text")
	if strings.Join(strings.Fields(keys), " ") != "imported lab lab-ed" {
		t.Fatalf("describe-key-pairs: %q", keys)
	}

	res := runJSON("ec2", "run-instances", "--image-id", "ami-12345678", "--count", "2", "--instance-type", "t3.micro",
		"--key-name", "lab", "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=web}]")
	instances := res["Instances"].([]any)
	if len(instances) != 2 {
		t.Fatalf("run-instances: %v", res)
	}
	id := instances[0].(map[string]any)["InstanceId"].(string)
	run("ec2", "wait", "instance-running", "--instance-ids", id)
	found := run("ec2", "describe-instances", "--filters", "Name=tag:Name,Values=web", "Name=instance-state-name,Values=running",
		"--query", "Reservations[].Instances[].InstanceId", "--output", "text")
	if len(strings.Fields(found)) != 2 || !strings.Contains(found, id) {
		t.Fatalf("describe-instances --filters: %q", found)
	}
	stopped := runJSON("ec2", "stop-instances", "--instance-ids", id)
	if st := stopped["StoppingInstances"].([]any)[0].(map[string]any)["CurrentState"].(map[string]any)["Name"]; st != "stopping" {
		t.Fatalf("stop-instances: %v", stopped)
	}
	run("ec2", "create-tags", "--resources", id, "--tags", "Key=owner,Value=lab")
	tags := run("ec2", "describe-tags", "--filters", "Name=resource-id,Values="+id, "--query", "Tags[].Key", "--output", "text")
	if strings.Join(strings.Fields(tags), " ") != "Name owner" {
		t.Fatalf("describe-tags: %q", tags)
	}
	run("ec2", "terminate-instances", "--instance-ids", id)
	run("ec2", "delete-key-pair", "--key-name", "lab")

	// Errors come back as the CLI prints AWS's.
	_, errOut, code := emutest.CLI(t, url, "ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0")
	if code == 0 || !strings.Contains(errOut, "InvalidInstanceID.NotFound") || !strings.Contains(errOut, "The instance ID 'i-0123456789abcdef0' does not exist") {
		t.Fatalf("describe-instances error: %d %s", code, errOut)
	}
	_, errOut, code = emutest.CLI(t, url, "ec2", "run-instances", "--image-id", "ami-1", "--key-name", "lab")
	if code == 0 || !strings.Contains(errOut, "InvalidKeyPair.NotFound") {
		t.Fatalf("run-instances with a deleted key: %d %s", code, errOut)
	}
}

// Networking as lab scripts build it by hand: a VPC, a subnet, a filtered
// listing, a security group opened for SSH.
func TestAWSCLINetworking(t *testing.T) {
	t.Parallel()
	f := start(t)
	url := f.e.URL()
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := emutest.CLI(t, url, args...)
		if code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		return strings.TrimSpace(out)
	}
	vpc := run("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--tag-specifications",
		"ResourceType=vpc,Tags=[{Key=Name,Value=lab}]", "--query", "Vpc.VpcId", "--output", "text")
	subnet := run("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24", "--availability-zone", "us-east-1b",
		"--query", "Subnet.SubnetId", "--output", "text")
	found := run("ec2", "describe-subnets", "--filters", "Name=vpc-id,Values="+vpc, "Name=availability-zone,Values=us-east-1*",
		"--query", "Subnets[].[SubnetId,CidrBlock]", "--output", "text")
	if strings.Join(strings.Fields(found), " ") != subnet+" 10.0.1.0/24" {
		t.Fatalf("describe-subnets --filters: %q", found)
	}
	if n := run("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=lab", "--query", "length(Vpcs)"); n != "1" {
		t.Fatalf("describe-vpcs by tag: %s", n)
	}
	sg := run("ec2", "create-security-group", "--group-name", "ssh", "--description", "ssh in", "--vpc-id", vpc,
		"--query", "GroupId", "--output", "text")
	run("ec2", "authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "22", "--cidr", "0.0.0.0/0")
	perms := run("ec2", "describe-security-groups", "--group-ids", sg, "--query", "SecurityGroups[0].IpPermissions[0].[FromPort,IpRanges[0].CidrIp]", "--output", "text")
	if strings.Join(strings.Fields(perms), " ") != "22 0.0.0.0/0" {
		t.Fatalf("describe-security-groups: %q", perms)
	}
	_, errOut, code := emutest.CLI(t, url, "ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/25")
	if code == 0 || !strings.Contains(errOut, "InvalidSubnet.Conflict") {
		t.Fatalf("overlapping create-subnet: %d %s", code, errOut)
	}
	_, errOut, code = emutest.CLI(t, url, "ec2", "delete-vpc", "--vpc-id", vpc)
	if code == 0 || !strings.Contains(errOut, "DependencyViolation") {
		t.Fatalf("delete-vpc with a subnet: %d %s", code, errOut)
	}
}
