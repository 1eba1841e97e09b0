package secretsmanager_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// One emulator serves every subtest below; each uses its own secrets.
func TestPoliciesStagesBatchRotation(t *testing.T) {
	_, c := start(t)
	mk := func(t *testing.T, name string, n int) {
		t.Helper()
		if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(name + "-v1"), ClientRequestToken: token(n)}); err != nil {
			t.Fatal(err)
		}
	}
	stagesOf := func(t *testing.T, name string) string {
		t.Helper()
		d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(d.VersionIdsToStages)
	}

	t.Run("ResourcePolicy", func(t *testing.T) {
		t.Parallel()
		mk(t, "pol", 1)
		private := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
		public := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"}}`
		cases := []struct {
			policy   string
			block    bool
			wantCode string
		}{
			{private, true, ""},
			{public, false, ""},
			{public, true, "PublicPolicyException"},
			{`{"Statement":`, false, "MalformedPolicyDocumentException"},
			{`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"*"}]}`, false, "MalformedPolicyDocumentException"},
		}
		for _, tc := range cases {
			_, err := c.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String(tc.policy), BlockPublicPolicy: aws.Bool(tc.block)})
			if tc.wantCode != "" {
				wantAPIError(t, err, tc.wantCode, "")
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.policy, err)
			}
			g, err := c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("pol")})
			if err != nil || aws.ToString(g.ResourcePolicy) != tc.policy || aws.ToString(g.Name) != "pol" {
				t.Fatalf("get: %v %+v", err, g)
			}
		}
		if _, err := c.DeleteResourcePolicy(ctx, &sm.DeleteResourcePolicyInput{SecretId: aws.String("pol")}); err != nil {
			t.Fatal(err)
		}
		if g, err := c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("pol")}); err != nil || g.ResourcePolicy != nil {
			t.Fatalf("after delete: %v %+v", err, g)
		}
		_, err := c.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String("no-such-pol")})
		wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")

		v, err := c.ValidateResourcePolicy(ctx, &sm.ValidateResourcePolicyInput{ResourcePolicy: aws.String(private)})
		if err != nil || !v.PolicyValidationPassed || len(v.ValidationErrors) != 0 {
			t.Fatalf("validate private: %v %+v", err, v)
		}
		v, err = c.ValidateResourcePolicy(ctx, &sm.ValidateResourcePolicyInput{SecretId: aws.String("pol"), ResourcePolicy: aws.String(public)})
		if err != nil || v.PolicyValidationPassed || len(v.ValidationErrors) != 1 {
			t.Fatalf("validate public: %v %+v", err, v)
		}
		_, err = c.ValidateResourcePolicy(ctx, &sm.ValidateResourcePolicyInput{ResourcePolicy: aws.String("not json")})
		wantAPIError(t, err, "MalformedPolicyDocumentException", "")
		_, err = c.ValidateResourcePolicy(ctx, &sm.ValidateResourcePolicyInput{SecretId: aws.String("no-such-pol"), ResourcePolicy: aws.String(private)})
		wantAPIError(t, err, "ResourceNotFoundException", "")
	})

	t.Run("UpdateSecretVersionStage", func(t *testing.T) {
		t.Parallel()
		mk(t, "stg", 11)
		if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("stg"), SecretString: aws.String("v2"), ClientRequestToken: token(12), VersionStages: []string{"NEXT"}}); err != nil {
			t.Fatal(err)
		}
		v1, v2 := *token(11), *token(12)
		cases := []struct {
			label, from, to string
			wantCode        string
			want            string
		}{
			{"AWSCURRENT", "", v2, "InvalidParameterException", ""},
			{"AWSCURRENT", v2, v2, "InvalidParameterException", ""},
			{"AWSCURRENT", v1, "", "InvalidParameterException", ""},
			{"AWSCURRENT", v1, strings.Repeat("9", 32), "InvalidParameterException", ""},
			{"AWSCURRENT", v1, v2, "", fmt.Sprint(map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"NEXT", "AWSCURRENT"}})},
			{"NEXT", v2, "", "", fmt.Sprint(map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}})},
			{"CUSTOM", "", v1, "", fmt.Sprint(map[string][]string{v1: {"AWSPREVIOUS", "CUSTOM"}, v2: {"AWSCURRENT"}})},
			{"CUSTOM", "", v2, "InvalidParameterException", ""},
			{"CUSTOM", v1, v2, "", fmt.Sprint(map[string][]string{v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT", "CUSTOM"}})},
			{"AWSCURRENT", v2, v1, "", fmt.Sprint(map[string][]string{v1: {"AWSCURRENT"}, v2: {"CUSTOM", "AWSPREVIOUS"}})},
		}
		for i, tc := range cases {
			in := &sm.UpdateSecretVersionStageInput{SecretId: aws.String("stg"), VersionStage: aws.String(tc.label)}
			if tc.from != "" {
				in.RemoveFromVersionId = aws.String(tc.from)
			}
			if tc.to != "" {
				in.MoveToVersionId = aws.String(tc.to)
			}
			out, err := c.UpdateSecretVersionStage(ctx, in)
			if tc.wantCode != "" {
				wantAPIError(t, err, tc.wantCode, "")
				continue
			}
			if err != nil || aws.ToString(out.Name) != "stg" {
				t.Fatalf("case %d: %v", i, err)
			}
			if got := stagesOf(t, "stg"); got != tc.want {
				t.Fatalf("case %d: stages %s, want %s", i, got, tc.want)
			}
		}
		g, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("stg")})
		if err != nil || aws.ToString(g.SecretString) != "stg-v1" {
			t.Fatalf("AWSCURRENT back on v1: %v %+v", err, g)
		}
	})

	t.Run("BatchGetSecretValue", func(t *testing.T) {
		t.Parallel()
		for i := range 3 {
			mk(t, fmt.Sprintf("batch/s%d", i), 20+i)
		}
		mk(t, "batch/gone", 30)
		if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("batch/gone")}); err != nil {
			t.Fatal(err)
		}
		out, err := c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: []string{"batch/s0", "batch/missing", "batch/gone", "batch/s2"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range out.SecretValues {
			got = append(got, aws.ToString(v.Name)+"="+aws.ToString(v.SecretString))
		}
		for _, e := range out.Errors {
			got = append(got, aws.ToString(e.SecretId)+":"+aws.ToString(e.ErrorCode))
		}
		want := "batch/s0=batch/s0-v1 batch/s2=batch/s2-v1 batch/missing:ResourceNotFoundException batch/gone:InvalidRequestException"
		if strings.Join(got, " ") != want {
			t.Fatalf("got %s\nwant %s", strings.Join(got, " "), want)
		}

		filter := []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"batch/s"}}}
		var names []string
		var next *string
		for page := 0; ; page++ {
			out, err := c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{Filters: filter, MaxResults: aws.Int32(2), NextToken: next})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range out.SecretValues {
				names = append(names, aws.ToString(v.Name))
			}
			if next = out.NextToken; next == nil || page > 3 {
				break
			}
		}
		if strings.Join(names, ",") != "batch/s0,batch/s1,batch/s2" {
			t.Fatalf("filtered pages: %v", names)
		}

		for _, in := range []*sm.BatchGetSecretValueInput{
			{},
			{SecretIdList: []string{"batch/s0"}, Filters: filter},
			{SecretIdList: []string{"batch/s0"}, MaxResults: aws.Int32(5)},
		} {
			_, err := c.BatchGetSecretValue(ctx, in)
			wantAPIError(t, err, "InvalidParameterException", "")
		}
		_, err = c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{Filters: filter, NextToken: aws.String("!!")})
		wantAPIError(t, err, "InvalidNextTokenException", "The NextToken value is invalid.")
	})

	t.Run("RotateSecret", func(t *testing.T) {
		t.Parallel()
		mk(t, "rot2", 40)
		_, err := c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("rot2")})
		wantAPIError(t, err, "InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.")
		_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("rot2"), RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope"),
			RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7), ScheduleExpression: aws.String("rate(7 days)")}})
		wantAPIError(t, err, "InvalidParameterException", "")
		_, err = c.RotateSecret(ctx, &sm.RotateSecretInput{SecretId: aws.String("rot2"), RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope"),
			RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}})
		wantAPIError(t, err, "ResourceNotFoundException", "")
		// The configuration is kept even though the function could not run.
		d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("rot2")})
		if err != nil || !aws.ToBool(d.RotationEnabled) || aws.ToString(d.RotationLambdaARN) == "" || aws.ToInt64(d.RotationRules.AutomaticallyAfterDays) != 7 || d.NextRotationDate == nil {
			t.Fatalf("describe: %v %+v", err, d)
		}
		cr, err := c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("rot2")})
		if err != nil || aws.ToString(cr.Name) != "rot2" {
			t.Fatalf("cancel: %v %+v", err, cr)
		}
		d, err = c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("rot2")})
		if err != nil || aws.ToBool(d.RotationEnabled) || d.NextRotationDate != nil {
			t.Fatalf("describe after cancel: %v %+v", err, d)
		}
		_, err = c.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String("no-such-rot")})
		wantAPIError(t, err, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	})

	t.Run("Replication", func(t *testing.T) {
		t.Parallel()
		west := func() *sm.Client {
			o := c.Options()
			o.Region = "us-west-2"
			return sm.New(o)
		}()
		eu := func() *sm.Client {
			o := c.Options()
			o.Region = "eu-west-1"
			return sm.New(o)
		}()
		// A secret of that name already in eu-west-1 makes that region fail.
		if _, err := eu.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("repl"), SecretString: aws.String("eu-own")}); err != nil {
			t.Fatal(err)
		}
		cr, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("repl"), SecretString: aws.String("v1"),
			AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("us-west-2")}}})
		if err != nil || len(cr.ReplicationStatus) != 1 || cr.ReplicationStatus[0].Status != types.StatusTypeInSync {
			t.Fatalf("create: %v %+v", err, cr)
		}
		out, err := c.ReplicateSecretToRegions(ctx, &sm.ReplicateSecretToRegionsInput{SecretId: aws.String("repl"),
			AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
		if err != nil || len(out.ReplicationStatus) != 2 || out.ReplicationStatus[1].Status != types.StatusTypeFailed {
			t.Fatalf("replicate: %v %+v", err, out)
		}
		// Writes to the primary reach the replica; writes to the replica are refused.
		if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("repl"), SecretString: aws.String("v2")}); err != nil {
			t.Fatal(err)
		}
		g, err := west.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("repl")})
		if err != nil || aws.ToString(g.SecretString) != "v2" || !strings.Contains(aws.ToString(g.ARN), ":us-west-2:") {
			t.Fatalf("replica read: %v %+v", err, g)
		}
		d, err := west.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("repl")})
		if err != nil || aws.ToString(d.PrimaryRegion) != "us-east-1" {
			t.Fatalf("replica describe: %v %+v", err, d)
		}
		for _, reg := range []string{"us-east-1", "!us-west-2"} {
			l, err := west.ListSecrets(ctx, &sm.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypePrimaryRegion, Values: []string{reg}}}})
			if err != nil || len(l.SecretList) != 1 || aws.ToString(l.SecretList[0].PrimaryRegion) != "us-east-1" {
				t.Fatalf("replica listed by primary-region %s: %v %+v", reg, err, l)
			}
		}
		_, err = west.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("repl"), SecretString: aws.String("x")})
		wantAPIError(t, err, "InvalidParameterException", "Operation not permitted on a replica secret. Call must be made in primary secret's region.")
		_, err = c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("repl")})
		wantAPIError(t, err, "InvalidRequestException", "")
		_, err = c.StopReplicationToReplica(ctx, &sm.StopReplicationToReplicaInput{SecretId: aws.String("repl")})
		wantAPIError(t, err, "InvalidRequestException", "")
		_, err = c.RemoveRegionsFromReplication(ctx, &sm.RemoveRegionsFromReplicationInput{SecretId: aws.String("repl"), RemoveReplicaRegions: []string{"ap-south-1"}})
		wantAPIError(t, err, "InvalidParameterException", "")

		rm, err := c.RemoveRegionsFromReplication(ctx, &sm.RemoveRegionsFromReplicationInput{SecretId: aws.String("repl"), RemoveReplicaRegions: []string{"eu-west-1"}})
		if err != nil || len(rm.ReplicationStatus) != 1 {
			t.Fatalf("remove: %v %+v", err, rm)
		}
		if g, err := eu.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("repl")}); err != nil || aws.ToString(g.SecretString) != "eu-own" {
			t.Fatalf("eu-west-1's own secret: %v %+v", err, g)
		}
		// Promoting the replica makes it a standalone secret.
		if _, err := west.StopReplicationToReplica(ctx, &sm.StopReplicationToReplicaInput{SecretId: aws.String("repl")}); err != nil {
			t.Fatal(err)
		}
		if _, err := west.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("repl"), SecretString: aws.String("west-own")}); err != nil {
			t.Fatal(err)
		}
		if g, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("repl")}); err != nil || aws.ToString(g.SecretString) != "v2" {
			t.Fatalf("primary after promotion: %v %+v", err, g)
		}
		if d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("repl")}); err != nil || len(d.ReplicationStatus) != 0 {
			t.Fatalf("primary describe: %v %+v", err, d)
		}
		if _, err := c.DeleteSecret(ctx, &sm.DeleteSecretInput{SecretId: aws.String("repl"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("TypeAndRotationToken", func(t *testing.T) {
		t.Parallel()
		if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("typed"), SecretString: aws.String("v"), Type: aws.String("kind-a")}); err != nil {
			t.Fatal(err)
		}
		typeOf := func() string {
			t.Helper()
			d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("typed")})
			if err != nil {
				t.Fatal(err)
			}
			return aws.ToString(d.Type)
		}
		if got := typeOf(); got != "kind-a" {
			t.Fatalf("Type after create: %q", got)
		}
		if _, err := c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("typed"), Type: aws.String("kind-b")}); err != nil {
			t.Fatal(err)
		}
		if got := typeOf(); got != "kind-b" {
			t.Fatalf("Type after update: %q", got)
		}
		// The model's constraints answer before the name's clash and the
		// secret's lookup.
		long := strings.Repeat("t", 257)
		_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("typed"), SecretString: aws.String("v"), Type: aws.String(long)})
		wantAPIError(t, err, "ValidationException", "1 validation error detected: Value '"+long+"' at 'type' failed to satisfy constraint: Member must have length less than or equal to 256")
		_, err = c.UpdateSecret(ctx, &sm.UpdateSecretInput{SecretId: aws.String("nowhere"), Type: aws.String(long)})
		wantAPIError(t, err, "ValidationException", "")
		_, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("typed"), RotationToken: aws.String("short")})
		wantAPIError(t, err, "ValidationException", "1 validation error detected: Value at 'rotationToken' failed to satisfy constraint: Member must have length greater than or equal to 36")
		if _, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("typed"), SecretString: aws.String("v2"), RotationToken: aws.String(strings.Repeat("a", 36))}); err != nil {
			t.Fatal(err)
		}
	})
}
