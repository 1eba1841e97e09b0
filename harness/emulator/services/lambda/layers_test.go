package lambda_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime/ziptest"
)

func publishLayer(t *testing.T, c *awslambda.Client, name string, files map[string]string, runtimes ...types.Runtime) *awslambda.PublishLayerVersionOutput {
	t.Helper()
	out, err := c.PublishLayerVersion(bg, &awslambda.PublishLayerVersionInput{
		LayerName: aws.String(name), Content: &types.LayerVersionContentInput{ZipFile: zipOf(t, files)},
		CompatibleRuntimes: runtimes, Description: aws.String("layer " + name), LicenseInfo: aws.String("MIT"),
	})
	if err != nil {
		t.Fatalf("publish %s: %v", name, err)
	}
	return out
}

func TestLayerVersionsAPI(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	v1 := publishLayer(t, c, "shared-lib", map[string]string{"python/shared.py": "X = 1"}, types.RuntimePython312)
	v2 := publishLayer(t, c, "shared-lib", map[string]string{"python/shared.py": "X = 2"}, types.RuntimePython312, types.RuntimeNodejs20x)
	arn := "arn:aws:lambda:us-east-1:000000000000:layer:shared-lib"
	if aws.ToString(v1.LayerArn) != arn || aws.ToString(v1.LayerVersionArn) != arn+":1" || v1.Version != 1 || v2.Version != 2 ||
		v1.Content == nil || v1.Content.CodeSize == 0 || aws.ToString(v1.Content.CodeSha256) == "" || aws.ToString(v1.LicenseInfo) != "MIT" {
		t.Fatalf("published: %+v %+v", v1, v2)
	}
	// The content's location serves the zip.
	resp, err := http.Get(aws.ToString(v1.Content.Location))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil || zr.File[0].Name != "python/shared.py" {
		t.Fatalf("content location: %d %v", resp.StatusCode, err)
	}
	got, err := c.GetLayerVersion(bg, &awslambda.GetLayerVersionInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(2)})
	if err != nil || aws.ToString(got.LayerVersionArn) != arn+":2" || len(got.CompatibleRuntimes) != 2 || aws.ToString(got.Description) != "layer shared-lib" {
		t.Fatalf("get: %+v %v", got, err)
	}
	byArn, err := c.GetLayerVersionByArn(bg, &awslambda.GetLayerVersionByArnInput{Arn: aws.String(arn + ":1")})
	if err != nil || byArn.Version != 1 || aws.ToString(byArn.Content.CodeSha256) != aws.ToString(v1.Content.CodeSha256) {
		t.Fatalf("get by ARN: %+v %v", byArn, err)
	}
	publishLayer(t, c, "another", map[string]string{"nodejs/node_modules/a/index.js": ""}, types.RuntimeNodejs20x)
	list, err := c.ListLayers(bg, &awslambda.ListLayersInput{})
	if err != nil || len(list.Layers) != 2 || aws.ToString(list.Layers[1].LayerName) != "shared-lib" || list.Layers[1].LatestMatchingVersion.Version != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	py, _ := c.ListLayers(bg, &awslambda.ListLayersInput{CompatibleRuntime: types.RuntimePython312})
	if len(py.Layers) != 1 || aws.ToString(py.Layers[0].LayerName) != "shared-lib" {
		t.Fatalf("list by runtime: %+v", py)
	}
	versions, err := c.ListLayerVersions(bg, &awslambda.ListLayerVersionsInput{LayerName: aws.String("shared-lib")})
	if err != nil || len(versions.LayerVersions) != 2 || versions.LayerVersions[0].Version != 2 || versions.LayerVersions[1].Version != 1 {
		t.Fatalf("versions: %+v %v", versions, err)
	}
	paged, _ := c.ListLayerVersions(bg, &awslambda.ListLayerVersionsInput{LayerName: aws.String("shared-lib"), MaxItems: aws.Int32(1)})
	if len(paged.LayerVersions) != 1 || aws.ToString(paged.NextMarker) == "" {
		t.Fatalf("first page: %+v", paged)
	}
	paged, _ = c.ListLayerVersions(bg, &awslambda.ListLayerVersionsInput{LayerName: aws.String("shared-lib"), MaxItems: aws.Int32(1), Marker: paged.NextMarker})
	if len(paged.LayerVersions) != 1 || paged.LayerVersions[0].Version != 1 || paged.NextMarker != nil {
		t.Fatalf("second page: %+v", paged)
	}

	// Permissions.
	_, err = c.GetLayerVersionPolicy(bg, &awslambda.GetLayerVersionPolicyInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(1)})
	wantCode(t, err, "ResourceNotFoundException", "No policy is associated with the given resource.")
	added, err := c.AddLayerVersionPermission(bg, &awslambda.AddLayerVersionPermissionInput{LayerName: aws.String("shared-lib"),
		VersionNumber: aws.Int64(1), StatementId: aws.String("everyone"), Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("*")})
	if err != nil || !strings.Contains(aws.ToString(added.Statement), `"Resource":"`+arn+`:1"`) || aws.ToString(added.RevisionId) == "" {
		t.Fatalf("add permission: %+v %v", added, err)
	}
	_, err = c.AddLayerVersionPermission(bg, &awslambda.AddLayerVersionPermissionInput{LayerName: aws.String("shared-lib"),
		VersionNumber: aws.Int64(1), StatementId: aws.String("everyone"), Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("*")})
	wantCode(t, err, "ResourceConflictException", "The statement id (everyone) provided already exists.")
	_, err = c.AddLayerVersionPermission(bg, &awslambda.AddLayerVersionPermissionInput{LayerName: aws.String("shared-lib"),
		VersionNumber: aws.Int64(1), StatementId: aws.String("acct"), Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("111122223333"),
		RevisionId: aws.String("stale")})
	wantCode(t, err, "PreconditionFailedException", "")
	pol, err := c.GetLayerVersionPolicy(bg, &awslambda.GetLayerVersionPolicyInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(1)})
	var doc struct {
		Statement []map[string]any
	}
	if err != nil || json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc) != nil || len(doc.Statement) != 1 || doc.Statement[0]["Sid"] != "everyone" {
		t.Fatalf("policy: %+v %v", pol, err)
	}
	_, err = c.RemoveLayerVersionPermission(bg, &awslambda.RemoveLayerVersionPermissionInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(1), StatementId: aws.String("nobody")})
	wantCode(t, err, "ResourceNotFoundException", "Statement nobody is not found in resource policy.")
	if _, err := c.RemoveLayerVersionPermission(bg, &awslambda.RemoveLayerVersionPermissionInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(1), StatementId: aws.String("everyone")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddLayerVersionPermission(bg, &awslambda.AddLayerVersionPermissionInput{LayerName: aws.String("shared-lib"),
		VersionNumber: aws.Int64(1), StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	wantCode(t, err, "ValidationException", "Member must satisfy regular expression pattern: lambda:GetLayerVersion")

	// Deletion: idempotent; numbers go on.
	for i := 0; i < 2; i++ {
		if _, err := c.DeleteLayerVersion(bg, &awslambda.DeleteLayerVersionInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(2)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.GetLayerVersion(bg, &awslambda.GetLayerVersionInput{LayerName: aws.String("shared-lib"), VersionNumber: aws.Int64(2)})
	wantCode(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	if v3 := publishLayer(t, c, "shared-lib", map[string]string{"python/shared.py": "X = 3"}); v3.Version != 3 {
		t.Fatalf("after deleting 2, published %d", v3.Version)
	}
	_, err = c.GetLayerVersionByArn(bg, &awslambda.GetLayerVersionByArnInput{Arn: aws.String(arn + ":9")})
	wantCode(t, err, "ResourceNotFoundException", "")
	_ = e
}

func TestFunctionLayersRules(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	l := publishLayer(t, c, "rules", map[string]string{"python/x.py": ""})
	arn := aws.ToString(l.LayerVersionArn)
	withLayers := func(layers ...string) func(*awslambda.CreateFunctionInput) {
		return func(in *awslambda.CreateFunctionInput) { in.Layers = layers }
	}
	name := createFn(t, c, withLayers(arn))
	got, err := c.GetFunctionConfiguration(bg, &awslambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil || len(got.Layers) != 1 || aws.ToString(got.Layers[0].Arn) != arn || got.Layers[0].CodeSize != l.Content.CodeSize {
		t.Fatalf("configuration layers: %+v %v", got.Layers, err)
	}
	// An empty list removes them.
	up, err := c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Layers: []string{}})
	if err != nil || len(up.Layers) != 0 {
		t.Fatalf("removed: %+v %v", up.Layers, err)
	}
	for _, tc := range []struct {
		name   string
		layers []string
		code   string
		msg    string
	}{
		{"six layers", []string{arn, arn, arn, arn, arn, arn}, "InvalidParameterValueException", "Cannot reference more than 5 layers."},
		{"no such version", []string{strings.TrimSuffix(arn, ":1") + ":7"}, "InvalidParameterValueException", "Layer version " + strings.TrimSuffix(arn, ":1") + ":7 does not exist."},
		{"not an ARN", []string{"my-layer"}, "ValidationException", "Value '[my-layer]' at 'layers' failed to satisfy constraint"},
		{"two versions of one layer", []string{arn, aws.ToString(publishLayer(t, c, "rules", map[string]string{"python/y.py": ""}).LayerVersionArn)},
			"InvalidParameterValueException", "Two different versions of the same layer are not allowed to be referenced in the same function."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.UpdateFunctionConfiguration(bg, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), Layers: tc.layers})
			wantCode(t, err, tc.code, tc.msg)
		})
	}
}

// zeros is a zip of one file of n zero bytes (tiny zipped, n unzipped).
// zeros is a zip of one entry of 64 KiB + mib MiB of zeros, built
// without deflating it.
func zeros(t *testing.T, path string, mib int) []byte {
	t.Helper()
	b, err := ziptest.Zeros(path, mib)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLayersOverTheSizeLimit(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	// One layer over 250 MB unzipped is refused at publishing.
	_, err := c.PublishLayerVersion(bg, &awslambda.PublishLayerVersionInput{LayerName: aws.String("huge"),
		Content: &types.LayerVersionContentInput{ZipFile: zeros(t, "python/blob.bin", 250)}})
	wantCode(t, err, "InvalidParameterValueException", "Unzipped size must be smaller than 262144000 bytes")
	// Two of 140 MB are fine alone, not together.
	var arns []string
	for _, name := range []string{"big-a", "big-b"} {
		out, err := c.PublishLayerVersion(bg, &awslambda.PublishLayerVersionInput{LayerName: aws.String(name),
			Content: &types.LayerVersionContentInput{ZipFile: zeros(t, "python/"+name+".bin", 140)}})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(out.LayerVersionArn))
	}
	_, err = c.CreateFunction(bg, &awslambda.CreateFunctionInput{FunctionName: aws.String("too-big"), Runtime: types.RuntimeProvidedal2023,
		Role: aws.String(role), Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: testfnZip}, Layers: arns})
	wantCode(t, err, "InvalidParameterValueException", "Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is ")
}

func TestLayersReachTheHandler(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	lib := publishLayer(t, c, "libs", map[string]string{
		"python/greeting.py":                                "def hello(n): return 'hello ' + n",
		"python/lib/python3.12/site-packages/colours.py":    "RED = 'red'",
		"nodejs/node_modules/greeting/index.js":             "module.exports = (n) => 'hello ' + n;",
		"bin/layer-tool":                                    "#!/bin/sh\necho tool from the layer\n",
		"python/lib/python3.12/site-packages/overridden.py": "WHO = 'first layer'",
	})
	over := publishLayer(t, c, "override", map[string]string{"python/lib/python3.12/site-packages/overridden.py": "WHO = 'second layer'"})
	layers := []string{aws.ToString(lib.LayerVersionArn), aws.ToString(over.LayerVersionArn)}
	t.Run("python", func(t *testing.T) {
		needs(t, "python3")
		name := createCode(t, c, types.RuntimePython312, "app.handler", map[string]string{"app.py": `
import subprocess, greeting, colours, overridden
def handler(event, context):
    tool = subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip()
    return [greeting.hello("py"), colours.RED, overridden.WHO, tool]
`}, func(in *awslambda.CreateFunctionInput) { in.Layers = layers })
		out := invoke(t, c, name, `{}`)
		if string(out.Payload) != `["hello py", "red", "second layer", "tool from the layer"]` {
			t.Fatalf("python with layers: %s", out.Payload)
		}
	})
	t.Run("node", func(t *testing.T) {
		needs(t, "node")
		name := createCode(t, c, types.RuntimeNodejs20x, "index.handler", map[string]string{"index.js": `
const greeting = require("greeting");
exports.handler = async () => greeting("js");
`}, func(in *awslambda.CreateFunctionInput) { in.Layers = layers })
		out := invoke(t, c, name, `{}`)
		if string(out.Payload) != `"hello js"` {
			t.Fatalf("node with layers: %s", out.Payload)
		}
	})
}

// TestLayerEntriesStayInOpt: a layer whose entries climb out of its
// directory ("../", absolute paths, symlinks pointing outside) is
// extracted without them.
func TestLayerEntriesStayInOpt(t *testing.T) {
	t.Parallel()
	needs(t, "python3")
	_, c := start(t)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"../escaped.txt", "/abs-escaped.txt", "python/../../escaped2.txt", "python/ok.py"} {
		w, _ := zw.Create(name)
		w.Write([]byte("OK = True\n"))
	}
	h := &zip.FileHeader{Name: "python/link"}
	h.SetMode(0o777 | fs.ModeSymlink)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte("../../../../../../etc"))
	zw.Close()
	out, err := c.PublishLayerVersion(bg, &awslambda.PublishLayerVersionInput{LayerName: aws.String("evil"),
		Content: &types.LayerVersionContentInput{ZipFile: buf.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	name := createCode(t, c, types.RuntimePython312, "app.handler", map[string]string{"app.py": `
import os, ok
def handler(event, context):
    opt = os.path.dirname(os.environ["PYTHONPATH"].split(":")[-1])
    found = [p for p in ("../escaped.txt", "../escaped2.txt", "escaped2.txt", "abs-escaped.txt") if os.path.exists(os.path.join(opt, p))]
    return {"ok": ok.OK, "found": found, "link": os.path.lexists(os.path.join(opt, "python", "link")), "abs": os.path.exists("/abs-escaped.txt")}
`}, func(in *awslambda.CreateFunctionInput) { in.Layers = []string{aws.ToString(out.LayerVersionArn)} })
	got := invoke(t, c, name, `{}`)
	if string(got.Payload) != `{"ok": true, "found": ["abs-escaped.txt"], "link": false, "abs": false}` &&
		string(got.Payload) != `{"ok": true, "found": [], "link": false, "abs": false}` {
		t.Fatalf("extracted layer: %s", got.Payload)
	}
}
