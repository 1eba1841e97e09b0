package backend

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Feature is something a scenario may need that not every cloud has.
type Feature string

// The features scenarios ask for (scenario.Needs labels specs with them).
const (
	// FeatureReset: Reset empties every store (groundstack only).
	FeatureReset Feature = "reset"
	// FeatureHealth: GET /_localstack/health answers (not on AWS).
	FeatureHealth Feature = "health"
	// FeaturePathURLs: function URLs and bucket websites also answer at
	// the endpoint's /_aws/lambda-url/{id}/ and /_aws/s3-website/{bucket}/,
	// with no DNS needed (groundstack only; elsewhere use the host forms).
	FeaturePathURLs Feature = "path-urls"
	// FeatureWebSocketAPIs: API Gateway v2 WebSocket APIs (LocalStack
	// keeps them for paid plans).
	FeatureWebSocketAPIs Feature = "websocket-apis"
	// FeatureEC2Hosts: RunInstances starts a machine that answers SSH
	// (LocalStack keeps it for paid plans).
	FeatureEC2Hosts Feature = "ec2-hosts"
	// FeatureEC2Python: those machines run python3 scripts (not the
	// busybox-only hosts of the container backend or of
	// GROUNDSTACK_EC2_HOSTS=container).
	FeatureEC2Python Feature = "ec2-python"
	// FeatureFaults: fault rules (/_groundstack/faults; LocalStack's Chaos
	// API is a paid add-on of another shape).
	FeatureFaults Feature = "faults"
)

// featureNames say in a few words what each feature is, for skip reasons.
var featureNames = map[Feature]string{
	FeatureReset:         "a reset of every store",
	FeatureHealth:        "the /_localstack/health endpoint",
	FeaturePathURLs:      "path-style function URLs and bucket websites",
	FeatureWebSocketAPIs: "API Gateway WebSocket APIs",
	FeatureEC2Hosts:      "EC2 instances that answer SSH",
	FeatureEC2Python:     "python3 on EC2 instances",
	FeatureFaults:        "fault injection (/_groundstack/faults)",
}

// String is the feature in words.
func (f Feature) String() string {
	if s, ok := featureNames[f]; ok {
		return s
	}
	return string(f)
}

// Features is a set of features.
type Features map[Feature]bool

// Has reports whether f is in the set.
func (fs Features) Has(f Feature) bool { return fs[f] }

func featureSet(fs ...Feature) Features {
	out := Features{}
	for _, f := range fs {
		out[f] = true
	}
	return out
}

// Feature sets of the clouds that cannot be asked: LocalStack by edition
// (what its plans document) and real AWS.
var (
	localStackFree = featureSet(FeatureHealth)
	localStackPaid = featureSet(FeatureHealth, FeatureWebSocketAPIs, FeatureEC2Hosts, FeatureEC2Python)
	awsFeatures    = featureSet(FeatureWebSocketAPIs, FeatureEC2Hosts, FeatureEC2Python)
)

// capabilitiesOf says which of the capabilities a groundstack lists
// (cloud.Cap*) each feature takes: what a feature means, not who has it.
var capabilitiesOf = map[Feature][]string{
	FeatureReset:         {cloud.CapReset},
	FeatureHealth:        {cloud.CapHealth},
	FeaturePathURLs:      {cloud.CapFunctionURLPaths, cloud.CapWebsitePaths},
	FeatureWebSocketAPIs: {cloud.CapWebSocketAPIs},
	FeatureEC2Hosts:      {cloud.CapEC2Hosts},
	FeatureEC2Python:     {cloud.CapEC2Hosts, cloud.CapEC2Python},
	FeatureFaults:        {cloud.CapFaults},
}

// groundstackFeatures are the features of a groundstack that serves caps
// (its Emulator.Capabilities, or the list in its /_groundstack/health).
func groundstackFeatures(caps []string) Features {
	fs := Features{}
	for f, needs := range capabilitiesOf {
		if !slices.ContainsFunc(needs, func(c string) bool { return !slices.Contains(caps, c) }) {
			fs[f] = true
		}
	}
	return fs
}

// probeFeatures asks a running cloud what it is: a groundstack answers
// /_groundstack/health with the capabilities it serves; anything else is
// taken for a LocalStack, paid when its health names an edition other
// than community.
func probeFeatures(ctx context.Context, endpoint string) Features {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	client := &http.Client{}
	get := func(path string) (int, []byte) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, b
	}
	if code, body := get("/_groundstack/health"); code == http.StatusOK {
		var h struct {
			Capabilities []string `json:"capabilities"`
		}
		_ = json.Unmarshal(body, &h) // a groundstack that lists none has none of them
		return groundstackFeatures(h.Capabilities)
	}
	return localStackFeatures(get("/_localstack/health"))
}

// localStackFeatures reads the edition from a LocalStack health answer.
func localStackFeatures(code int, body []byte) Features {
	var h struct {
		Edition string `json:"edition"`
	}
	if code != http.StatusOK || json.Unmarshal(body, &h) != nil {
		return featureSet()
	}
	switch strings.ToLower(h.Edition) {
	case "", "community":
		return localStackFree
	default: // pro, enterprise, trial…
		return localStackPaid
	}
}
