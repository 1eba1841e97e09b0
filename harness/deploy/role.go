package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// lambdaTrust lets Lambda assume a function's execution role.
const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// Statement is one IAM policy statement.
type Statement struct {
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// Allow is a statement allowing actions on resources.
func Allow(resources []string, actions ...string) Statement {
	return Statement{Effect: "Allow", Action: actions, Resource: resources}
}

// RoleARNParts is what an ARN built for a role's account needs.
type RoleARNParts struct{ Partition, Account string }

// EnsureExecutionRole makes a function's execution role (assumable by
// Lambda) and rewrites its inline policy on every deploy; the role itself
// is reused. statements gets the role's partition and account, so policies
// name exact resources.
func EnsureExecutionRole(ctx context.Context, cfg aws.Config, name, description, policyName string, statements func(RoleARNParts) []Statement) (string, error) {
	c := iam.NewFromConfig(cfg)
	var arn string
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
	var nf *iamtypes.NoSuchEntityException
	switch {
	case err == nil:
		arn = aws.ToString(got.Role.Arn)
	case errors.As(err, &nf):
		out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: &name, AssumeRolePolicyDocument: aws.String(lambdaTrust), Description: &description})
		if err != nil {
			return "", fmt.Errorf("create role: %w", err)
		}
		arn = aws.ToString(out.Role.Arn)
	default:
		return "", fmt.Errorf("get role: %w", err)
	}
	parts := RoleARNParts{Partition: "aws", Account: "*"}
	if f := strings.Split(arn, ":"); len(f) > 4 {
		parts = RoleARNParts{Partition: f[1], Account: f[4]}
	}
	policy, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements(parts)})
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &name, PolicyName: &policyName, PolicyDocument: aws.String(string(policy))}); err != nil {
		return "", fmt.Errorf("put role policy: %w", err)
	}
	return arn, nil
}
