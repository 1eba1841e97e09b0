package iam

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/groundstack/groundstack/harness/emulator/iampolicy"
)

// docKind says which rules a policy document follows.
type docKind int

const (
	identityPolicy docKind = iota // managed and inline permission policies
	trustPolicy                   // a role's AssumeRolePolicyDocument
)

// checkDocument applies the structural rules IAM enforces on documents it
// stores. Nothing here is enforced; the policy simulator evaluates them.
func checkDocument(doc string, k docKind) error {
	var top any
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return errMalformedPolicy.New("This policy contains invalid Json")
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return errMalformedPolicy.New("Syntax errors in policy.")
	}
	for key := range obj {
		switch key {
		case "Version", "Id", "Statement":
		default:
			return errMalformedPolicy.New("Syntax errors in policy.")
		}
	}
	if v, ok := obj["Version"]; ok {
		if s, _ := v.(string); s != "2012-10-17" && s != "2008-10-17" {
			return errMalformedPolicy.New("Policy document must be version 2012-10-17 or greater.")
		}
	}
	var statements []any
	switch st := obj["Statement"].(type) {
	case map[string]any:
		statements = []any{st}
	case []any:
		statements = st
	default:
		return errMalformedPolicy.New("Syntax errors in policy.")
	}
	if len(statements) == 0 {
		return errMalformedPolicy.New("Syntax errors in policy.")
	}
	for _, raw := range statements {
		st, ok := raw.(map[string]any)
		if !ok {
			return errMalformedPolicy.New("Syntax errors in policy.")
		}
		if e, _ := st["Effect"].(string); e != "Allow" && e != "Deny" {
			return errMalformedPolicy.New("Syntax errors in policy.")
		}
		if !has(st, "Action") && !has(st, "NotAction") {
			return errMalformedPolicy.New("Policy statement must contain actions.")
		}
		if cond, ok := st["Condition"].(map[string]any); ok {
			for op := range cond {
				if !iampolicy.KnownOperator(op) {
					return errMalformedPolicy.New("Invalid Condition type : " + op)
				}
			}
		}
		switch k {
		case identityPolicy:
			if has(st, "Principal") || has(st, "NotPrincipal") {
				return errMalformedPolicy.New("Policy document should not specify a principal.")
			}
			if !has(st, "Resource") && !has(st, "NotResource") {
				return errMalformedPolicy.New("Policy statement must contain resources.")
			}
		case trustPolicy:
			if has(st, "Resource") || has(st, "NotResource") {
				return errMalformedPolicy.New("Has prohibited field Resource")
			}
			if !has(st, "Principal") && !has(st, "NotPrincipal") {
				return errMalformedPolicy.New("Missing required field Principal")
			}
		}
	}
	return nil
}

func has(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// policySize is a document's size as IAM counts it: without whitespace.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// Size quotas IAM enforces.
const (
	maxManagedPolicySize = 6144
	maxInlineRoleSize    = 10240 // all inline policies of one role together
	maxPolicyVersions    = 5
	maxAttachedPerRole   = 10
)

// awsAccount is the "account" of AWS managed policy ARNs.
const awsAccount = "aws"

// awsManaged lists well-known AWS managed policies by name with their path,
// so an ARN with the wrong path (a common copy-paste slip) fails as on AWS.
// Names not listed are accepted as they are: AWS has over a thousand.
var awsManaged = map[string]string{
	"AWSLambdaBasicExecutionRole":          "/service-role/",
	"AWSLambdaVPCAccessExecutionRole":      "/service-role/",
	"AWSLambdaSQSQueueExecutionRole":       "/service-role/",
	"AWSLambdaDynamoDBExecutionRole":       "/service-role/",
	"AWSLambdaKinesisExecutionRole":        "/service-role/",
	"AWSLambdaMSKExecutionRole":            "/service-role/",
	"AWSLambdaRole":                        "/service-role/",
	"AWSLambdaENIManagementAccess":         "/service-role/",
	"AmazonAPIGatewayPushToCloudWatchLogs": "/service-role/",
	"AmazonECSTaskExecutionRolePolicy":     "/service-role/",
	"AmazonEC2ContainerServiceforEC2Role":  "/service-role/",
	"AmazonEC2ContainerServiceRole":        "/service-role/",
	"AmazonEC2RoleforSSM":                  "/service-role/",
	"AWSGlueServiceRole":                   "/service-role/",
	"AWSIoTRuleActions":                    "/service-role/",
	"AdministratorAccess":                  "/",
	"PowerUserAccess":                      "/",
	"ReadOnlyAccess":                       "/",
	"IAMFullAccess":                        "/",
	"IAMReadOnlyAccess":                    "/",
	"AmazonS3FullAccess":                   "/",
	"AmazonS3ReadOnlyAccess":               "/",
	"AmazonDynamoDBFullAccess":             "/",
	"AmazonDynamoDBReadOnlyAccess":         "/",
	"AmazonSQSFullAccess":                  "/",
	"AmazonSQSReadOnlyAccess":              "/",
	"AmazonSNSFullAccess":                  "/",
	"AmazonSNSReadOnlyAccess":              "/",
	"AWSLambda_FullAccess":                 "/",
	"AWSLambda_ReadOnlyAccess":             "/",
	"AWSLambdaExecute":                     "/",
	"CloudWatchLogsFullAccess":             "/",
	"CloudWatchLogsReadOnlyAccess":         "/",
	"CloudWatchFullAccess":                 "/",
	"CloudWatchReadOnlyAccess":             "/",
	"CloudWatchAgentServerPolicy":          "/",
	"SecretsManagerReadWrite":              "/",
	"AmazonEC2FullAccess":                  "/",
	"AmazonEC2ReadOnlyAccess":              "/",
	"AmazonSSMManagedInstanceCore":         "/",
	"AmazonSSMFullAccess":                  "/",
	"AmazonAPIGatewayAdministrator":        "/",
	"AmazonAPIGatewayInvokeFullAccess":     "/",
	"AWSXRayDaemonWriteAccess":             "/",
	"AmazonKinesisFullAccess":              "/",
	"AmazonEventBridgeFullAccess":          "/",
	"AWSStepFunctionsFullAccess":           "/",
	"AmazonVPCFullAccess":                  "/",
	"AWSCloudFormationFullAccess":          "/",
	"AmazonEC2ContainerRegistryReadOnly":   "/",
	"AmazonEC2ContainerRegistryFullAccess": "/",
	"AWSIoTFullAccess":                     "/",
	"AWSIoTDataAccess":                     "/",
	"ViewOnlyAccess":                       "/job-function/",
	"SystemAdministrator":                  "/job-function/",
	"NetworkAdministrator":                 "/job-function/",
	"DatabaseAdministrator":                "/job-function/",
}

// awsManagedDocs are the documents of the few AWS managed policies whose
// text is short and stable; GetPolicyVersion of others is NoSuchEntity.
var awsManagedDocs = map[string]string{
	"AdministratorAccess":            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	"AWSLambdaBasicExecutionRole":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
	"AWSLambdaSQSQueueExecutionRole": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
	"AWSLambdaDynamoDBExecutionRole": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:DescribeStream","dynamodb:GetRecords","dynamodb:GetShardIterator","dynamodb:ListStreams","logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
	"AmazonSQSFullAccess":            `{"Version":"2012-10-17","Statement":[{"Action":["sqs:*"],"Effect":"Allow","Resource":"*"}]}`,
	"AmazonSNSFullAccess":            `{"Version":"2012-10-17","Statement":[{"Action":["sns:*"],"Effect":"Allow","Resource":"*"}]}`,
}

// splitPolicyARN splits arn:aws:iam::{account}:policy{path}{name}; ok is
// false for anything else.
func splitPolicyARN(arn string) (account, path, name string, ok bool) {
	rest, found := strings.CutPrefix(arn, "arn:")
	if !found {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, ":", 5)
	if len(parts) != 5 || !strings.HasPrefix(parts[0], "aws") || parts[1] != "iam" || parts[2] != "" {
		return "", "", "", false
	}
	account = parts[3]
	if account != awsAccount && !isAccountID(account) {
		return "", "", "", false
	}
	res, found := strings.CutPrefix(parts[4], "policy/")
	if !found || res == "" || strings.HasSuffix(res, "/") {
		return "", "", "", false
	}
	i := strings.LastIndexByte(res, '/')
	return account, "/" + res[:i+1], res[i+1:], validName(res[i+1:], 128)
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validName checks IAM's name pattern [\w+=,.@-]+ and length.
func validName(s string, max int) bool {
	if len(s) < 1 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			return false
		}
	}
	return true
}
