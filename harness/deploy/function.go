package deploy

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Defaults of a FunctionSpec.
const (
	DefaultRuntime = ltypes.RuntimeProvidedal2023
	DefaultHandler = "bootstrap"
	// DefaultRole is accepted by emulators; on AWS give a real role.
	DefaultRole       = "arn:aws:iam::000000000000:role/lambda-role"
	DefaultMemoryMB   = 128
	DefaultTimeout    = 10 * time.Second
	maxWaitForState   = 2 * time.Minute
	roleRetryAttempts = 10
)

// FunctionSpec is a Lambda function built from a handler zip.
type FunctionSpec struct {
	Name string
	// ZipPath is the deployment package (from BuildHandler).
	ZipPath string
	// CodeSha256 is the zip's base64 SHA-256 (BuildHandler returns it);
	// computed from the zip when empty.
	CodeSha256   string
	Runtime      ltypes.Runtime      // default provided.al2023
	Handler      string              // default "bootstrap"
	Role         string              // default DefaultRole
	Architecture ltypes.Architecture // default: the host's (x86_64 or arm64)
	MemoryMB     int32               // default 128
	Timeout      time.Duration       // default 10 s, whole seconds
	Environment  map[string]string
	Description  string
}

func (s *FunctionSpec) applyDefaults() {
	if s.Runtime == "" {
		s.Runtime = DefaultRuntime
	}
	if s.Handler == "" {
		s.Handler = DefaultHandler
	}
	if s.Role == "" {
		s.Role = DefaultRole
	}
	if s.Architecture == "" {
		s.Architecture = ltypes.ArchitectureX8664
		if runtime.GOARCH == "arm64" {
			s.Architecture = ltypes.ArchitectureArm64
		}
	}
	if s.MemoryMB == 0 {
		s.MemoryMB = DefaultMemoryMB
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
}

// EnsureFunction creates the function, or brings an existing one up to the
// spec: new code when the zip's CodeSha256 differs, new configuration when
// a setting differs. It waits (SDK waiters) until the function is Active
// and its last update Successful, and returns its ARN. Calling it again
// with the same spec changes nothing.
func EnsureFunction(ctx context.Context, cfg aws.Config, spec FunctionSpec) (arn string, err error) {
	if spec.Name == "" || spec.ZipPath == "" {
		return "", errors.New("deploy: FunctionSpec needs Name and ZipPath")
	}
	defer func() {
		if err == nil {
			recordFunction(spec.ZipPath, spec.Name)
		}
	}()
	spec.applyDefaults()
	zip, err := os.ReadFile(spec.ZipPath)
	if err != nil {
		return "", fmt.Errorf("deploy: read %s: %w", spec.ZipPath, err)
	}
	if spec.CodeSha256 == "" {
		sum := sha256.Sum256(zip)
		spec.CodeSha256 = base64.StdEncoding.EncodeToString(sum[:])
	}
	c := lambda.NewFromConfig(cfg)
	got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &spec.Name})
	var notFound *ltypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return createFunction(ctx, c, spec, zip)
	case err != nil:
		return "", fmt.Errorf("deploy: get function %s: %w", spec.Name, err)
	}
	fc := got.Configuration
	if err := waitUpdated(ctx, c, spec.Name); err != nil {
		return "", err
	}
	if aws.ToString(fc.CodeSha256) != spec.CodeSha256 || !sameArchitecture(fc.Architectures, spec.Architecture) {
		_, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
			FunctionName: &spec.Name, ZipFile: zip, Architectures: []ltypes.Architecture{spec.Architecture},
		})
		if err != nil {
			return "", fmt.Errorf("deploy: update code of %s: %w", spec.Name, err)
		}
		if err := waitUpdated(ctx, c, spec.Name); err != nil {
			return "", err
		}
	}
	if !configMatches(fc, spec) {
		_, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName: &spec.Name, Runtime: spec.Runtime, Handler: &spec.Handler, Role: &spec.Role,
			MemorySize: &spec.MemoryMB, Timeout: aws.Int32(seconds(spec.Timeout)), Description: &spec.Description,
			Environment: &ltypes.Environment{Variables: orEmpty(spec.Environment)},
		})
		if err != nil {
			return "", fmt.Errorf("deploy: update configuration of %s: %w", spec.Name, err)
		}
		if err := waitUpdated(ctx, c, spec.Name); err != nil {
			return "", err
		}
	}
	return aws.ToString(fc.FunctionArn), nil
}

func createFunction(ctx context.Context, c *lambda.Client, spec FunctionSpec, zip []byte) (string, error) {
	in := &lambda.CreateFunctionInput{
		FunctionName: &spec.Name, Role: &spec.Role, Runtime: spec.Runtime, Handler: &spec.Handler,
		Code: &ltypes.FunctionCode{ZipFile: zip}, Architectures: []ltypes.Architecture{spec.Architecture},
		MemorySize: &spec.MemoryMB, Timeout: aws.Int32(seconds(spec.Timeout)), Description: &spec.Description,
		PackageType: ltypes.PackageTypeZip,
	}
	if len(spec.Environment) > 0 {
		in.Environment = &ltypes.Environment{Variables: spec.Environment}
	}
	var out *lambda.CreateFunctionOutput
	var err error
	for attempt := 0; attempt < roleRetryAttempts; attempt++ {
		out, err = c.CreateFunction(ctx, in)
		// on AWS a freshly created role takes a few seconds to become assumable
		var invalid *ltypes.InvalidParameterValueException
		if err == nil || !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "cannot be assumed") {
			break
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(3 * time.Second):
		}
	}
	if err != nil {
		return "", fmt.Errorf("deploy: create function %s: %w", spec.Name, err)
	}
	w := lambda.NewFunctionActiveV2Waiter(c, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 5*time.Second
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &spec.Name}, maxWaitForState); err != nil {
		return "", fmt.Errorf("deploy: wait for %s to be Active: %w", spec.Name, err)
	}
	return aws.ToString(out.FunctionArn), nil
}

// waitUpdated waits until the function's last update has finished (a new
// update before that is refused with ResourceConflictException).
func waitUpdated(ctx context.Context, c *lambda.Client, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(c, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, 5*time.Second
	})
	if err := w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &name}, maxWaitForState); err != nil {
		return fmt.Errorf("deploy: wait for %s to finish updating: %w", name, err)
	}
	return nil
}

func seconds(d time.Duration) int32 {
	s := int32((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func sameArchitecture(have []ltypes.Architecture, want ltypes.Architecture) bool {
	if len(have) == 0 {
		return want == ltypes.ArchitectureX8664
	}
	return len(have) == 1 && have[0] == want
}

func configMatches(fc *ltypes.FunctionConfiguration, spec FunctionSpec) bool {
	var env map[string]string
	if fc.Environment != nil {
		env = fc.Environment.Variables
	}
	return fc.Runtime == spec.Runtime && aws.ToString(fc.Handler) == spec.Handler && aws.ToString(fc.Role) == spec.Role &&
		aws.ToInt32(fc.MemorySize) == spec.MemoryMB && aws.ToInt32(fc.Timeout) == seconds(spec.Timeout) &&
		aws.ToString(fc.Description) == spec.Description && maps.Equal(orEmpty(env), orEmpty(spec.Environment))
}

// EnsureFunctionURL gives function a Function URL with authType (NONE or
// AWS_IAM), creating or updating its config, and, for NONE, the public
// invoke permission AWS requires. It returns the URL.
func EnsureFunctionURL(ctx context.Context, cfg aws.Config, function string, authType ltypes.FunctionUrlAuthType) (url string, err error) {
	if authType == "" {
		authType = ltypes.FunctionUrlAuthTypeNone
	}
	c := lambda.NewFromConfig(cfg)
	got, err := c.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: &function})
	var notFound *ltypes.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		out, err := c.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: &function, AuthType: authType})
		if err != nil {
			return "", fmt.Errorf("deploy: create function URL of %s: %w", function, err)
		}
		url = aws.ToString(out.FunctionUrl)
	case err != nil:
		return "", fmt.Errorf("deploy: get function URL of %s: %w", function, err)
	default:
		url = aws.ToString(got.FunctionUrl)
		if got.AuthType != authType {
			if _, err := c.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: &function, AuthType: authType}); err != nil {
				return "", fmt.Errorf("deploy: update function URL of %s: %w", function, err)
			}
		}
	}
	if authType == ltypes.FunctionUrlAuthTypeNone {
		// since 2025 a public URL needs both statements
		perms := []lambda.AddPermissionInput{
			{FunctionName: &function, StatementId: aws.String("FunctionURLAllowPublicAccess"), Action: aws.String("lambda:InvokeFunctionUrl"),
				Principal: aws.String("*"), FunctionUrlAuthType: ltypes.FunctionUrlAuthTypeNone},
			{FunctionName: &function, StatementId: aws.String("FunctionURLInvokeAllowPublicAccess"), Action: aws.String("lambda:InvokeFunction"),
				Principal: aws.String("*"), InvokedViaFunctionUrl: aws.Bool(true)},
		}
		for i := range perms {
			if err := addPermission(ctx, c, &perms[i]); err != nil {
				return "", err
			}
		}
	}
	return url, nil
}

// addPermission adds a resource-policy statement; one that exists already
// is fine.
func addPermission(ctx context.Context, c *lambda.Client, in *lambda.AddPermissionInput) error {
	_, err := c.AddPermission(ctx, in)
	var conflict *ltypes.ResourceConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("deploy: add permission %s to %s: %w", aws.ToString(in.StatementId), aws.ToString(in.FunctionName), err)
	}
	return nil
}
