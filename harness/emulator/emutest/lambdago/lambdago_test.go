package lambdago_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest/lambdago"
)

// The directory is the version go.mod requires, and its samples read.
func TestSampleOfTheRequiredVersion(t *testing.T) {
	d := lambdago.Dir(t)
	if !strings.HasPrefix(filepath.Base(d), "aws-lambda-go@v") {
		t.Fatalf("dir %s", d)
	}
	var ev map[string]any
	if err := json.Unmarshal(lambdago.Sample(t, "lambda-urls-request.json"), &ev); err != nil || ev["version"] != "2.0" {
		t.Fatalf("sample: %v %v", ev["version"], err)
	}
}
