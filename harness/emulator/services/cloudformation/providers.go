package cloudformation

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

// resourceType is how one resource type is created, updated and deleted:
// by calling the emulator's own service through an SDK client.
type resourceType struct {
	create func(ctx context.Context, c *call) (physical string, attrs map[string]any, err error)
	// update changes a resource in place; nil: every change replaces it.
	update func(ctx context.Context, c *call) (attrs map[string]any, err error)
	delete func(ctx context.Context, c *call) error
	// replaceOn are the properties whose change replaces the resource
	// (AWS's "Update requires: Replacement").
	replaceOn []string
	// nameProps are the properties that name the resource: a replacement
	// with a custom name is refused, as AWS refuses it.
	nameProps []string
	// applied lists the properties the provider applies; others a template
	// sets are named in the resource's status reason, so nothing is
	// ignored silently (nil: not listed).
	applied []string
}

// unapplied returns a note naming the properties of props that rt does
// not apply, or "".
func (rt *resourceType) unapplied(props map[string]any) string {
	if rt.applied == nil {
		return ""
	}
	var out []string
	for _, k := range sortedKeys(props) {
		if !contains(rt.applied, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "groundstack did not apply these properties: [" + strings.Join(out, ", ") + "]"
}

// replaces reports whether changing old into new properties needs a new
// resource.
func (rt *resourceType) replaces(old, new map[string]any) bool {
	if rt.update == nil {
		return true
	}
	for _, k := range rt.replaceOn {
		if canonical(old[k]) != canonical(new[k]) {
			return true
		}
	}
	return false
}

// call is one provider call: the resource's properties (resolved) and the
// clients of the stack's account and region.
type call struct {
	cl       *clients
	stack    *stack
	logical  string
	typ      string
	props    map[string]any
	old      map[string]any // update: the properties before
	physical string
	// replacedBy is set by an update that made a new physical resource
	// (a custom resource answering with a new PhysicalResourceId): the old
	// one is deleted at the update's cleanup.
	replacedBy string
}

// name returns the property p, or a name CloudFormation would make up:
// stack-logical-SUFFIX, at most max characters (lower case for S3).
func (c *call) name(p string, max int, lower bool) string {
	if v, ok := c.props[p]; ok && str(v) != "" {
		return str(v)
	}
	return physicalName(c.stack.Name, c.logical, max, lower)
}

const nameAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func physicalName(stackName, logical string, max int, lower bool) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = nameAlphabet[int(b[i])%len(nameAlphabet)]
	}
	suffix := string(b)
	prefix := stackName + "-" + logical
	if room := max - len(suffix) - 1; len(prefix) > room {
		// AWS keeps the start of both parts.
		half := room / 2
		s := stackName
		if len(s) > half {
			s = s[:half]
		}
		l := logical
		if len(l) > room-len(s)-1 {
			l = l[:max0(room-len(s)-1)]
		}
		prefix = s + "-" + l
	}
	n := prefix + "-" + suffix
	if lower {
		n = strings.ToLower(n)
	}
	return n
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// prop helpers: template values arrive as strings, numbers, booleans,
// lists and objects.
func (c *call) str(p string) string { return str(c.props[p]) }

func (c *call) has(p string) bool { _, ok := c.props[p]; return ok }

func (c *call) strPtr(p string) *string {
	if !c.has(p) {
		return nil
	}
	return aws.String(str(c.props[p]))
}

func (c *call) int32Ptr(p string) *int32 {
	if !c.has(p) {
		return nil
	}
	n, err := strconv.Atoi(str(c.props[p]))
	if err != nil {
		return nil
	}
	return aws.Int32(int32(n))
}

func (c *call) boolean(p string) bool {
	switch v := c.props[p].(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}

// jsonText renders a policy document (an object, or already a string).
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// convert decodes a template value into an SDK type through JSON: the
// property names of most types are the API's member names.
func convert(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func tagsOf(v any) map[string]string {
	out := map[string]string{}
	l, _ := v.([]any)
	for _, el := range l {
		m, _ := el.(map[string]any)
		if m != nil {
			out[str(m["Key"])] = str(m["Value"])
		}
	}
	return out
}

// notFound reports whether a service answered that the resource is gone:
// a delete of what is already deleted succeeds, as CloudFormation's does.
func notFound(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		c := ae.ErrorCode()
		return strings.Contains(c, "NotFound") || strings.HasPrefix(c, "NoSuch") || c == "QueueDoesNotExist" ||
			c == "AWS.SimpleQueueService.NonExistentQueue" || c == "ResourceNotFoundException"
	}
	return false
}

// cause words an SDK error as the service answered it, for a resource's
// status reason.
func cause(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return errors.New(ae.ErrorMessage() + " (Service: " + ae.ErrorCode() + ")")
	}
	return err
}

// inProcess is an http.RoundTripper that hands requests to a handler (the
// account's internal edge) without a socket.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	sr := req.Clone(req.Context())
	sr.RequestURI = req.URL.RequestURI()
	sr.Host = req.URL.Host
	sr.RemoteAddr = "127.0.0.1:0"
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, sr)
	return rec.Result(), nil
}

// awsConfig is an SDK configuration whose clients reach h in the given
// account and region.
func awsConfig(h http.Handler, host, account, region string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(account, "groundstack-internal", ""),
		HTTPClient:       &http.Client{Transport: inProcess{h}},
		BaseEndpoint:     aws.String("http://" + host),
		RetryMaxAttempts: 1,
		Retryer:          func() aws.Retryer { return aws.NopRetryer{} },
	}
}

var registry = map[string]*resourceType{}

func lookupType(name string) *resourceType {
	if isCustomType(name) {
		return customType
	}
	return registry[name]
}

// resourceFailure is why a resource failed, worded as CloudFormation
// reports it in the resource's status reason (AWS's sentences, so
// capitalised and punctuated).
type resourceFailure struct{ msg string }

func (e *resourceFailure) Error() string { return e.msg }

func reasonf(format string, args ...any) error {
	return &resourceFailure{fmt.Sprintf(format, args...)}
}

// attributes are the Fn::GetAtt attributes of each type, checked before a
// stack starts as AWS checks them.
var attributes = map[string][]string{
	"AWS::S3::Bucket":                          {"Arn", "DomainName", "RegionalDomainName", "DualStackDomainName", "WebsiteURL", "BucketName"},
	"AWS::S3::BucketPolicy":                    {},
	"AWS::DynamoDB::Table":                     {"Arn", "StreamArn"},
	"AWS::SQS::Queue":                          {"Arn", "QueueName", "QueueUrl"},
	"AWS::SQS::QueuePolicy":                    {},
	"AWS::SNS::Topic":                          {"TopicArn", "TopicName"},
	"AWS::SNS::Subscription":                   {"Arn"},
	"AWS::SNS::TopicPolicy":                    {},
	"AWS::IAM::Role":                           {"Arn", "RoleId"},
	"AWS::IAM::Policy":                         {},
	"AWS::IAM::ManagedPolicy":                  {"PolicyArn", "PolicyId"},
	"AWS::Lambda::Function":                    {"Arn"},
	"AWS::Lambda::Permission":                  {},
	"AWS::Lambda::Version":                     {"Version", "FunctionArn"},
	"AWS::Lambda::Alias":                       {"AliasArn"},
	"AWS::Lambda::EventSourceMapping":          {"Id", "EventSourceMappingArn"},
	"AWS::Lambda::Url":                         {"FunctionArn", "FunctionUrl"},
	"AWS::Lambda::LayerVersion":                {"LayerVersionArn"},
	"AWS::Logs::LogGroup":                      {"Arn"},
	"AWS::SecretsManager::Secret":              {"Id"},
	"AWS::ApiGateway::RestApi":                 {"RestApiId", "RootResourceId"},
	"AWS::ApiGateway::Resource":                {"ResourceId"},
	"AWS::ApiGateway::Method":                  {},
	"AWS::ApiGateway::Deployment":              {"DeploymentId"},
	"AWS::ApiGateway::Stage":                   {},
	"AWS::ApiGatewayV2::Api":                   {"ApiId", "ApiEndpoint"},
	"AWS::ApiGatewayV2::Integration":           {"IntegrationId"},
	"AWS::ApiGatewayV2::Route":                 {"RouteId"},
	"AWS::ApiGatewayV2::Stage":                 {},
	"AWS::ApiGatewayV2::Deployment":            {"DeploymentId"},
	"AWS::CloudWatch::Alarm":                   {"Arn"},
	"AWS::IoT::TopicRule":                      {"Arn"},
	"AWS::EC2::KeyPair":                        {"KeyPairId", "KeyFingerprint"},
	"AWS::CDK::Metadata":                       {},
	"AWS::CloudFormation::WaitConditionHandle": {},
}
