package ec2_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// outcome is one step's result: the error code and message, or "ok" and a
// detail both servers should agree on.
type outcome struct {
	step, code, msg string
	// codeOnly marks steps where moto's message is known not to be AWS's.
	codeOnly bool
}

func record(step string, err error, detail string) outcome {
	if err == nil {
		return outcome{step: step, code: "ok", msg: detail}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return outcome{step: step, code: ae.ErrorCode(), msg: ae.ErrorMessage()}
	}
	return outcome{step: step, code: "transport", msg: err.Error()}
}

// ec2Transcript runs the scenario on which moto agrees with AWS.
func ec2Transcript(ctx context.Context, c *ec2.Client) []outcome {
	var out []outcome
	_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	out = append(out, record("describe unknown", err, ""))
	_, err = c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("dup"), KeyType: types.KeyTypeEd25519})
	out = append(out, record("create key", err, ""))
	_, err = c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("dup")})
	out = append(out, record("create duplicate key", err, ""))
	_, err = c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{"ghost"}})
	o := record("describe unknown key", err, "")
	o.codeOnly = true // moto prints the name as a Python set
	out = append(out, o)
	_, err = c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("bad"), PublicKeyMaterial: []byte("hello")})
	out = append(out, record("import garbage", err, ""))
	del, err := c.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String("ghost")})
	detail := ""
	if err == nil {
		detail = fmt.Sprint(aws.ToBool(del.Return))
	}
	out = append(out, record("delete unknown key", err, detail))
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"thing-1"}, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	out = append(out, record("tag unknown kind", err, ""))
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{DryRun: aws.Bool(true)})
	out = append(out, record("dry run", err, ""))

	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	out = append(out, record("run", err, ""))
	if err != nil {
		return out
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}, MaxResults: aws.Int32(5)})
	out = append(out, record("ids with MaxResults", err, ""))
	_ = ec2.NewInstanceRunningWaiter(c, fast).Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, waitFor)
	stop, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	detail = ""
	if err == nil {
		detail = string(stop.StoppingInstances[0].PreviousState.Name) + "→" + string(stop.StoppingInstances[0].CurrentState.Name)
	}
	out = append(out, record("stop", err, detail))
	err = ec2.NewInstanceStoppedWaiter(c, fast).Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, waitFor)
	out = append(out, record("wait stopped", err, ""))
	d, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	detail = ""
	if err == nil {
		in := d.Reservations[0].Instances[0]
		detail = aws.ToString(in.StateReason.Code) + " / " + aws.ToString(in.StateReason.Message)
	}
	out = append(out, record("stopped reason", err, detail))
	term, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	detail = ""
	if err == nil {
		detail = string(term.TerminatingInstances[0].PreviousState.Name) + "→" + string(term.TerminatingInstances[0].CurrentState.Name)
	}
	out = append(out, record("terminate stopped", err, detail))
	return out
}

// TestAgainstMoto replays one scenario on this emulator and on moto and
// compares what a client sees.
func TestAgainstMoto(t *testing.T) {
	motoURL := emutest.Moto(t, "EC2_SKIP_MOTO")
	f := start(t)
	ours := ec2Transcript(ctx, f.c)
	theirs := ec2Transcript(ctx, ec2.NewFromConfig(emutest.Config(motoURL)))
	if len(ours) != len(theirs) {
		t.Fatalf("transcripts differ in length:\nours   %v\ntheirs %v", ours, theirs)
	}
	for i := range ours {
		a, b := ours[i], theirs[i]
		if a.code != b.code || (!a.codeOnly && a.msg != b.msg) {
			t.Errorf("%s:\n  ours: %s %q\n  moto: %s %q", a.step, a.code, a.msg, b.code, b.msg)
		}
	}
}
