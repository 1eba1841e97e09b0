package runner

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

var (
	// errNoSession: the connection could not open a session, so nothing ran.
	errNoSession = errors.New("the SSH connection is gone")
	// errScriptGone: the object vanished between HeadObject and GetObject.
	errScriptGone = errors.New("script deleted while being copied")
)

const dialTimeout = 5 * time.Second

// hostConn is one SSH connection to the instance, kept across warm
// invocations, with what is known of the scripts on the host.
type hostConn struct {
	client *ssh.Client
	dead   atomic.Bool
	// known maps a script to the ETag of the copy on the host.
	known map[string]string
}

// connect returns the live connection, or makes one: the key from Secrets
// Manager, the instance started when stopped, the host key pinned.
func (r *Runner) connect(ctx context.Context) (h *hostConn, started bool, err error) {
	if r.host != nil && !r.host.dead.Load() {
		return r.host, false, nil
	}
	r.host = nil
	signer, err := r.key(ctx)
	if err != nil {
		return nil, false, err
	}
	inst, started, err := r.ensureRunning(ctx)
	if err != nil {
		return nil, started, err
	}
	addr, hostKey, err := r.endpoint(inst)
	if err != nil {
		return nil, started, err
	}
	client, err := dial(ctx, addr, &ssh.ClientConfig{
		User:            r.cfg.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(hostKey),
		Timeout:         dialTimeout,
	})
	if err != nil {
		// A rotated key pair is read again on the next request.
		r.signer = nil
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// no answer at all: the instance's network or sshd is down
			return nil, started, fmt.Errorf("ssh %s: the host did not answer within %s (%w)", addr, dialTimeout, err)
		}
		return nil, started, fmt.Errorf("ssh %s: %w", addr, err)
	}
	h = &hostConn{client: client, known: map[string]string{}}
	go func() { _ = client.Wait(); h.dead.Store(true) }()
	r.host = h
	return h, started, nil
}

func dial(ctx context.Context, addr string, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	d := net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(dialTimeout))
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

// drop forgets h and closes it.
func (r *Runner) drop(h *hostConn) {
	if r.host == h {
		r.host = nil
	}
	h.dead.Store(true)
	h.client.Close()
}

// key reads the private key of the key pair from the secret, once.
func (r *Runner) key(ctx context.Context) (ssh.Signer, error) {
	if r.signer != nil {
		return r.signer, nil
	}
	out, err := r.c.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &r.cfg.SecretID})
	if err != nil {
		return nil, fmt.Errorf("reading the key secret %s: %w", r.cfg.SecretID, err)
	}
	var keys map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &keys); err != nil {
		return nil, fmt.Errorf("secret %s is not a JSON object of key pair name to PEM", r.cfg.SecretID)
	}
	pem, ok := keys[r.cfg.KeyPairName]
	if !ok {
		return nil, fmt.Errorf("secret %s has no key %q", r.cfg.SecretID, r.cfg.KeyPairName)
	}
	signer, err := ssh.ParsePrivateKey([]byte(pem))
	if err != nil {
		return nil, fmt.Errorf("secret %s: key %q: %w", r.cfg.SecretID, r.cfg.KeyPairName, err)
	}
	r.signer = signer
	return signer, nil
}

// ensureRunning returns the instance once it is running, starting it if it
// was stopped (or stopping).
func (r *Runner) ensureRunning(ctx context.Context) (ec2types.Instance, bool, error) {
	in := &ec2.DescribeInstancesInput{InstanceIds: []string{r.cfg.InstanceID}}
	out, err := r.c.EC2.DescribeInstances(ctx, in)
	if err != nil {
		return ec2types.Instance{}, false, fmt.Errorf("describing %s: %w", r.cfg.InstanceID, err)
	}
	inst, ok := firstInstance(out)
	if !ok {
		return inst, false, fmt.Errorf("instance %s not found", r.cfg.InstanceID)
	}
	state := ec2types.InstanceStateNameRunning
	if inst.State != nil {
		state = inst.State.Name
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.StartTimeout)
	defer cancel()
	switch state {
	case ec2types.InstanceStateNameRunning:
		return inst, false, nil
	case ec2types.InstanceStateNamePending:
		inst, err := r.waitRunning(ctx, in)
		return inst, false, err
	case ec2types.InstanceStateNameStopping:
		w := ec2.NewInstanceStoppedWaiter(r.c.EC2, func(o *ec2.InstanceStoppedWaiterOptions) {
			o.MinDelay, o.MaxDelay = 20*time.Millisecond, 500*time.Millisecond
		})
		if err := w.Wait(ctx, in, r.cfg.StartTimeout); err != nil {
			return inst, false, fmt.Errorf("waiting for %s to stop: %w", r.cfg.InstanceID, err)
		}
	case ec2types.InstanceStateNameStopped:
	default:
		return inst, false, fmt.Errorf("instance %s is %s", r.cfg.InstanceID, state)
	}
	if _, err := r.c.EC2.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{r.cfg.InstanceID}}); err != nil && !hasCode(err, "IncorrectInstanceState") {
		return inst, false, fmt.Errorf("starting %s: %w", r.cfg.InstanceID, err)
	}
	inst, err = r.waitRunning(ctx, in)
	return inst, true, err
}

func (r *Runner) waitRunning(ctx context.Context, in *ec2.DescribeInstancesInput) (ec2types.Instance, error) {
	// The SDK's default first delay is 15 s: right for AWS, not for a host
	// that starts in milliseconds.
	w := ec2.NewInstanceRunningWaiter(r.c.EC2, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, time.Second
	})
	out, err := w.WaitForOutput(ctx, in, r.cfg.StartTimeout)
	if err != nil {
		return ec2types.Instance{}, fmt.Errorf("waiting for %s to run: %w", r.cfg.InstanceID, err)
	}
	inst, _ := firstInstance(out)
	return inst, nil
}

func firstInstance(out *ec2.DescribeInstancesOutput) (ec2types.Instance, bool) {
	for _, res := range out.Reservations {
		for _, inst := range res.Instances {
			return inst, true
		}
	}
	return ec2types.Instance{}, false
}

// endpoint is the instance's SSH address and pinned host key.
func (r *Runner) endpoint(inst ec2types.Instance) (string, ssh.PublicKey, error) {
	ip, port, hostKey := aws.ToString(inst.PrivateIpAddress), "22", r.cfg.HostKey
	for _, t := range inst.Tags {
		switch aws.ToString(t.Key) {
		case TagSSHPort:
			port = aws.ToString(t.Value)
		case TagSSHHostKey:
			if hostKey == "" {
				hostKey = aws.ToString(t.Value)
			}
		}
	}
	if ip == "" {
		return "", nil, fmt.Errorf("instance %s has no private IP address", r.cfg.InstanceID)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", nil, fmt.Errorf("instance %s: bad SSH port %q", r.cfg.InstanceID, port)
	}
	if hostKey == "" {
		return "", nil, errors.New("no host key to pin: set SSH_HOST_KEY")
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hostKey))
	if err != nil {
		return "", nil, fmt.Errorf("host key: %w", err)
	}
	return net.JoinHostPort(ip, port), pk, nil
}

// ensureScript makes the host's copy of the script the one in S3 (same
// ETag), copying it over SFTP when it is missing or differs.
func (r *Runner) ensureScript(ctx context.Context, h *hostConn, name, key, etag string) (bool, error) {
	if etag != "" && h.known[name] == etag {
		return false, nil
	}
	// The SFTP session lives only as long as the copy: an open session
	// would keep the host from ever counting as idle.
	sc, err := sftp.NewClient(h.client)
	if err != nil {
		return false, fmt.Errorf("sftp: %w", err)
	}
	defer sc.Close()
	dir := r.cfg.RemoteDir
	remote, sidecar := path.Join(dir, name), path.Join(dir, "."+name+".etag")
	if etag != "" {
		if have, err := readSmall(sc, sidecar); err == nil && have == etag {
			if _, err := sc.Stat(remote); err == nil {
				h.known[name] = etag
				return false, nil
			}
		}
	}
	obj, err := r.c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &r.cfg.Bucket, Key: &key})
	if err != nil {
		if isNotFound(err) {
			return false, errScriptGone
		}
		return false, fmt.Errorf("reading s3://%s/%s: %w", r.cfg.Bucket, key, err)
	}
	data, err := io.ReadAll(io.LimitReader(obj.Body, maxScriptSize+1))
	obj.Body.Close()
	if err != nil {
		return false, fmt.Errorf("reading s3://%s/%s: %w", r.cfg.Bucket, key, err)
	}
	if len(data) > maxScriptSize {
		return false, fmt.Errorf("script %s is larger than %d bytes", name, maxScriptSize)
	}
	if err := sc.MkdirAll(dir); err != nil {
		return false, fmt.Errorf("sftp mkdir %s: %w", dir, err)
	}
	if err := writeAtomic(sc, remote, data, 0o755); err != nil {
		return false, err
	}
	etag = aws.ToString(obj.ETag)
	if err := writeAtomic(sc, sidecar, []byte(etag), 0o644); err != nil {
		return false, err
	}
	h.known[name] = etag
	return true, nil
}

func readSmall(c *sftp.Client, name string) (string, error) {
	f, err := c.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	return string(b), err
}

// writeAtomic writes a temporary file and renames it over name, so a run
// never sees half a script, whatever other Lambda instances do.
func writeAtomic(c *sftp.Client, name string, data []byte, mode os.FileMode) error {
	tmp := path.Join(path.Dir(name), "."+path.Base(name)+"."+randomHex(6)+".tmp")
	f, err := c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("sftp create %s: %w", tmp, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = c.Chmod(tmp, mode)
	}
	if err == nil {
		if err = c.PosixRename(tmp, name); err != nil {
			_ = c.Remove(name)
			err = c.Rename(tmp, name)
		}
	}
	if err != nil {
		_ = c.Remove(tmp)
		return fmt.Errorf("sftp write %s: %w", name, err)
	}
	return nil
}

// execResult is what one run produced.
type execResult struct {
	stdout, stderr *capped
	code           int
	signal         string
	timedOut       bool
	limit          time.Duration
}

// exec runs cmd in a new session, killing it past limit.
func (h *hostConn) exec(ctx context.Context, cmd string, limit time.Duration, maxOut int) (execResult, error) {
	res := execResult{stdout: &capped{max: maxOut}, stderr: &capped{max: maxOut}, limit: limit}
	sess, err := h.client.NewSession()
	if err != nil {
		return res, fmt.Errorf("%w: %v", errNoSession, err)
	}
	defer sess.Close()
	sess.Stdout, sess.Stderr = res.stdout, res.stderr
	if err := sess.Start(cmd); err != nil {
		return res, fmt.Errorf("%w: %v", errNoSession, err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err = <-done:
	case <-timer.C:
		res.timedOut = true
	case <-ctx.Done():
		res.timedOut = true
	}
	if res.timedOut {
		_ = sess.Signal(ssh.SIGKILL)
		_ = sess.Close()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
		return res, nil
	}
	var exit *ssh.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code, res.signal = exit.ExitStatus(), exit.Signal()
		if res.signal != "" && res.code == 0 {
			res.code = 128 + signalNumber(res.signal)
		}
	default:
		// The connection dropped mid-run (host stopped or killed).
		return res, fmt.Errorf("the host went away while the script ran: %w", err)
	}
	return res, nil
}

func signalNumber(name string) int {
	switch name {
	case "HUP":
		return 1
	case "INT":
		return 2
	case "QUIT":
		return 3
	case "ABRT":
		return 6
	case "KILL":
		return 9
	case "SEGV":
		return 11
	case "PIPE":
		return 13
	case "ALRM":
		return 14
	default:
		return 15
	}
}

// capped keeps the first max bytes written to it and counts the rest.
type capped struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.buf.Len(); n > room {
		c.truncated = true
		p = p[:max(room, 0)]
	}
	c.buf.Write(p)
	return n, nil
}

// Bytes is the kept output, without a rune the cap cut in half.
func (c *capped) Bytes() []byte {
	b := c.buf.Bytes()
	if c.truncated {
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	return b
}

func isNotFound(err error) bool {
	return hasCode(err, "NotFound", "NoSuchKey", "404")
}

func hasCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
