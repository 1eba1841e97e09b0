package runner

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/crypto/ssh"
)

// Defaults of Config.
const (
	DefaultUser         = "ec2-user"
	DefaultKeyPairName  = "runner-keypair"
	DefaultRemoteDir    = "scripts"
	DefaultTimeout      = 10 * time.Second
	DefaultStartTimeout = 60 * time.Second
	DefaultMaxOutput    = 256 << 10
	DefaultLogGroup     = "/scriptrunner/executions"
	// Tags the emulator's EC2 service sets on instances backed by a fake
	// host; on AWS the port is 22 and the host key comes from SSH_HOST_KEY.
	TagSSHPort    = "groundstack:ssh-port"
	TagSSHHostKey = "groundstack:ssh-host-key"
	maxScriptSize = 10 << 20
)

// Config is the function's configuration (from its environment).
type Config struct {
	Bucket string
	// Prefix is the folder of the scripts in Bucket ("scripts").
	Prefix     string
	InstanceID string
	// SecretID names the secret holding {"<KeyPairName>": "<PEM>"}.
	SecretID    string
	KeyPairName string
	User        string
	// HostKey pins the host's key (authorized_keys form); when empty the
	// instance's groundstack:ssh-host-key tag is used.
	HostKey   string
	RemoteDir string
	// Timeout bounds one script run (504 past it).
	Timeout      time.Duration
	StartTimeout time.Duration
	// MaxOutput bounds each of stdout and stderr in the answer.
	MaxOutput int
	LogGroup  string
	Now       func() time.Time
	Log       *slog.Logger
}

func (c *Config) defaults() {
	if c.KeyPairName == "" {
		c.KeyPairName = DefaultKeyPairName
	}
	if c.User == "" {
		c.User = DefaultUser
	}
	if c.RemoteDir == "" {
		c.RemoteDir = DefaultRemoteDir
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = DefaultStartTimeout
	}
	if c.MaxOutput <= 0 {
		c.MaxOutput = DefaultMaxOutput
	}
	if c.LogGroup == "" {
		c.LogGroup = DefaultLogGroup
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	c.Prefix = strings.Trim(c.Prefix, "/")
}

// The AWS calls the runner makes (satisfied by the SDK clients).
type (
	ObjectStore interface {
		HeadObject(context.Context, *s3.HeadObjectInput, ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
		GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	}
	SecretStore interface {
		GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	}
	Instances interface {
		DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
		StartInstances(context.Context, *ec2.StartInstancesInput, ...func(*ec2.Options)) (*ec2.StartInstancesOutput, error)
	}
	LogSink interface {
		CreateLogGroup(context.Context, *cloudwatchlogs.CreateLogGroupInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
		CreateLogStream(context.Context, *cloudwatchlogs.CreateLogStreamInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error)
		PutLogEvents(context.Context, *cloudwatchlogs.PutLogEventsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error)
	}
)

// Clients are the AWS clients the runner uses.
type Clients struct {
	S3      ObjectStore
	Secrets SecretStore
	EC2     Instances
	Logs    LogSink // nil: executions are not logged
}

// Runner runs named scripts on the instance. One Runner lives for a Lambda
// instance's life and keeps its SSH connection across warm invocations.
type Runner struct {
	cfg Config
	c   Clients

	mu     sync.Mutex // serialises runs: a Lambda instance serves one at a time
	signer ssh.Signer
	host   *hostConn

	logMu  sync.Mutex
	stream string // this instance's log stream, once created
}

// New returns a Runner.
func New(cfg Config, c Clients) *Runner {
	cfg.defaults()
	return &Runner{cfg: cfg, c: c}
}

// Outcome is the answer to one request: its HTTP status and JSON body.
type Outcome struct {
	HTTPStatus int `json:"-"`

	Status     string `json:"status"` // "ok" or "error"
	Error      string `json:"error,omitempty"`
	Detail     string `json:"detail,omitempty"`
	Script     string `json:"script,omitempty"`
	ExitCode   *int   `json:"exit_code,omitempty"`
	ExitSignal string `json:"exit_signal,omitempty"`
	// Stdout and Stderr are present (maybe empty) on runs, absent on refusals.
	Stdout *string `json:"stdout,omitempty"`
	Stderr *string `json:"stderr,omitempty"`
	// StdoutEncoding is "base64" when the output was not UTF-8 text.
	StdoutEncoding  string `json:"stdout_encoding,omitempty"`
	StderrEncoding  string `json:"stderr_encoding,omitempty"`
	StdoutTruncated bool   `json:"stdout_truncated,omitempty"`
	StderrTruncated bool   `json:"stderr_truncated,omitempty"`
	DurationMS      *int64 `json:"duration_ms,omitempty"`
	// Uploaded says the script was copied to the host for this run;
	// Started that the instance had to be started first.
	Uploaded *bool `json:"uploaded,omitempty"`
	Started  bool  `json:"started,omitempty"`
}

func refused(f *Failure) Outcome {
	return Outcome{HTTPStatus: f.Status, Status: "error", Error: f.Error, Detail: f.Detail}
}

// Handle validates body and runs the script it names.
func (r *Runner) Handle(ctx context.Context, body []byte) Outcome {
	req, f := ParseRequest(body)
	if f != nil {
		return refused(f)
	}
	return r.Run(ctx, req)
}

// Run runs a validated request: script existence in S3 first, then the
// instance, the upload when the host's copy differs, and the run.
func (r *Runner) Run(ctx context.Context, req Request) Outcome {
	start := r.cfg.Now()
	key := req.Script
	if r.cfg.Prefix != "" {
		key = r.cfg.Prefix + "/" + req.Script
	}
	head, err := r.c.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &r.cfg.Bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return r.finish(ctx, req, start, refused(&Failure{Status: 404, Error: ErrScriptNotFound, Detail: fmt.Sprintf("s3://%s/%s does not exist", r.cfg.Bucket, key)}))
		}
		r.cfg.Log.Error("head script", "key", key, "err", err)
		return r.finish(ctx, req, start, refused(&Failure{Status: 500, Error: ErrInternal, Detail: "could not read the script's metadata"}))
	}
	etag := aws.ToString(head.ETag)

	r.mu.Lock()
	defer r.mu.Unlock()
	var out Outcome
	for attempt := 0; ; attempt++ {
		h, started, err := r.connect(ctx)
		if err != nil {
			return r.finish(ctx, req, start, hostFailure(err))
		}
		out.Started = out.Started || started
		uploaded, err := r.ensureScript(ctx, h, req.Script, key, etag)
		if err != nil {
			if errors.Is(err, errScriptGone) {
				return r.finish(ctx, req, start, refused(&Failure{Status: 404, Error: ErrScriptNotFound}))
			}
			r.drop(h)
			if attempt == 0 && !started {
				continue // a cached connection may have died with its host
			}
			return r.finish(ctx, req, start, hostFailure(err))
		}
		res, err := h.exec(ctx, Command(r.cfg.RemoteDir, req), r.timeout(ctx), r.cfg.MaxOutput)
		if errors.Is(err, errNoSession) && attempt == 0 && !started {
			r.drop(h)
			continue // nothing ran: safe to retry on a fresh connection
		}
		if err != nil {
			r.drop(h)
			if errors.Is(err, errNoSession) {
				return r.finish(ctx, req, start, hostFailure(err))
			}
			o := hostFailure(err)
			o.Script = req.Script
			return r.finish(ctx, req, start, o)
		}
		out = r.describe(req, res, out.Started, uploaded)
		return r.finish(ctx, req, start, out)
	}
}

// timeout is the script's time limit, kept inside the invocation's deadline
// so the function answers 504 itself rather than being killed.
func (r *Runner) timeout(ctx context.Context) time.Duration {
	t := r.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) - 500*time.Millisecond; left < t {
			t = max(left, 100*time.Millisecond)
		}
	}
	return t
}

func (r *Runner) describe(req Request, res execResult, started, uploaded bool) Outcome {
	o := Outcome{Script: req.Script, Started: started, Uploaded: &uploaded}
	o.Stdout, o.StdoutEncoding, o.StdoutTruncated = text(res.stdout)
	o.Stderr, o.StderrEncoding, o.StderrTruncated = text(res.stderr)
	switch {
	case res.timedOut:
		o.HTTPStatus, o.Status, o.Error = 504, "error", ErrTimedOut
		o.Detail = fmt.Sprintf("the script ran past its %s limit and was killed", res.limit)
		return o
	case res.code == 0 && res.signal == "":
		o.HTTPStatus, o.Status = 200, "ok"
	default:
		o.HTTPStatus, o.Status, o.Error = 422, "error", ErrScriptFailed
		// Exit status 2 is the usage-error convention (argparse, sh
		// builtins): the script's own message says what was missing.
		if res.code == 2 {
			if msg := lastLine(res.stderr.Bytes()); msg != "" {
				o.Error = msg
			}
		}
	}
	code := res.code
	o.ExitCode, o.ExitSignal = &code, res.signal
	return o
}

func (r *Runner) finish(ctx context.Context, req Request, start time.Time, o Outcome) Outcome {
	ms := r.cfg.Now().Sub(start).Milliseconds()
	o.DurationMS = &ms
	if o.HTTPStatus == 0 {
		o.HTTPStatus = 500
	}
	r.logExecution(ctx, req, o)
	return o
}

func hostFailure(err error) Outcome {
	return Outcome{HTTPStatus: 502, Status: "error", Error: ErrHostUnavailable, Detail: err.Error()}
}

// text renders output as a JSON string: UTF-8 as is, anything else base64.
func text(c *capped) (*string, string, bool) {
	b := c.Bytes()
	if utf8.Valid(b) {
		s := string(b)
		return &s, "", c.truncated
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s, "base64", c.truncated
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if len(line) > 300 {
		line = line[:300]
	}
	if !utf8.ValidString(line) {
		return ""
	}
	return line
}

// execution is one line of the executions log: what ran, never the
// parameter itself (it may be personal data), only its hash.
type execution struct {
	Script        string `json:"script"`
	ParameterHash string `json:"parameter_sha256,omitempty"`
	Status        int    `json:"http_status"`
	Error         string `json:"error,omitempty"`
	ExitCode      *int   `json:"exit_code,omitempty"`
	DurationMS    int64  `json:"duration_ms"`
	InstanceID    string `json:"instance_id"`
}

func (r *Runner) logExecution(ctx context.Context, req Request, o Outcome) {
	if r.c.Logs == nil {
		return
	}
	e := execution{Script: req.Script, Status: o.HTTPStatus, Error: o.Error, ExitCode: o.ExitCode, InstanceID: r.cfg.InstanceID}
	if o.DurationMS != nil {
		e.DurationMS = *o.DurationMS
	}
	if req.HasParameter {
		sum := sha256.Sum256([]byte(req.Parameter))
		e.ParameterHash = hex.EncodeToString(sum[:])
	}
	msg, _ := json.Marshal(e)
	// The log must not make a run fail or wait long.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := r.putLog(ctx, string(msg)); err != nil {
		r.cfg.Log.Warn("execution log", "err", err)
	}
}

func (r *Runner) putLog(ctx context.Context, msg string) error {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	if r.stream == "" {
		_, err := r.c.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &r.cfg.LogGroup})
		if err != nil && !hasCode(err, "ResourceAlreadyExistsException") {
			return err
		}
		name := r.cfg.Now().UTC().Format("2006/01/02") + "/" + randomHex(8)
		if _, err := r.c.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &r.cfg.LogGroup, LogStreamName: &name}); err != nil && !hasCode(err, "ResourceAlreadyExistsException") {
			return err
		}
		r.stream = name
	}
	_, err := r.c.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: &r.cfg.LogGroup, LogStreamName: &r.stream,
		LogEvents: []cwltypes.InputLogEvent{{Message: &msg, Timestamp: aws.Int64(r.cfg.Now().UnixMilli())}},
	})
	return err
}
