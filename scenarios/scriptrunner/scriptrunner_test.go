package scriptrunner_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"

	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/deploy/scriptrunner"
	"github.com/groundstack/groundstack/harness/emulator/faults"
	"github.com/groundstack/groundstack/scenarios/scenario"
)

var _ = Describe("POST /invoke", Label("scriptrunner", "ec2-host"), scenario.Needs(backend.FeatureEC2Hosts), func() {
	It("runs a shell script with its parameter and answers the spec's shape", func(ctx SpecContext) {
		a := run(ctx, "hello.sh", p("groundstack"))
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.Body).To(HaveKeyWithValue("status", "ok"))
		Expect(a.exitCode()).To(Equal(0))
		Expect(a.str("stdout")).To(Equal("hello, groundstack\n"))
		Expect(a.Body).To(HaveKeyWithValue("stderr", ""))
		Expect(a.Body).To(HaveKey("duration_ms"))
	})

	It("runs a Python script with the real interpreter", scenario.Needs(backend.FeatureEC2Python), func(ctx SpecContext) {
		a := run(ctx, "report.py", p("2024-10"))
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.str("stdout")).To(Equal("report for 2024-10: 31 days\n"))
	})

	DescribeTable("answers every row of the spec's error table",
		func(ctx SpecContext, body string, status int, errText string) {
			a := invokeRaw(ctx, stack.InvokeURL, []byte(body))
			Expect(a.Status).To(Equal(status), "%s", a.Raw)
			Expect(a.str("error")).To(Equal(errText), "%s", a.Raw)
		},
		Entry("no scriptname", `{"parameter":"2024-10"}`, 400, "missing scriptname"),
		Entry("empty scriptname", `{"scriptname":""}`, 400, "missing scriptname"),
		Entry("a body that is not JSON", `scriptname=report.py`, 400, "invalid JSON"),
		Entry("path traversal", `{"scriptname":"../../etc/passwd"}`, 400, "invalid scriptname"),
		Entry("dot-dot inside a name", `{"scriptname":"x..sh"}`, 400, "invalid scriptname"),
		Entry("a shell word in the name", `{"scriptname":"hello.sh;id"}`, 400, "invalid scriptname"),
		Entry("an absolute path", `{"scriptname":"/etc/passwd"}`, 400, "invalid scriptname"),
		Entry("a script absent from S3", `{"scriptname":"no_such_script.sh"}`, 404, "script not found"),
		Entry("a 1 MB parameter", `{"scriptname":"args.sh","parameter":"`+strings.Repeat("a", 1<<20)+`"}`, 400, "request body too large"),
		Entry("a 5 KB parameter", `{"scriptname":"args.sh","parameter":"`+strings.Repeat("a", 5<<10)+`"}`, 400, "parameter too long"),
	)

	It("answers 422 'script failed' with the exit code and stderr when a module is missing", scenario.Needs(backend.FeatureEC2Python), func(ctx SpecContext) {
		a := run(ctx, "missing_module.py", nil)
		Expect(a.Status).To(Equal(422), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("script failed"))
		Expect(a.exitCode()).To(Equal(1))
		Expect(a.str("stderr")).To(ContainSubstring("ModuleNotFoundError"))
	})

	It("answers 422 with the script's own message when it needs a parameter", func(ctx SpecContext) {
		a := run(ctx, "needs_param.sh", nil)
		Expect(a.Status).To(Equal(422), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("needs_param.sh: a parameter is required (e.g. 2024-10)"))
		Expect(a.exitCode()).To(Equal(2))

		if !cloud.Supports(backend.FeatureEC2Python) {
			return // busybox hosts: the shell half is the whole spec
		}
		a = run(ctx, "report.py", nil) // argparse's own words
		Expect(a.Status).To(Equal(422), "%s", a.Raw)
		Expect(a.str("error")).To(ContainSubstring("the following arguments are required: month"))
		Expect(a.exitCode()).To(Equal(2))
	})

	It("answers 422 with the exit code of a script that fails on its own", func(ctx SpecContext) {
		a := run(ctx, "fails.sh", nil)
		Expect(a.Status).To(Equal(422), "%s", a.Raw)
		Expect(a.exitCode()).To(Equal(3))
		Expect(a.str("stdout")).To(Equal("starting\n"))
		Expect(a.str("stderr")).To(Equal("disk quota exceeded\n"))
	})

	It("kills a script that runs past its timeout and answers 504", func(ctx SpecContext) {
		start := time.Now()
		a := run(ctx, "sleeper.sh", nil)
		took := time.Since(start)
		Expect(a.Status).To(Equal(504), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("script timed out"))
		Expect(a.str("stdout")).To(Equal("sleeping\n"), "the output so far is kept")
		record("timeout answer (s), limit 2 s", took.Seconds())
		// The next run finds the host free: the sleeper was killed, not left behind.
		Expect(run(ctx, "hello.sh", nil).Status).To(Equal(200))
	})

	It("passes injection attempts to the script as data, never as commands", func(ctx SpecContext) {
		attacks := []string{
			"; rm -rf ~",
			`; touch "$HOME/pwned"`,
			`$(touch "$HOME/pwned2")`,
			"`touch \"$HOME/pwned3\"`",
			"x\ntouch \"$HOME/pwned4\"",
			"' ; touch \"$HOME/pwned\" ; '",
			`" ; touch "$HOME/pwned" ; "`,
		}
		for _, attack := range attacks {
			a := run(ctx, "args.sh", p(attack))
			Expect(a.Status).To(Equal(200), "%q: %s", attack, a.Raw)
			Expect(a.str("stdout")).To(Equal("argc=1\n["+attack+"]\n"), "the script saw exactly one argument, unchanged")
		}
		a := run(ctx, "canary.sh", nil)
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.str("stdout")).To(Equal("checked\n"), "no injected command left a file")
		Expect(run(ctx, "hello.sh", nil).Status).To(Equal(200), "rm -rf ~ did not run: the scripts are still there")
	})

	It("picks up a script updated in S3 on the next run, and copies it only then", func(ctx SpecContext) {
		put := func(version int) {
			body := fmt.Sprintf("#!/bin/sh\necho \"version %d\"\n", version)
			Expect(scriptrunner.PutScript(ctx, cloud.Config(), stack.Bucket, "version.sh", []byte(body))).To(Succeed())
		}
		put(1)
		a := run(ctx, "version.sh", nil)
		Expect(a.str("stdout")).To(Equal("version 1\n"), "%s", a.Raw)
		a = run(ctx, "version.sh", nil)
		Expect(a.Body).To(HaveKeyWithValue("uploaded", false), "an unchanged script is not copied again")
		put(2)
		a = run(ctx, "version.sh", nil)
		Expect(a.str("stdout")).To(Equal("version 2\n"), "%s", a.Raw)
		Expect(a.Body).To(HaveKeyWithValue("uploaded", true))
	})

	It("handles the odd scripts: stdout closed early, binary output, a flood of output", func(ctx SpecContext) {
		a := run(ctx, "close_stdout.sh", nil)
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.str("stdout")).To(Equal("before close\n"))
		Expect(a.str("stderr")).To(Equal("stdout closed, still running\n"))

		a = run(ctx, "binary.sh", nil)
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.Body).To(HaveKeyWithValue("stdout_encoding", "base64"))
		raw, err := base64.StdEncoding.DecodeString(a.str("stdout"))
		Expect(err).NotTo(HaveOccurred())
		Expect(raw).To(Equal([]byte("\x00\x01\xff\xfebinary\n")))

		if !cloud.Supports(backend.FeatureEC2Python) {
			return // busybox hosts: no python for the flood
		}
		a = run(ctx, "loud.py", p("4"))
		Expect(a.Status).To(Equal(200))
		Expect(a.Body).To(HaveKeyWithValue("stdout_truncated", true))
		Expect(len(a.str("stdout"))).To(Equal(256 << 10))
		Expect(a.str("stderr")).To(HavePrefix("done\n"), "the script ran to its end (the host notes its own cap after)")
	})

	It("checks the script in S3 before touching the instance", func(ctx SpecContext) {
		stopInstance(ctx, stack.InstanceID)
		a := run(ctx, "no_such_script.sh", nil)
		Expect(a.Status).To(Equal(404), "%s", a.Raw)
		Expect(instanceState(ctx, stack.InstanceID)).To(Equal(ec2types.InstanceStateNameStopped), "a 404 does not start the instance")
		a = run(ctx, "hello.sh", nil)
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.Body).To(HaveKeyWithValue("started", true))
	})

	It("answers 502 when the host dies mid-run, without hanging, and recovers", func(ctx SpecContext) {
		Expect(run(ctx, "hello.sh", nil).Status).To(Equal(200))
		done := make(chan answer, 1)
		start := time.Now()
		go func() {
			defer GinkgoRecover()
			done <- run(ctx, "sleeper.sh", p("30"))
		}()
		time.Sleep(500 * time.Millisecond)
		_, err := ec2.NewFromConfig(cloud.Config()).StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{stack.InstanceID}, Force: aws.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		var a answer
		Eventually(done).WithTimeout(20 * time.Second).Should(Receive(&a))
		Expect(a.Status).To(Equal(502), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("host unavailable"))
		record("host killed mid-run: answer after (s)", time.Since(start).Seconds())
		Expect(run(ctx, "hello.sh", nil).Status).To(Equal(200), "the next request starts the host again")
	})

	It("logs every execution to CloudWatch Logs, with the parameter's hash only", func(ctx SpecContext) {
		secret := "secret-parameter-" + fmt.Sprint(time.Now().UnixNano())
		Expect(run(ctx, "args.sh", p(secret)).Status).To(Equal(200))
		logs := cloudwatchlogs.NewFromConfig(cloud.Config())
		var found map[string]any
		Eventually(func(g Gomega) {
			out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(stack.LogGroup)})
			g.Expect(err).NotTo(HaveOccurred())
			for _, e := range out.Events {
				msg := aws.ToString(e.Message)
				g.Expect(msg).NotTo(ContainSubstring(secret), "the parameter itself is never logged")
				var m map[string]any
				if json.Unmarshal([]byte(msg), &m) == nil && m["script"] == "args.sh" && m["parameter_sha256"] == sha256hex(secret) {
					found = m
				}
			}
			g.Expect(found).NotTo(BeNil())
		}).WithTimeout(10 * time.Second).Should(Succeed())
		Expect(found).To(HaveKeyWithValue("exit_code", 0.0))
		Expect(found).To(HaveKey("duration_ms"))
	})

	It("serves 10 parallel invocations", func(ctx SpecContext) {
		start := time.Now()
		var wg sync.WaitGroup
		answers := make([]answer, 10)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer GinkgoRecover()
				defer wg.Done()
				answers[i] = run(ctx, "hello.sh", p(fmt.Sprint("caller-", i)))
			}()
		}
		wg.Wait()
		record("10 parallel invocations: wall time (ms)", time.Since(start).Milliseconds())
		for i, a := range answers {
			Expect(a.Status).To(Equal(200), "%s", a.Raw)
			Expect(a.str("stdout")).To(Equal(fmt.Sprintf("hello, caller-%d\n", i)))
		}
	})

	It("runs a trivial script fast when warm (figures)", func(ctx SpecContext) {
		for range 3 {
			Expect(run(ctx, "hello.sh", nil).Status).To(Equal(200))
		}
		var ms []float64
		for range 50 {
			start := time.Now()
			a := run(ctx, "hello.sh", nil)
			ms = append(ms, float64(time.Since(start).Microseconds())/1000)
			Expect(a.Status).To(Equal(200))
		}
		sort.Float64s(ms)
		record("warm POST /invoke hello.sh (ms)", map[string]float64{"p50": ms[len(ms)/2], "p90": ms[len(ms)*9/10], "max": ms[len(ms)-1]})
	})
})

var _ = Describe("the instance", Label("scriptrunner", "ec2-host"), scenario.Needs(backend.FeatureEC2Hosts), Ordered, func() {
	var idle scriptrunner.Stack

	BeforeAll(func(ctx SpecContext) {
		var err error
		idle, err = scriptrunner.Deploy(ctx, cloud.Config(), scriptrunner.Options{Name: "idle-runner", IdleTimeout: time.Second, ScriptTimeout: scriptTimeout})
		Expect(err).NotTo(HaveOccurred())
	})

	It("stops itself when idle and starts again on the next request", func(ctx SpecContext) {
		Expect(runOn(ctx, idle, "hello.sh", nil).Status).To(Equal(200))
		Eventually(func(ctx context.Context) ec2types.InstanceStateName {
			return instanceState(ctx, idle.InstanceID)
		}).WithContext(ctx).WithTimeout(15 * time.Second).WithPolling(100 * time.Millisecond).Should(Equal(ec2types.InstanceStateNameStopped))
		a := runOn(ctx, idle, "hello.sh", nil)
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.Body).To(HaveKeyWithValue("started", true))
	})

	It("is started, connected and given the script on a first call (figure)", func(ctx SpecContext) {
		stopInstance(ctx, idle.InstanceID)
		Expect(scriptrunner.PutScript(ctx, cloud.Config(), idle.Bucket, "fresh.sh", []byte("#!/bin/sh\necho fresh\n"))).To(Succeed())
		start := time.Now()
		a := runOn(ctx, idle, "fresh.sh", nil)
		took := time.Since(start)
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.Body).To(HaveKeyWithValue("started", true))
		Expect(a.Body).To(HaveKeyWithValue("uploaded", true))
		record("first call, instance stopped: start + connect + upload + run (ms)", took.Milliseconds())
	})
})

var _ = Describe("an unreachable host", Label("scriptrunner", "ec2-host"), scenario.Needs(backend.FeatureEC2Hosts), Ordered, func() {
	var bad scriptrunner.Stack

	BeforeAll(func(ctx SpecContext) {
		var err error
		bad, err = scriptrunner.Deploy(ctx, cloud.Config(), scriptrunner.Options{Name: "badkey-runner", ScriptTimeout: scriptTimeout})
		Expect(err).NotTo(HaveOccurred())
	})

	It("answers 502 when SSH refuses the key", func(ctx SpecContext) {
		// A key the instance was not launched with, as after a botched rotation.
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		Expect(err).NotTo(HaveOccurred())
		block, err := ssh.MarshalPrivateKey(priv, "")
		Expect(err).NotTo(HaveOccurred())
		value, _ := json.Marshal(map[string]string{bad.KeyPair: string(pem.EncodeToMemory(block))})
		_, err = secretsmanager.NewFromConfig(cloud.Config()).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(bad.SecretID), SecretString: aws.String(string(value))})
		Expect(err).NotTo(HaveOccurred())
		a := runOn(ctx, bad, "hello.sh", nil)
		Expect(a.Status).To(Equal(502), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("host unavailable"))
	})

	It("answers 502 when the instance is gone", func(ctx SpecContext) {
		_, err := ec2.NewFromConfig(cloud.Config()).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{bad.InstanceID}})
		Expect(err).NotTo(HaveOccurred())
		a := runOn(ctx, bad, "hello.sh", nil)
		Expect(a.Status).To(Equal(502), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("host unavailable"))
	})
})

// An outage of the host's network (a fault rule on the ssh target): the
// host stops answering, nothing is stopped or restarted. Its own stack, so
// no other spec meets the outage.
var _ = Describe("a host outage", Label("scriptrunner", "ec2-host"), scenario.Needs(backend.FeatureEC2Hosts), scenario.Needs(backend.FeatureFaults), Ordered, func() {
	var st scriptrunner.Stack

	BeforeAll(func(ctx SpecContext) {
		var err error
		st, err = scriptrunner.Deploy(ctx, cloud.Config(), scriptrunner.Options{Name: "outage-runner", ScriptTimeout: scriptTimeout})
		Expect(err).NotTo(HaveOccurred())
	})

	It("answers 502 while the host does not answer SSH, and runs the same request once it does", func(ctx SpecContext) {
		a := runOn(ctx, st, "hello.sh", p("before"))
		Expect(a.Status).To(Equal(200), "%s", a.Raw) // warm: a cached connection, the script on the host

		outage, err := cloud.WithFault(ctx, faults.Rule{Target: "ssh", Service: "ec2", Resource: st.InstanceID, Drop: true})
		Expect(err).NotTo(HaveOccurred())
		start := time.Now()
		a = runOn(ctx, st, "hello.sh", p("during"))
		record("host outage: 502 after (s)", time.Since(start).Seconds())
		Expect(a.Status).To(Equal(502), "%s", a.Raw)
		Expect(a.str("error")).To(Equal("host unavailable"))
		Expect(a.str("detail")).To(ContainSubstring("the host did not answer within 5s"), "%s", a.Raw)
		Expect(a.Body).NotTo(HaveKey("stdout"), "nothing ran")

		Expect(cloud.EndFault(ctx, outage)).To(Succeed())
		a = runOn(ctx, st, "hello.sh", p("during"))
		Expect(a.Status).To(Equal(200), "%s", a.Raw)
		Expect(a.str("stdout")).To(Equal("hello, during\n"))
		Expect(a.Body).NotTo(HaveKey("started"), "the instance was never stopped")
	}, SpecTimeout(20*time.Second))
})

func instanceState(ctx context.Context, id string) ec2types.InstanceStateName {
	GinkgoHelper()
	out, err := ec2.NewFromConfig(cloud.Config()).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	Expect(err).NotTo(HaveOccurred())
	Expect(out.Reservations).NotTo(BeEmpty())
	return out.Reservations[0].Instances[0].State.Name
}

func stopInstance(ctx context.Context, id string) {
	GinkgoHelper()
	c := ec2.NewFromConfig(cloud.Config())
	_, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}})
	Expect(err).NotTo(HaveOccurred())
	w := ec2.NewInstanceStoppedWaiter(c, func(o *ec2.InstanceStoppedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 20*time.Millisecond, 200*time.Millisecond
	})
	Expect(w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 30*time.Second)).To(Succeed())
}
