package secretsmanager

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// FuzzOperations sends arbitrary bodies to every operation: the answer is
// never a 500 and always JSON.
func FuzzOperations(f *testing.F) {
	env := cloud.DefaultEnv()
	env.Now = func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	svc := New(env)
	var ops []string // sorted: a failing input must pick the same operation when replayed
	for _, op := range svc.api.Operations() {
		ops = append(ops, op.Name)
	}
	for i, body := range []string{
		`{}`, `{"SecretId":"seed"}`, `{"Name":"n","SecretString":"v"}`, `{"SecretId":"seed","VersionStage":"AWSPREVIOUS"}`,
		`{"SecretId":"seed","SecretBinary":"AAEC"}`, `{"SecretId":"seed","SecretBinary":"!!"}`,
		`{"Filters":[{"Key":"name","Values":["!se"]}],"MaxResults":1}`, `{"NextToken":"MHxzZWVk"}`,
		`{"SecretId":"seed","RecoveryWindowInDays":7,"ForceDeleteWithoutRecovery":false}`,
		`{"PasswordLength":4,"ExcludeCharacters":"abcdefghijklmnopqrstuvwxyz"}`, `{"SecretId":"seed","Tags":[{"Key":null}]}`,
		`{"SecretId":"arn:aws:secretsmanager:us-east-1:000000000000:secret:seed"}`, `[1,2]`, `{"SecretId":["x"]}`,
		`{"SecretId":"seed","ResourcePolicy":"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"*\"}}","BlockPublicPolicy":true}`,
		`{"SecretId":"seed","VersionStage":"AWSCURRENT","MoveToVersionId":"00000000000000000000000000000000"}`,
		`{"SecretIdList":["seed","x"]}`, `{"SecretId":"seed","AddReplicaRegions":[{"Region":"us-west-2"},{}]}`, `{"SecretId":"seed","RemoveReplicaRegions":["us-west-2","x"]}`, `{"SecretId":"seed","RotationLambdaARN":"f","RotationRules":{"AutomaticallyAfterDays":1}}`,
	} {
		f.Add(uint8(i), body)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		svc.Reset()
		call(svc, "CreateSecret", `{"Name":"seed","SecretString":"v1","ClientRequestToken":"00000000000000000000000000000001"}`)
		op := ops[int(which)%len(ops)]
		code, out := call(svc, op, body)
		if code >= 500 {
			t.Fatalf("%s %q: %d %s", op, body, code, out)
		}
		if !json.Valid([]byte(out)) {
			t.Fatalf("%s %q: answer is not JSON: %s", op, body, out)
		}
	})
}

func call(h http.Handler, op, body string) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// FuzzGetSecretValueDecode checks GetSecretValue's own reader against
// encoding/json: whatever valid body it accepts, it reads as json does.
func FuzzGetSecretValueDecode(f *testing.F) {
	for _, s := range []string{
		`{"SecretId":"bench/db"}`, ` { "SecretId" : "a" , "VersionStage":"AWSCURRENT" } `, `{}`,
		`{"SecretId":"a","SecretId":"b"}`, `{"secretid":"a"}`, `{"SecretId":"a\u0062"}`, `{"SecretId":null}`,
		`{"SecretId":"a","Other":1}`, `{"VersionId":"00000000000000000000000000000001","SecretId":"x"}`, `{"SecretId":"é"}`,
	} {
		f.Add([]byte(s))
	}
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return "=" + *p
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // the API answers invalid JSON before the operation runs
		}
		var fast getSecretValueInput
		if !fast.decodeFast(body) {
			return
		}
		var ref getSecretValueInput
		if err := json.Unmarshal(body, &ref); err != nil {
			t.Fatalf("%q: read fast, json refuses: %v", body, err)
		}
		for _, p := range [][2]*string{{fast.SecretId, ref.SecretId}, {fast.VersionId, ref.VersionId}, {fast.VersionStage, ref.VersionStage}} {
			if str(p[0]) != str(p[1]) {
				t.Fatalf("%q: fast %s, json %s", body, str(p[0]), str(p[1]))
			}
		}
	})
}

// FuzzParsePolicy: any text is a policy or a MalformedPolicyDocumentException,
// never a panic.
func FuzzParsePolicy(f *testing.F) {
	for _, seed := range []string{`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"*"}]}`,
		`{"Statement":{"Effect":"Deny","Principal":"*","Action":"*","Condition":{}}}`, `{"Statement":7}`, `{}`, `[`, `null`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := parsePolicy(text)
		if err != nil {
			if e, ok := awsproto.AsError(err); !ok || e.Code != errMalformedPolicy.Name {
				t.Fatal(err)
			}
			return
		}
		_ = d.public()
	})
}
