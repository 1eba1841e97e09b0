package mqtt

import "testing"

func TestMatchTopic(t *testing.T) {
	for _, c := range []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/b/c", false},
		{"a/+", "a", false},
		{"a/+", "a/", true},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"#", "a/b", true},
		{"#", "$SYS/x", false},
		{"+/b", "$aws/b", false},
		{"$aws/#", "$aws/things/x", true},
		{"+/+", "/x", true},
		{"a/b/c", "a/b", false},
		{"a", "a/b", false},
		{"", "a", false},
		{"a", "", false},
	} {
		if got := MatchTopic(c.filter, c.topic); got != c.want {
			t.Errorf("MatchTopic(%q, %q) = %v", c.filter, c.topic, got)
		}
	}
}

func TestCovers(t *testing.T) {
	for _, c := range []struct {
		grant, filter string
		want          bool
	}{
		{"#", "a/#", true},
		{"a/#", "a/+/c", true},
		{"a/+", "a/#", false},
		{"a/+", "a/b", true},
		{"a/+", "a/+", true},
		{"a/b", "a/+", false},
		{"a/b", "a/b", true},
		{"#", "$SYS/#", false},
	} {
		if got := covers(c.grant, c.filter); got != c.want {
			t.Errorf("covers(%q, %q) = %v", c.grant, c.filter, got)
		}
	}
}

func TestValidFilter(t *testing.T) {
	for f, want := range map[string]bool{"a/#": true, "#": true, "+/x/+": true, "a#": false, "a/#/b": false, "a+/b": false, "": false, "a\x00": false} {
		if ValidFilter(f) != want {
			t.Errorf("ValidFilter(%q) != %v", f, want)
		}
	}
}

// FuzzMatchTopic checks the matcher against its definition: a filter
// without wildcards matches only itself, and matching never panics.
func FuzzMatchTopic(f *testing.F) {
	for _, s := range [][2]string{{"a/+/c", "a/b/c"}, {"#", "x"}, {"a/#", "a"}, {"$SYS/#", "$SYS/a"}, {"+", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, filter, topic string) {
		got := MatchTopic(filter, topic)
		if ValidTopic(filter) && ValidTopic(topic) && got != (filter == topic) {
			t.Fatalf("MatchTopic(%q, %q) = %v", filter, topic, got)
		}
		if got && !ValidFilter(filter) && ValidTopic(topic) {
			// a malformed filter may only match when its bad part is never reached
			_ = got
		}
		_ = covers(filter, topic)
	})
}
