package workshop

import (
	"slices"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/handlers/workshop/lab"
)

// The functions read their resources' names from the environment Deploy
// gives them: every name they use must be the stack's, none the lab
// scripts' defaults (lab-…), or the Go path would write into the lab's.
func TestTheGoFunctionsUseTheStacksNamesNeverTheLabs(t *testing.T) {
	st := Names("workshop-go")
	env := st.environment("workshop-go")
	s := lab.SettingsFromEnv(func(k string) string { return env[k] })
	for name, got := range map[string]string{
		"processed bucket": s.ProcessedBucket, "thumbnails bucket": s.ThumbnailsBucket, "images table": s.ImagesTable,
		"logs bucket": s.LogsBucket, "logs table": s.LogsTable, "topic": s.TopicName, "history table": s.HistoryTable,
		"notify function": s.NotifyFunction, "files bucket": s.FilesBucket,
	} {
		if !strings.HasPrefix(got, "workshop-go-") && !strings.HasPrefix(got, "WorkshopGo") {
			t.Errorf("%s: %q is not the stack's", name, got)
		}
	}
	if !slices.Equal(s.DashboardTables, []string{"WorkshopGoImageMetadata", "WorkshopGoLogIndex", "WorkshopGoNotificationHistory"}) {
		t.Errorf("dashboard tables %v", s.DashboardTables)
	}
	if len(s.DashboardBuckets) != 4 || !slices.Contains(s.DashboardBuckets, st.OriginalsBucket) {
		t.Errorf("dashboard buckets %v", s.DashboardBuckets)
	}
	if st.Functions["notify"] != s.NotifyFunction {
		t.Errorf("the router invokes %q, the stack's notification function is %q", s.NotifyFunction, st.Functions["notify"])
	}
}

func TestStackNamesAreDerivedFromTheName(t *testing.T) {
	st := Names("my-lab.v2")
	if st.ImagesTable != "MyLabV2ImageMetadata" || st.OriginalsBucket != "my-lab.v2-originals" || st.Functions["router"] != "my-lab.v2-router" {
		t.Errorf("%+v", st)
	}
}
