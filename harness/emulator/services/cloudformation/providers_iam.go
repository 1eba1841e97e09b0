package cloudformation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func init() {
	registry["AWS::IAM::User"] = &resourceType{
		create: createUser,
		delete: deleteUser,
	}
	registry["AWS::IAM::Group"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			name := c.name("GroupName", 128, false)
			out, err := c.cl.iam().CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String(name), Path: c.strPtr("Path")})
			if err != nil {
				return "", nil, cause(err)
			}
			for _, a := range listOf(c.props["ManagedPolicyArns"]) {
				if _, err := c.cl.iam().AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String(name), PolicyArn: aws.String(str(a))}); err != nil {
					_ = deleteGroup(ctx, &call{cl: c.cl, props: c.props, physical: name})
					return "", nil, cause(err)
				}
			}
			return name, map[string]any{"Arn": aws.ToString(out.Group.Arn)}, nil
		},
		delete: deleteGroup,
	}
	registry["AWS::IAM::AccessKey"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			out, err := c.cl.iam().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: c.strPtr("UserName")})
			if err != nil {
				return "", nil, cause(err)
			}
			id := aws.ToString(out.AccessKey.AccessKeyId)
			return id, map[string]any{"SecretAccessKey": aws.ToString(out.AccessKey.SecretAccessKey)}, nil
		},
		delete: func(ctx context.Context, c *call) error {
			_, err := c.cl.iam().DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: c.strPtr("UserName"), AccessKeyId: aws.String(c.physical)})
			return ignoreGone(err)
		},
	}
	registry["AWS::IAM::InstanceProfile"] = &resourceType{
		create: func(ctx context.Context, c *call) (string, map[string]any, error) {
			name := c.name("InstanceProfileName", 128, false)
			out, err := c.cl.iam().CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name), Path: c.strPtr("Path")})
			if err != nil {
				return "", nil, cause(err)
			}
			for _, r := range listOf(c.props["Roles"]) {
				if _, err := c.cl.iam().AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(name), RoleName: aws.String(str(r))}); err != nil {
					_ = deleteInstanceProfile(ctx, &call{cl: c.cl, props: c.props, physical: name})
					return "", nil, cause(err)
				}
			}
			return name, map[string]any{"Arn": aws.ToString(out.InstanceProfile.Arn)}, nil
		},
		delete: deleteInstanceProfile,
	}
	attributes["AWS::IAM::User"] = []string{"Arn"}
	attributes["AWS::IAM::Group"] = []string{"Arn"}
	attributes["AWS::IAM::AccessKey"] = []string{"SecretAccessKey"}
	attributes["AWS::IAM::InstanceProfile"] = []string{"Arn"}
}

func createUser(ctx context.Context, c *call) (string, map[string]any, error) {
	name := c.name("UserName", 64, false)
	out, err := c.cl.iam().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: c.strPtr("Path")})
	if err != nil {
		return "", nil, cause(err)
	}
	c.physical = name
	if err := userAttachments(ctx, c); err != nil {
		_ = deleteUser(ctx, c)
		return "", nil, err
	}
	return name, map[string]any{"Arn": aws.ToString(out.User.Arn)}, nil
}

// userAttachments gives a new user its groups, managed and inline policies.
func userAttachments(ctx context.Context, c *call) error {
	u := aws.String(c.physical)
	for _, g := range listOf(c.props["Groups"]) {
		if _, err := c.cl.iam().AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: u, GroupName: aws.String(str(g))}); err != nil {
			return cause(err)
		}
	}
	for _, a := range listOf(c.props["ManagedPolicyArns"]) {
		if _, err := c.cl.iam().AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: u, PolicyArn: aws.String(str(a))}); err != nil {
			return cause(err)
		}
	}
	for _, p := range listOf(c.props["Policies"]) {
		pm := mapOf(p)
		if _, err := c.cl.iam().PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: u, PolicyName: aws.String(str(pm["PolicyName"])), PolicyDocument: aws.String(jsonText(pm["PolicyDocument"]))}); err != nil {
			return cause(err)
		}
	}
	return nil
}

// deleteUser takes the user's groups and policies away first, as IAM
// refuses to delete a user that has them.
func deleteUser(ctx context.Context, c *call) error {
	u := aws.String(c.physical)
	for _, g := range listOf(c.props["Groups"]) {
		_, _ = c.cl.iam().RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: u, GroupName: aws.String(str(g))})
	}
	for _, a := range listOf(c.props["ManagedPolicyArns"]) {
		_, _ = c.cl.iam().DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: u, PolicyArn: aws.String(str(a))})
	}
	for _, p := range listOf(c.props["Policies"]) {
		_, _ = c.cl.iam().DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: u, PolicyName: aws.String(str(mapOf(p)["PolicyName"]))})
	}
	_, err := c.cl.iam().DeleteUser(ctx, &iam.DeleteUserInput{UserName: u})
	return ignoreGone(err)
}

func deleteGroup(ctx context.Context, c *call) error {
	for _, a := range listOf(c.props["ManagedPolicyArns"]) {
		_, _ = c.cl.iam().DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String(c.physical), PolicyArn: aws.String(str(a))})
	}
	_, err := c.cl.iam().DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String(c.physical)})
	return ignoreGone(err)
}

func deleteInstanceProfile(ctx context.Context, c *call) error {
	for _, r := range listOf(c.props["Roles"]) {
		_, _ = c.cl.iam().RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(c.physical), RoleName: aws.String(str(r))})
	}
	_, err := c.cl.iam().DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(c.physical)})
	return ignoreGone(err)
}
