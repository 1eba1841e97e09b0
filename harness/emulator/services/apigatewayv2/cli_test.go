package apigatewayv2_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// The aws CLI accepts the control plane's answers, its errors included.
// (A few calls only: each CLI run costs about a second of CPU; the SDK tests
// cover every operation.)
func TestCLI(t *testing.T) {
	e, _ := emutest.Start(t)
	cli := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, code := emutest.CLI(t, e.URL(), append([]string{"apigatewayv2"}, args...)...)
		if code != 0 {
			t.Fatalf("aws apigatewayv2 %v: %d %s", args, code, stderr)
		}
		var v map[string]any
		if strings.TrimSpace(out) != "" {
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
		}
		return v
	}
	ws := cli("create-api", "--name", "chat", "--protocol-type", "WEBSOCKET", "--route-selection-expression", "$request.body.action", "--tags", "team=a")
	wsID := ws["ApiId"].(string)
	if ws["RouteSelectionExpression"] != "$request.body.action" || !strings.HasPrefix(ws["ApiEndpoint"].(string), "ws://"+wsID+".execute-api.") {
		t.Fatalf("%v", ws)
	}
	cli("create-stage", "--api-id", wsID, "--stage-name", "prod", "--stage-variables", "env=p", "--auto-deploy")
	dn := cli("create-domain-name", "--domain-name", "api.example.com", "--domain-name-configurations", "EndpointType=REGIONAL,SecurityPolicy=TLS_1_2")
	cfgs, _ := dn["DomainNameConfigurations"].([]any)
	if dn["DomainName"] != "api.example.com" || len(cfgs) != 1 || cfgs[0].(map[string]any)["DomainNameStatus"] != "AVAILABLE" {
		t.Fatalf("%v", dn)
	}
	link := cli("create-vpc-link", "--name", "link", "--subnet-ids", "subnet-1", "subnet-2")
	if link["VpcLinkStatus"] != "AVAILABLE" || link["VpcLinkVersion"] != "V2" || len(link["SubnetIds"].([]any)) != 2 {
		t.Fatalf("%v", link)
	}
	_, stderr, code := emutest.CLI(t, e.URL(), "apigatewayv2", "get-api", "--api-id", "nope")
	if code == 0 || !strings.Contains(stderr, "NotFoundException") || !strings.Contains(stderr, "Invalid API identifier specified 000000000000:nope") {
		t.Fatalf("get-api nope: %d %s", code, stderr)
	}
	_, stderr, code = emutest.CLI(t, e.URL(), "apigatewayv2", "create-route", "--api-id", wsID, "--route-key", "$bogus")
	if code == 0 || !strings.Contains(stderr, "BadRequestException") {
		t.Fatalf("bad route key: %d %s", code, stderr)
	}
}
