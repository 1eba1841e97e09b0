package runtime

import (
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// instancePath is the PATH an instance gets (AWS's, minus paths that do not
// exist here).
const instancePath = "/usr/local/bin:/usr/bin:/bin:/opt/bin"

// ReservedEnv are the variables Lambda sets itself; a function's
// configuration may not set them (AWS refuses CreateFunction with them).
var ReservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// instancePlaces are the directories of one instance, and the version of
// the interpreter that runs it ("" for provided runtimes).
type instancePlaces struct {
	taskRoot, scratch, opt, interpVersion string
}

// instanceEnv builds an instance's whole environment from the function's
// configuration, as AWS does: nothing comes from the host's environment
// (no AWS_PROFILE, AWS_CA_BUNDLE, proxies, GOFLAGS…).
func (x *Executor) instanceEnv(fn *Function, creds cloud.TemporaryCredentials, pl instancePlaces, runtimeAPI, stream string) []string {
	region := fn.Region
	taskRoot, scratch, opt := pl.taskRoot, pl.scratch, pl.opt
	env := make([]string, 0, 40+len(fn.Env))
	set := func(k, v string) { env = append(env, k+"="+v) }
	if opt == "" {
		set("PATH", instancePath)
		set("LD_LIBRARY_PATH", taskRoot+"/lib")
	} else {
		// The layers are this function's /opt.
		set("PATH", strings.TrimSuffix(instancePath, "/opt/bin")+opt+"/bin")
		set("LD_LIBRARY_PATH", taskRoot+"/lib:"+opt+"/lib")
	}
	set("HOME", scratch)
	set("TMPDIR", scratch)
	set("LANG", "en_US.UTF-8")
	set("TZ", ":UTC")
	set("LAMBDA_TASK_ROOT", taskRoot)
	set("LAMBDA_RUNTIME_DIR", taskRoot)
	set("AWS_LAMBDA_RUNTIME_API", runtimeAPI)
	set("AWS_LAMBDA_FUNCTION_NAME", fn.Name)
	set("AWS_LAMBDA_FUNCTION_VERSION", fn.Version)
	set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(fn.MemoryMB))
	set("AWS_LAMBDA_LOG_GROUP_NAME", fn.LogGroup)
	set("AWS_LAMBDA_LOG_STREAM_NAME", stream)
	set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
	set("AWS_REGION", region)
	set("AWS_DEFAULT_REGION", region)
	set("_HANDLER", fn.Handler)
	switch RuntimeFamily(fn.Runtime) {
	case FamilyPython:
		set("AWS_EXECUTION_ENV", "AWS_Lambda_"+fn.Runtime)
		// As on AWS: the layers' packages come before the interpreter's
		// own (boto3 from a layer wins); the task root is put first by
		// the runtime client. Nothing is compiled into the shared code.
		var pp []string
		if opt != "" {
			for _, v := range uniq(strings.TrimPrefix(fn.Runtime, "python"), minor(pl.interpVersion)) {
				pp = append(pp, opt+"/python/lib/python"+v+"/site-packages")
			}
			pp = append(pp, opt+"/python")
		}
		if len(pp) > 0 {
			set("PYTHONPATH", strings.Join(pp, ":"))
		}
		set("PYTHONDONTWRITEBYTECODE", "1")
		set("PYTHONIOENCODING", "utf-8")
	case FamilyNode:
		set("AWS_EXECUTION_ENV", "AWS_Lambda_"+fn.Runtime)
		np := []string{}
		if opt != "" {
			major := strings.TrimSuffix(strings.TrimPrefix(fn.Runtime, "nodejs"), ".x")
			np = append(np, opt+"/nodejs/node"+major+"/node_modules", opt+"/nodejs/node_modules")
		}
		np = append(np, taskRoot+"/node_modules", taskRoot)
		set("NODE_PATH", strings.Join(np, ":"))
	default:
		if fn.Runtime == "go1.x" {
			set("AWS_EXECUTION_ENV", "AWS_Lambda_go1.x")
		}
	}
	set("AWS_ACCESS_KEY_ID", creds.AccessKeyID)
	set("AWS_SECRET_ACCESS_KEY", creds.SecretAccessKey)
	if creds.SessionToken != "" {
		set("AWS_SESSION_TOKEN", creds.SessionToken)
	}
	_, userEndpoint := fn.Env["AWS_ENDPOINT_URL"]
	if host := edgeHost(x.cfg.EdgeHost()); host != "" && !userEndpoint {
		set("AWS_ENDPOINT_URL", "http://"+host)
	}
	keys := make([]string, 0, len(fn.Env))
	for k := range fn.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ours := len(env)
outer:
	for _, k := range keys {
		if isReserved(k) {
			continue
		}
		// A function's TZ, LANG, PATH… replace ours: one value per name,
		// so that C's getenv and Python's os.environ agree.
		for i, kv := range env[:ours] {
			if strings.HasPrefix(kv, k+"=") {
				env[i] = k + "=" + fn.Env[k]
				continue outer
			}
		}
		set(k, fn.Env[k])
	}
	return env
}

func isReserved(k string) bool {
	for _, r := range ReservedEnv {
		if k == r {
			return true
		}
	}
	return false
}

// edgeHost turns a listen address into one a child can dial: an
// unspecified IP (0.0.0.0, ::) becomes loopback.
func edgeHost(h string) string {
	if h == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		return h
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() || host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return h
}

// uniq drops repeated and empty strings, keeping order.
func uniq(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// instanceCredentials are the credentials a new instance of fn gets, and
// what revokes them once it is gone.
func (x *Executor) instanceCredentials(fn *Function) (cloud.TemporaryCredentials, func(), error) {
	if x.cfg.Credentials == nil {
		return cloud.TemporaryCredentials{AccessKeyID: x.cfg.AccessKeyID, SecretAccessKey: x.cfg.SecretAccessKey, SessionToken: x.cfg.SessionToken}, func() {}, nil
	}
	c, revoke, err := x.cfg.Credentials(fn)
	if err == nil && revoke == nil {
		revoke = func() {}
	}
	return c, revoke, err
}
