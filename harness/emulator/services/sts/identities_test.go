package sts

import (
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Other services (API Gateway's AWS_IAM identity) learn who a session key
// belongs to through the link STS publishes.
func TestSessionsArePublishedAsCallerIdentities(t *testing.T) {
	env := cloud.DefaultEnv()
	s := New(env)
	ids, ok := env.Links.Get(cloud.LinkIdentities).(cloud.CallerIdentities)
	if !ok {
		t.Fatal("STS did not publish cloud.LinkIdentities")
	}
	now := time.Unix(1_000_000, 0)
	s.store.Remember(Credentials{AccessKeyID: "ASIAKEY", SecretAccessKey: "secret", SessionToken: "token"}, Identity{Account: "000000000000", Arn: "arn:aws:sts::000000000000:assumed-role/r/s", UserID: "AROAID:s", AssumedRole: true}, now.Add(time.Hour), now)
	got, ok := ids.CallerIdentity("ASIAKEY", now)
	if !ok || got != (cloud.CallerIdentity{Account: "000000000000", Arn: "arn:aws:sts::000000000000:assumed-role/r/s", UserID: "AROAID:s"}) {
		t.Fatalf("CallerIdentity = %+v, %v", got, ok)
	}
	if _, ok := ids.CallerIdentity("ASIAKEY", now.Add(2*time.Hour)); ok {
		t.Fatal("an expired session still names its caller")
	}
	if _, ok := ids.CallerIdentity("AKIAOTHER", now); ok {
		t.Fatal("a key STS never issued has an identity")
	}
}
