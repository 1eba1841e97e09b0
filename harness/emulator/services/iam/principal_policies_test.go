package iam_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestUserAndGroupPolicies(t *testing.T) {
	t.Parallel()
	c := shared.c
	mustUser(t, c, "pp-ivy")
	if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("pp-readers")}); err != nil {
		t.Fatal(err)
	}
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("pp-read"), PolicyDocument: aws.String(s3Read)})
	if err != nil {
		t.Fatal(err)
	}
	arn := pol.Policy.Arn
	steps := []func() error{
		func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(s3Read)})
			return err
		},
		func() error {
			_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(s3Read)})
			return err
		},
		func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyArn: aws.String(basicExec)})
			return err
		},
		func() error {
			_, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
			return err
		},
		func() error {
			_, err := c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"a"}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	doc, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyName: aws.String("inline")})
	if err != nil || aws.ToString(doc.UserName) != "pp-ivy" {
		t.Fatalf("get user policy: %v %+v", err, doc)
	}
	if d, _ := url.QueryUnescape(aws.ToString(doc.PolicyDocument)); d != s3Read {
		t.Fatalf("document %q", aws.ToString(doc.PolicyDocument))
	}
	names, err := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("pp-readers")})
	if err != nil || len(names.PolicyNames) != 1 || names.PolicyNames[0] != "inline" {
		t.Fatalf("group policies: %v %+v", err, names)
	}
	attached, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("pp-readers")})
	if err != nil || len(attached.AttachedPolicies) != 2 || aws.ToString(attached.AttachedPolicies[1].PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("attached: %v %+v", err, attached)
	}
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn})
	if err != nil || len(ents.PolicyUsers) != 1 || len(ents.PolicyGroups) != 1 || len(ents.PolicyRoles) != 0 ||
		aws.ToString(ents.PolicyUsers[0].UserName) != "pp-ivy" || aws.ToString(ents.PolicyGroups[0].GroupName) != "pp-readers" {
		t.Fatalf("entities: %v %+v", err, ents)
	}
	ents, err = c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: types.EntityTypeGroup})
	if err != nil || len(ents.PolicyUsers) != 0 || len(ents.PolicyGroups) != 1 {
		t.Fatalf("entities of groups: %v %+v", err, ents)
	}
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil || aws.ToInt32(got.Policy.AttachmentCount) != 2 {
		t.Fatalf("policy: %v %+v", err, got)
	}
	tags, err := c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "b" {
		t.Fatalf("policy tags: %v %+v", err, tags)
	}

	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2000) + `"}]}`
	cases := []struct {
		name   string
		call   func() error
		code   string
		status int
		msg    string
	}{
		{"delete user with an inline policy", func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pp-ivy")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must detach all policies first."},
		{"delete group with policies", func() error {
			_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("pp-readers")})
			return err
		},
			"DeleteConflict", 409, "Cannot delete entity, must detach all policies first."},
		{"delete an attached policy", func() error { _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}); return err },
			"DeleteConflict", 409, "Cannot delete a policy attached to entities."},
		{"missing inline", func() error {
			_, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyName: aws.String("nope")})
			return err
		}, "NoSuchEntity", 404, "The group policy with name nope cannot be found."},
		{"user inline quota", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
			return err
		}, "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user pp-ivy"},
		{"malformed", func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyName: aws.String("bad"), PolicyDocument: aws.String("{")})
			return err
		}, "MalformedPolicyDocument", 400, "This policy contains invalid Json"},
		{"attach to a missing user", func() error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: arn})
			return err
		}, "NoSuchEntity", 404, "The user with name nobody cannot be found."},
		{"tag an AWS managed policy", func() error {
			_, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(basicExec), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "AccessDenied", 403, "User: arn:aws:iam::000000000000:root is not authorized to perform: iam:TagPolicy on resource: policy " + basicExec},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.call(), tc.code, tc.status, tc.msg) })
	}

	undo := []func() error{
		func() error {
			_, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("pp-ivy"), PolicyName: aws.String("inline")})
			return err
		},
		func() error {
			_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("pp-ivy")})
			return err
		},
		func() error {
			_, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyArn: aws.String(basicExec)})
			return err
		},
		func() error {
			_, err := c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("pp-readers"), PolicyName: aws.String("inline")})
			return err
		},
		func() error {
			_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("pp-readers")})
			return err
		},
		func() error { _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn}); return err },
	}
	for i, step := range undo {
		if err := step(); err != nil {
			t.Fatalf("undo %d: %v", i, err)
		}
	}
}

func TestListPoliciesGrantingServiceAccess(t *testing.T) {
	t.Parallel()
	c := shared.c
	u := mustUser(t, c, "gr-pat")
	if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("gr-ops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("gr-ops"), UserName: aws.String("gr-pat")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("gr-pat"), PolicyName: aws.String("s3-read"), PolicyDocument: aws.String(s3Read)}); err != nil {
		t.Fatal(err)
	}
	sqsAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}`
	if _, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("gr-ops"), PolicyName: aws.String("queues"), PolicyDocument: aws.String(sqsAll)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: u.Arn, ServiceNamespaces: []string{"s3", "sqs", "ec2"}})
	if err != nil || len(out.PoliciesGrantingServiceAccess) != 3 {
		t.Fatalf("granting: %v %+v", err, out)
	}
	s3, sqs, ec2 := out.PoliciesGrantingServiceAccess[0], out.PoliciesGrantingServiceAccess[1], out.PoliciesGrantingServiceAccess[2]
	if len(s3.Policies) != 1 || aws.ToString(s3.Policies[0].PolicyName) != "s3-read" || s3.Policies[0].PolicyType != types.PolicyTypeInline ||
		s3.Policies[0].EntityType != types.PolicyOwnerEntityTypeUser {
		t.Fatalf("s3: %+v", s3)
	}
	if len(sqs.Policies) != 1 || aws.ToString(sqs.Policies[0].EntityName) != "gr-ops" || len(ec2.Policies) != 0 {
		t.Fatalf("sqs %+v ec2 %+v", sqs, ec2)
	}
	_, err = c.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String("arn:aws:iam::000000000000:user/nobody"), ServiceNamespaces: []string{"s3"}})
	wantAPIError(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
}
