package cloudformation_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// BenchmarkStackCreateDelete creates and deletes the 10-resource stack of
// appTemplate (bucket, table with a stream, a GSI and TTL, queue, topic,
// subscription, queue policy, role, log group, Python function, secret)
// through the SDK: one op is the whole lifecycle, both final when their
// calls answer.
func BenchmarkStackCreateDelete(b *testing.B) {
	_, cfg := emutest.Start(b)
	c := cfn.NewFromConfig(cfg)
	m := emutest.StartCPU(b)
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("bench-%d", i)
		if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String(name), TemplateBody: aws.String(appTemplate),
			Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}}); err != nil {
			b.Fatal(err)
		}
		d, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil || d.Stacks[0].StackStatus != cfntypes.StackStatusCreateComplete {
			b.Fatalf("%v %v", d, err)
		}
		if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String(name)}); err != nil {
			b.Fatal(err)
		}
	}
	m.Report()
}
