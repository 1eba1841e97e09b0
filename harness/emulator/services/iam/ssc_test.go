package iam_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	iamsvc "github.com/groundstack/groundstack/harness/emulator/services/iam"
)

func TestServiceSpecificCredentials(t *testing.T) {
	t.Parallel()
	c := shared.c
	mustUser(t, c, "ssc-max")
	out, err := c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("ssc-max"), ServiceName: aws.String("codecommit.amazonaws.com")})
	if err != nil {
		t.Fatal(err)
	}
	cred := out.ServiceSpecificCredential
	if aws.ToString(cred.ServiceUserName) != "ssc-max-at-000000000000" || len(aws.ToString(cred.ServicePassword)) != 44 || cred.Status != types.StatusTypeActive {
		t.Fatalf("credential %+v", cred)
	}
	reset, err := c.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{UserName: aws.String("ssc-max"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId})
	if err != nil || aws.ToString(reset.ServiceSpecificCredential.ServicePassword) == aws.ToString(cred.ServicePassword) {
		t.Fatalf("reset: %v %+v", err, reset)
	}
	if _, err := c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{UserName: aws.String("ssc-max"),
		ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId, Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	list, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("ssc-max")})
	if err != nil || len(list.ServiceSpecificCredentials) != 1 || list.ServiceSpecificCredentials[0].Status != types.StatusTypeInactive {
		t.Fatalf("list: %v %+v", err, list)
	}
	_, err = c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("ssc-max"), ServiceName: aws.String("s3.amazonaws.com")})
	wantAPIError(t, err, "NotSupportedService", 404, "Service s3.amazonaws.com is not supported for service-specific credentials.")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("ssc-max")})
	wantAPIError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete service specific credentials first.")
	if _, err := c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("ssc-max"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: aws.String("ssc-max"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId})
	wantAPIError(t, err, "NoSuchEntity", 404, "No such credential "+aws.ToString(cred.ServiceSpecificCredentialId)+" exists")
}

func TestContextKeys(t *testing.T) {
	t.Parallel()
	c := shared.c
	withConditions := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
		"Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1","s3:prefix":"home/"},"Bool":{"aws:SecureTransport":"true"}}}]}`
	out, err := c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{withConditions, s3Read}})
	if err != nil || !slices.Equal(out.ContextKeyNames, []string{"aws:RequestedRegion", "aws:SecureTransport", "s3:prefix"}) {
		t.Fatalf("custom: %v %v", err, out.ContextKeyNames)
	}
	u := mustUser(t, c, "ctx-ned")
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ctx-ned"), PolicyName: aws.String("p"), PolicyDocument: aws.String(withConditions)}); err != nil {
		t.Fatal(err)
	}
	pr, err := c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: u.Arn})
	if err != nil || len(pr.ContextKeyNames) != 3 {
		t.Fatalf("principal: %v %v", err, pr.ContextKeyNames)
	}
	_, err = c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{"{"}})
	wantAPIError(t, err, "InvalidInput", 400, "Invalid policy document: the policy contains invalid JSON.")
	if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ctx-ned"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
}

func FuzzContextKeys(f *testing.F) {
	for _, s := range []string{s3Read, `{"Statement":{"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}`, `{"Statement":1}`, `{`, `{"Statement":[{"Condition":[]}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) { _, _ = iamsvc.ContextKeys([]string{doc}) })
}
