// Package scriptrunner deploys the scriptrunner flow through the AWS APIs:
// the scripts bucket with the fixture scripts, an EC2 key pair whose private
// key goes to Secrets Manager, the instance (a fake SSH host on groundstack),
// the function's role, the executions' log group, the function and a REST
// API with POST /invoke on stage Prod. Deploy is idempotent. It must not
// import harness/emulator.
package scriptrunner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	fixtures "github.com/groundstack/groundstack/fixtures/scriptrunner"
	"github.com/groundstack/groundstack/handlers/scriptrunner/runner"
	"github.com/groundstack/groundstack/harness/deploy"
)

// Defaults of Options.
const (
	DefaultName        = "scriptrunner"
	DefaultIdleTimeout = 15 * time.Minute
	DefaultImage       = "ami-0groundstack00000" // any AMI id: the host is fake
	HandlerPkg         = "handlers/scriptrunner/api"
	Stage              = "Prod"
	ScriptsPrefix      = "scripts"
	// TagIdleTimeout asks groundstack's EC2 to stop the host after that long
	// without a session ("auto-stop after inactivity"); AWS ignores it.
	TagIdleTimeout = "groundstack:idle-timeout"
)

// Options tune a deployment; the zero value is the demo.
type Options struct {
	// Name prefixes every resource (default "scriptrunner"), so several
	// stacks can share a cloud.
	Name string
	// IdleTimeout stops the instance after that long without a session
	// (default 15 min; negative: never).
	IdleTimeout time.Duration
	// ScriptTimeout is the run time limit (default 10 s).
	ScriptTimeout time.Duration
	// FunctionTimeout is the Lambda timeout (default ScriptTimeout + 20 s).
	FunctionTimeout time.Duration
}

func (o *Options) defaults() {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.ScriptTimeout <= 0 {
		o.ScriptTimeout = runner.DefaultTimeout
	}
	if o.FunctionTimeout <= 0 {
		o.FunctionTimeout = o.ScriptTimeout + 20*time.Second
	}
}

// Stack is what a deployment made.
type Stack struct {
	Endpoint string `json:"endpoint"`
	// InvokeURL is POST /invoke on the Prod stage (no DNS needed);
	// InvokeHostURL is the same on its execute-api host.
	InvokeURL     string           `json:"invoke_url"`
	InvokeHostURL string           `json:"invoke_host_url"`
	Function      string           `json:"function"`
	Bucket        string           `json:"bucket"`
	Prefix        string           `json:"prefix"`
	InstanceID    string           `json:"instance_id"`
	KeyPair       string           `json:"key_pair"`
	SecretID      string           `json:"secret_id"`
	LogGroup      string           `json:"log_group"`
	Timings       map[string]int64 `json:"timings_ms"`
}

// Names derives the resource names of a stack called name.
func names(name string) (bucket, keyPair, secret, function, role, api string) {
	return name + "-scripts", name + "-keypair", name + "/ssh-key", name + "-invoke", name + "-invoke-role", name
}

// Deploy creates or updates the flow on the cloud cfg points at.
func Deploy(ctx context.Context, cfg aws.Config, opts Options) (Stack, error) {
	opts.defaults()
	bucket, keyPair, secretName, function, roleName, apiName := names(opts.Name)
	st := Stack{
		Endpoint: aws.ToString(cfg.BaseEndpoint), Function: function, Bucket: bucket, Prefix: ScriptsPrefix,
		KeyPair: keyPair, LogGroup: runner.DefaultLogGroup, Timings: map[string]int64{},
	}
	var zip, sha, role string
	steps := []struct {
		name string
		f    func() error
	}{
		{"build handler", func() (err error) { zip, sha, err = deploy.BuildFlowHandler(ctx, HandlerPkg); return err }},
		{"scripts", func() error { return UploadScripts(ctx, cfg, bucket) }},
		{"key pair", func() (err error) { st.SecretID, err = ensureKeyPair(ctx, cfg, keyPair, secretName); return err }},
		{"instance", func() (err error) { st.InstanceID, err = ensureInstance(ctx, cfg, opts, keyPair); return err }},
		{"role", func() (err error) {
			role, err = ensureRole(ctx, cfg, roleName, function, bucket, st.SecretID)
			return err
		}},
		{"function", func() error {
			_, err := deploy.EnsureFunction(ctx, cfg, deploy.FunctionSpec{
				Name: function, ZipPath: zip, CodeSha256: sha, Role: role, MemoryMB: 256, Timeout: opts.FunctionTimeout,
				Description: "scriptrunner: runs a named script from S3 on an EC2 host over SSH",
				Environment: map[string]string{
					"SCRIPTS_BUCKET": bucket, "SCRIPTS_PREFIX": ScriptsPrefix, "INSTANCE_ID": st.InstanceID,
					"KEY_SECRET_ID": st.SecretID, "KEY_PAIR_NAME": keyPair, "SCRIPT_TIMEOUT": opts.ScriptTimeout.String(),
				},
			})
			return err
		}},
		// The executions' log exists from the start, so reading it before
		// the first run answers "no events" rather than "no such group".
		{"log group", func() error { return ensureLogGroup(ctx, cfg, st.LogGroup) }},
		{"rest api", func() error {
			api, err := deploy.EnsureRestAPI(ctx, cfg, deploy.RestAPISpec{
				Name: apiName, Description: "scriptrunner flow", Stage: Stage,
				Routes: []deploy.Route{{Path: "/invoke", Method: "POST", Function: function}},
			})
			st.InvokeURL, st.InvokeHostURL = api.URL+"/invoke", api.URLs.Host+"/invoke"
			return err
		}},
	}
	for _, s := range steps {
		start := time.Now()
		err := s.f()
		st.Timings[s.name] = time.Since(start).Milliseconds()
		if err != nil {
			return st, fmt.Errorf("scriptrunner: %s: %w", s.name, err)
		}
	}
	return st, nil
}

// UploadScripts creates bucket if needed and puts every fixture script
// under scripts/.
func UploadScripts(ctx context.Context, cfg aws.Config, bucket string) error {
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &bucket}); err != nil {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil && !deploy.HasCode(err, "BucketAlreadyOwnedByYou") {
			return fmt.Errorf("create bucket %s: %w", bucket, err)
		}
	}
	return fs.WalkDir(fixtures.Scripts, "scripts", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fixtures.Scripts, p)
		if err != nil {
			return err
		}
		return PutScript(ctx, cfg, bucket, path.Base(p), b)
	})
}

// PutScript uploads (or replaces) one script.
func PutScript(ctx context.Context, cfg aws.Config, bucket, name string, body []byte) error {
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	key := ScriptsPrefix + "/" + name
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body), ContentType: aws.String("text/plain")}); err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return nil
}

// ensureKeyPair makes the key pair and keeps its private key in the secret
// ({"<key pair>": "<PEM>"}, as the original stored it). AWS shows a private
// key only once, so a key pair whose key is not in the secret is replaced.
func ensureKeyPair(ctx context.Context, cfg aws.Config, keyPair, secretName string) (string, error) {
	sm := secretsmanager.NewFromConfig(cfg)
	e := ec2.NewFromConfig(cfg)
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretName})
	var nf *smtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return "", err
	}
	if err == nil {
		var keys map[string]string
		_ = json.Unmarshal([]byte(aws.ToString(got.SecretString)), &keys)
		_, derr := e.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{KeyNames: []string{keyPair}})
		if keys[keyPair] != "" && derr == nil {
			return aws.ToString(got.ARN), nil
		}
	}
	if _, err := e.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: &keyPair}); err != nil && !deploy.HasCode(err, "InvalidKeyPair.NotFound") {
		return "", fmt.Errorf("delete stale key pair: %w", err)
	}
	kp, err := e.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: &keyPair, KeyType: ec2types.KeyTypeEd25519, KeyFormat: ec2types.KeyFormatPem})
	if err != nil {
		return "", fmt.Errorf("create key pair: %w", err)
	}
	value, _ := json.Marshal(map[string]string{keyPair: aws.ToString(kp.KeyMaterial)})
	if got != nil { // the secret exists: a new version
		out, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &secretName, SecretString: aws.String(string(value))})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.ARN), nil
	}
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: &secretName, SecretString: aws.String(string(value)),
		Description: aws.String("private key of the " + keyPair + " EC2 key pair (scriptrunner)"),
	})
	if err != nil {
		return "", fmt.Errorf("create secret: %w", err)
	}
	return aws.ToString(out.ARN), nil
}

// ensureInstance finds the stack's instance (by its Name tag, not
// terminated) or launches it, and waits until it runs.
func ensureInstance(ctx context.Context, cfg aws.Config, opts Options, keyPair string) (string, error) {
	e := ec2.NewFromConfig(cfg)
	host := opts.Name + "-host"
	out, err := e.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:Name"), Values: []string{host}},
		{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
	}})
	if err != nil {
		return "", err
	}
	for _, r := range out.Reservations {
		for _, inst := range r.Instances {
			if aws.ToString(inst.KeyName) == keyPair {
				return aws.ToString(inst.InstanceId), nil
			}
			// Launched with a key pair since replaced: its key is gone.
			if _, err := e.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{aws.ToString(inst.InstanceId)}}); err != nil {
				return "", err
			}
		}
	}
	tags := []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(host)}, {Key: aws.String("flow"), Value: aws.String("scriptrunner")}}
	if opts.IdleTimeout > 0 {
		tags = append(tags, ec2types.Tag{Key: aws.String(TagIdleTimeout), Value: aws.String(opts.IdleTimeout.String())})
	}
	run, err := e.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(DefaultImage), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		KeyName:           &keyPair,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags}},
	})
	if err != nil {
		return "", fmt.Errorf("run instance: %w", err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	w := ec2.NewInstanceRunningWaiter(e, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, time.Second
	})
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, time.Minute); err != nil {
		return "", fmt.Errorf("instance %s: %w", id, err)
	}
	return id, nil
}

// ensureRole makes the function's execution role, allowed exactly what the
// handler does.
func ensureRole(ctx context.Context, cfg aws.Config, roleName, function, bucket, secretARN string) (string, error) {
	return deploy.EnsureExecutionRole(ctx, cfg, roleName, "execution role of the scriptrunner function", "scriptrunner",
		func(p deploy.RoleARNParts) []deploy.Statement {
			logs := "arn:" + p.Partition + ":logs:" + cfg.Region + ":" + p.Account + ":log-group:"
			return []deploy.Statement{
				deploy.Allow([]string{"arn:" + p.Partition + ":s3:::" + bucket + "/" + ScriptsPrefix + "/*"}, "s3:GetObject"),
				// Without ListBucket, S3 answers 403 rather than 404 for a missing script.
				deploy.Allow([]string{"arn:" + p.Partition + ":s3:::" + bucket}, "s3:ListBucket"),
				deploy.Allow([]string{secretARN}, "secretsmanager:GetSecretValue"),
				deploy.Allow([]string{"*"}, "ec2:DescribeInstances", "ec2:StartInstances"),
				deploy.Allow([]string{logs + "/aws/lambda/" + function + ":*", logs + runner.DefaultLogGroup + ":*"},
					"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
			}
		})
}

// ensureLogGroup creates the log group unless it exists.
func ensureLogGroup(ctx context.Context, cfg aws.Config, name string) error {
	_, err := cloudwatchlogs.NewFromConfig(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name})
	if err != nil && !deploy.HasCode(err, "ResourceAlreadyExistsException") {
		return fmt.Errorf("create log group %s: %w", name, err)
	}
	return nil
}
