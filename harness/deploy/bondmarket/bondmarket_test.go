package bondmarket

import (
	"regexp"
	"testing"
	"time"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
)

// The functions read every resource's name from the environment Deploy
// gives them.
func TestTheFunctionsGetTheStacksNames(t *testing.T) {
	st := Names("bm-test")
	st.JobsQueueURL = "http://127.0.0.1:4566/000000000000/bm-test-jobs"
	env := st.environment(Options{PaymentsURL: "http://127.0.0.1:9", PaymentsTimeout: 2 * time.Second})
	s := market.SettingsFromEnv(func(k string) string { return env[k] })
	want := market.Settings{FixturesTable: "BmTestFixtures", RequestsTable: "BmTestRequests", UsersTable: "BmTestUsers",
		MessagesTable: "BmTestMessages", ReceiptsBucket: "bm-test-receipts", JobsQueueURL: st.JobsQueueURL,
		PaymentsURL: "http://127.0.0.1:9", PaymentsTimeout: 2 * time.Second, ReceiptTTL: 15 * time.Minute}
	if s != want {
		t.Errorf("settings %+v\nwant %+v", s, want)
	}
	for _, r := range Roles {
		if st.Functions[r] != "bm-test-"+r {
			t.Errorf("function %s is %q", r, st.Functions[r])
		}
	}
}

func TestRuleAndAlarmNames(t *testing.T) {
	// IoT rule names are letters, digits and underscores
	valid := regexp.MustCompile(`^[a-zA-Z0-9_]+$`)
	for _, r := range []string{RuleName("bondmarket", "requests"), RuleName("my-flow.v2", "validation")} {
		if !valid.MatchString(r) {
			t.Errorf("rule name %q", r)
		}
	}
	if got := ruleARN("arn:aws:lambda:eu-west-1:123456789012:function:bondmarket-requests", "bondmarket_requests"); got != "arn:aws:iot:eu-west-1:123456789012:rule/bondmarket_requests" {
		t.Errorf("rule ARN %q", got)
	}
	if got := RuleSQL(market.TopicRequests); got != "SELECT * FROM 'fixtures/requests'" {
		t.Errorf("SQL %q", got)
	}
	if AlarmName("bondmarket-jobs") != "bondmarket-jobs-errors" {
		t.Error(AlarmName("bondmarket-jobs"))
	}
}

func TestRequestsIndexIsTheOneTheAPIQueries(t *testing.T) {
	specs := TableSpecs(Names("bondmarket"))
	for _, s := range specs {
		if *s.TableName == "BondmarketRequests" {
			if len(s.GlobalSecondaryIndexes) != 1 || *s.GlobalSecondaryIndexes[0].IndexName != market.InternalIndex {
				t.Fatalf("indexes %+v", s.GlobalSecondaryIndexes)
			}
			return
		}
	}
	t.Fatal("no requests table")
}
