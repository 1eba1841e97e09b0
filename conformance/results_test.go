package conformance

import (
	"strings"
	"testing"
)

func TestReadKnown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     int
		err      bool
	}{
		{"comments and blanks", "# x\n\n  # y\n", 0, false},
		{"one entry", "iot | CreateThing | billingGroupName* | not validated\n", 1, false},
		{"reason missing", "iot | CreateThing | x\n", 0, true},
		{"empty field", "iot |  | x | why\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ReadKnown(strings.NewReader(tc.in))
			if (err != nil) != tc.err || len(k) != tc.want {
				t.Fatalf("ReadKnown = %v, %v; want %d entries, error %v", k, err, tc.want, tc.err)
			}
		})
	}
}

func TestKnownMatches(t *testing.T) {
	t.Parallel()
	r := Result{Service: "iot", Operation: "CreateThing", Case: "billingGroupName length 129 > max"}
	for _, tc := range []struct {
		k    Known
		want bool
	}{
		{Known{Service: "iot", Operation: "CreateThing", Case: "billingGroupName length 129 > max"}, true},
		{Known{Service: "iot", Operation: "*", Case: "billingGroupName*"}, true},
		{Known{Service: "iot", Operation: "CreateThing", Case: "billingGroupName"}, false},
		{Known{Service: "iot-data", Operation: "*", Case: "*"}, false},
		{Known{Service: "iot", Operation: "ListThings", Case: "*"}, false},
	} {
		if got := tc.k.Matches(r); got != tc.want {
			t.Errorf("%+v.Matches = %v, want %v", tc.k, got, tc.want)
		}
	}
}

func TestReadResults(t *testing.T) {
	t.Parallel()
	in := `{"service": "sqs", "operation": "ListQueues", "case": "valid", "ok": true}
{"summary": "sqs", "operations": 23, "served": 23, "cases": 70, "passed": 67, "unserved": []}
{"done": true, "seconds": 1.5}
`
	rs, err := ReadResults(strings.NewReader(in))
	if err != nil || len(rs) != 3 || !rs[0].OK || rs[1].Served != 23 || !rs[2].Done {
		t.Fatalf("ReadResults = %+v, %v", rs, err)
	}
	if _, err := ReadResults(strings.NewReader("not json\n")); err == nil {
		t.Fatal("a line that is not JSON: want an error")
	}
}

// FuzzReadKnown: any text is read without a panic, and every entry it keeps
// has all four fields.
func FuzzReadKnown(f *testing.F) {
	f.Add("iot | CreateThing | billingGroupName* | not validated\n# c\n")
	f.Add("a|b|c|d|e\n")
	f.Add("|||\n")
	f.Fuzz(func(t *testing.T, s string) {
		ks, _ := ReadKnown(strings.NewReader(s))
		for _, k := range ks {
			if k.Service == "" || k.Operation == "" || k.Case == "" || k.Reason == "" {
				t.Fatalf("entry with an empty field: %+v", k)
			}
		}
	})
}

// FuzzReadResults: any input is read without a panic.
func FuzzReadResults(f *testing.F) {
	f.Add(`{"service":"s3","operation":"GetObject","case":"valid","kind":"shape","expected":"x","got":"y"}` + "\n")
	f.Add("{\"done\":true}\n\n{")
	f.Fuzz(func(t *testing.T, s string) { _, _ = ReadResults(strings.NewReader(s)) })
}
