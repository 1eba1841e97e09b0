package apigatewayv2_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"

	"github.com/groundstack/groundstack/harness/deploy"
	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2"
)

// testfn (handlers/testfn) answers WebSocket events as it answers every
// API Gateway event: 200 with the event itself as the body, or, with
// ?mode=status&code=N on $connect, that status.
var (
	wsTestfnOnce sync.Once
	wsTestfnZip  []byte
	wsTestfnErr  error
)

func wsTestfn(t testing.TB) []byte {
	t.Helper()
	wsTestfnOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		path, _, err := deploy.BuildHandler(ctx, "../../../../handlers/testfn")
		if err != nil {
			wsTestfnErr = err
			return
		}
		wsTestfnZip, wsTestfnErr = os.ReadFile(path)
	})
	if wsTestfnErr != nil {
		t.Fatal(wsTestfnErr)
	}
	return wsTestfnZip
}

// wsAPI is a deployed WebSocket API whose $connect, $disconnect, $default
// and two-way "echo" routes all invoke testfn.
type wsAPI struct {
	e        *emulator.Emulator
	cfg      aws.Config
	id       string
	port     string
	pathURL  string // ws://127.0.0.1:port/_aws/execute-api/{id}/dev
	hostURL  string // ws://{id}.execute-api.localhost.localstack.cloud:port/dev
	mgmtPath string // http://127.0.0.1:port/_aws/execute-api/{id}/dev
}

func startWSAPI(t testing.TB, opts ...emulator.Option) *wsAPI {
	t.Helper()
	zip := wsTestfn(t)
	e, cfg := emutest.Start(t, opts...)
	bg := context.Background()
	lc := awslambda.NewFromConfig(cfg)
	if _, err := lc.CreateFunction(bg, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("wsfn"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/lambda-role"), Code: &lambdatypes.FunctionCode{ZipFile: zip}, Timeout: aws.Int32(10),
	}); err != nil {
		t.Fatal(err)
	}
	c := apigw.NewFromConfig(cfg)
	api, err := c.CreateApi(bg, &apigw.CreateApiInput{Name: aws.String("chat"), ProtocolType: "WEBSOCKET", RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	integ, err := c.CreateIntegration(bg, &apigw.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: "AWS_PROXY",
		IntegrationUri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:wsfn/invocations")})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"$connect", "$disconnect", "$default", "echo"} {
		r, err := c.CreateRoute(bg, &apigw.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String(key), Target: aws.String("integrations/" + *integ.IntegrationId)})
		if err != nil {
			t.Fatal(key, err)
		}
		if key == "echo" {
			if _, err := c.CreateRouteResponse(bg, &apigw.CreateRouteResponseInput{ApiId: api.ApiId, RouteId: r.RouteId, RouteResponseKey: aws.String("$default")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := c.CreateStage(bg, &apigw.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(bg, &apigw.CreateDeploymentInput{ApiId: api.ApiId, StageName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(e.URL(), "http://"))
	a := &wsAPI{e: e, cfg: cfg, id: *api.ApiId, port: port}
	a.mgmtPath = "http://127.0.0.1:" + port + "/_aws/execute-api/" + a.id + "/dev"
	a.pathURL = "ws" + strings.TrimPrefix(a.mgmtPath, "http")
	a.hostURL = "ws://" + a.id + ".execute-api.localhost.localstack.cloud:" + port + "/dev"
	return a
}

// loopback is an HTTP client that reaches every host name on 127.0.0.1
// (the *.localhost.localstack.cloud names resolve there through public
// DNS, which tests do not use).
func loopback(port string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, "127.0.0.1:"+port)
	}}}
}

func (a *wsAPI) dial(t *testing.T, url string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: loopback(a.port), HTTPHeader: http.Header{"User-Agent": {"ws-edge-test"}}})
	if c != nil {
		c.SetReadLimit(1 << 20)
		t.Cleanup(func() { c.CloseNow() })
	}
	return c, resp, err
}

func wsRead(t *testing.T, c *websocket.Conn) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// echoEvent sends an "echo" message and returns the event testfn got.
func echoEvent(t *testing.T, c *websocket.Conn, body string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	if err := c.Write(context.Background(), websocket.MessageText, []byte(body)); err != nil {
		t.Fatal(err)
	}
	raw := wsRead(t, c)
	var ev events.APIGatewayWebsocketProxyRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event does not decode as events.APIGatewayWebsocketProxyRequest: %v\n%s", err, raw)
	}
	return ev
}

func TestWebSocketThroughEdgeWithLambda(t *testing.T) {
	a := startWSAPI(t)
	for name, url := range map[string]string{"path": a.pathURL, "host": a.hostURL} {
		t.Run(name, func(t *testing.T) {
			c, _, err := a.dial(t, url+"?room=blue")
			if err != nil {
				t.Fatal(err)
			}
			ev := echoEvent(t, c, `{"action":"echo","data":"hi"}`)
			rc := ev.RequestContext
			if rc.RouteKey != "echo" || rc.EventType != "MESSAGE" || rc.APIID != a.id || rc.Stage != "dev" || rc.ConnectionID == "" ||
				rc.Identity.UserAgent != "ws-edge-test" || rc.Identity.SourceIP != "127.0.0.1" || ev.Body != `{"action":"echo","data":"hi"}` {
				t.Fatalf("event: %+v body %q", rc, ev.Body)
			}
			if name == "host" && !strings.HasPrefix(rc.DomainName, a.id+".execute-api.localhost.localstack.cloud") {
				t.Fatalf("domainName %q", rc.DomainName)
			}
			if v2(t, a.e).WebSocketConnections() < 1 {
				t.Fatal("connection not counted")
			}
		})
	}
}

func v2(t *testing.T, e *emulator.Emulator) *apigatewayv2.Service {
	t.Helper()
	for _, s := range e.Services() {
		if v, ok := s.(*apigatewayv2.Service); ok {
			return v
		}
	}
	t.Fatal("no apigatewayv2 service")
	return nil
}

func TestWebSocketConnectRejectedByLambda(t *testing.T) {
	a := startWSAPI(t)
	_, resp, err := a.dial(t, a.pathURL+"?mode=status&code=401")
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("want 401 before the upgrade, got %v %v", resp, err)
	}
	if b, _ := io.ReadAll(resp.Body); string(b) != "status 401" {
		t.Fatalf("body %q", b)
	}
}

func TestWebSocketUnknownAPIOrStage(t *testing.T) {
	a := startWSAPI(t)
	for _, url := range []string{
		"ws://127.0.0.1:" + a.port + "/_aws/execute-api/nosuchapi/dev",
		"ws://127.0.0.1:" + a.port + "/_aws/execute-api/" + a.id + "/prod",
		"ws://" + a.id + ".execute-api.localhost.localstack.cloud:" + a.port + "/prod",
	} {
		_, resp, err := a.dial(t, url)
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("%s: %v %v", url, resp, err)
		}
		if strings.Contains(url, "nosuchapi") {
			continue // not a WebSocket API: API Gateway's own 403 for an unknown id
		}
		if b, _ := io.ReadAll(resp.Body); string(b) != `{"message":"Forbidden"}` {
			t.Fatalf("%s: body %s", url, b)
		}
	}
}

func TestWebSocketMessageTooBig(t *testing.T) {
	a := startWSAPI(t)
	c, _, err := a.dial(t, a.pathURL)
	if err != nil {
		t.Fatal(err)
	}
	// 128 KB + 1 in frames of at most 32 KB (AWS's frame limit)
	if w, err := c.Writer(context.Background(), websocket.MessageText); err == nil {
		for _, n := range []int{32 << 10, 32 << 10, 32 << 10, 32 << 10, 1} {
			if _, err := w.Write(bytes.Repeat([]byte("a"), n)); err != nil {
				break
			}
		}
		_ = w.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusMessageTooBig || ce.Reason != "Message too big" {
		t.Fatalf("want close 1009 \"Message too big\", got %v", err)
	}
}

// connectionID learns a client's id from the event of an echo.
func connectionID(t *testing.T, c *websocket.Conn) string {
	return echoEvent(t, c, `{"action":"echo"}`).RequestContext.ConnectionID
}

func TestConnectionsThroughCLI(t *testing.T) {
	a := startWSAPI(t)
	c, _, err := a.dial(t, a.pathURL)
	if err != nil {
		t.Fatal(err)
	}
	id := connectionID(t, c)
	_, stderr, code := emutest.CLI(t, a.mgmtPath, "apigatewaymanagementapi", "post-to-connection", "--connection-id", id, "--data", "hello from the cli")
	if code != 0 {
		t.Fatalf("post-to-connection: %d %s", code, stderr)
	}
	if got := string(wsRead(t, c)); got != "hello from the cli" {
		t.Fatalf("delivered %q", got)
	}
	out, stderr, code := emutest.CLI(t, a.mgmtPath, "apigatewaymanagementapi", "get-connection", "--connection-id", id)
	if code != 0 {
		t.Fatalf("get-connection: %d %s", code, stderr)
	}
	var info struct {
		ConnectedAt, LastActiveAt string
		Identity                  struct{ SourceIp, UserAgent string }
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Identity.SourceIp != "127.0.0.1" || info.Identity.UserAgent != "ws-edge-test" || info.ConnectedAt == "" || info.LastActiveAt == "" {
		t.Fatalf("get-connection: %v %s", err, out)
	}
	_, stderr, code = emutest.CLI(t, a.mgmtPath, "apigatewaymanagementapi", "post-to-connection", "--connection-id", "neverExisted0000=", "--data", "x")
	if code == 0 || !strings.Contains(stderr, "GoneException") {
		t.Fatalf("never-existing connection: %d %s", code, stderr)
	}
	if _, stderr, code = emutest.CLI(t, a.mgmtPath, "apigatewaymanagementapi", "delete-connection", "--connection-id", id); code != 0 {
		t.Fatalf("delete-connection: %d %s", code, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) == -1 {
		t.Fatalf("connection not closed after delete: %v", err)
	}
}

func TestConnectionsHostForm(t *testing.T) {
	a := startWSAPI(t)
	c, _, err := a.dial(t, a.hostURL)
	if err != nil {
		t.Fatal(err)
	}
	id := connectionID(t, c)
	url := "http://" + a.id + ".execute-api.localhost.localstack.cloud:" + a.port + "/dev/@connections/" + strings.ReplaceAll(id, "=", "%3D")
	resp, err := loopback(a.port).Post(url, "application/json", strings.NewReader(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	if got := string(wsRead(t, c)); got != `{"n":1}` {
		t.Fatalf("delivered %q", got)
	}
}

// signedPost signs a management API call as handlers do (aws/signer/v4).
func signedPost(t *testing.T, url, body, secret string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	if secret != "" {
		creds := aws.Credentials{AccessKeyID: emutest.AccessKey, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "execute-api", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestConnectionsStrictAuth(t *testing.T) {
	a := startWSAPI(t, emulator.WithStrictAuth(map[string]string{emutest.AccessKey: emutest.SecretKey}))
	c, _, err := a.dial(t, a.pathURL) // the WebSocket itself is public, as on AWS
	if err != nil {
		t.Fatal(err)
	}
	id := connectionID(t, c)
	url := a.mgmtPath + "/@connections/" + strings.ReplaceAll(id, "=", "%3D")
	for _, tc := range []struct {
		secret string
		status int
		code   string
	}{
		{"", 403, "MissingAuthenticationTokenException"},
		{"wrong-secret", 403, "InvalidSignatureException"},
		{emutest.SecretKey, 200, ""},
	} {
		resp := signedPost(t, url, "signed hello", tc.secret)
		resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-Errortype") != tc.code {
			t.Fatalf("secret %q: %d %s", tc.secret, resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
		}
	}
	if got := string(wsRead(t, c)); got != "signed hello" {
		t.Fatalf("delivered %q", got)
	}
	if _, stderr, code := emutest.CLI(t, a.mgmtPath, "apigatewaymanagementapi", "post-to-connection", "--connection-id", id, "--data", "cli"); code != 0 {
		t.Fatalf("signed CLI post refused: %s", stderr)
	}
}

// The limits come from the emulator's options (groundstack up's flags and
// GROUNDSTACK_WS_* variables): AWS closes with 1001 "Going away".
func TestWebSocketLimitsFromOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name           string
		idle, lifetime time.Duration
		chatty         bool // the client keeps sending: only the lifetime ends it
	}{
		{"idle timeout", 300 * time.Millisecond, 0, false},
		{"lifetime", 0, 600 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := startWSAPI(t, emulator.WithWebSocketLimits(tc.idle, tc.lifetime))
			c, _, err := a.dial(t, a.pathURL)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if tc.chatty {
				go func() {
					tick := time.NewTicker(50 * time.Millisecond)
					defer tick.Stop()
					for c.Write(ctx, websocket.MessageText, []byte(`{"action":"nothing"}`)) == nil {
						select {
						case <-ctx.Done():
							return
						case <-tick.C:
						}
					}
				}()
			}
			for err == nil {
				_, _, err = c.Read(ctx) // replies to the chatty client's messages, then the close
			}
			var ce websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.StatusGoingAway || ce.Reason != "Going away" {
				t.Fatalf("want 1001 \"Going away\", got %v", err)
			}
			for deadline := time.Now().Add(10 * time.Second); v2(t, a.e).WebSocketConnections() != 0; {
				if time.Now().After(deadline) {
					t.Fatal("connection still registered")
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
}

func TestCapabilityDeclared(t *testing.T) {
	e, _ := emutest.Start(t)
	for _, c := range e.Capabilities() {
		if c == cloud.CapWebSocketAPIs {
			return
		}
	}
	t.Fatalf("capabilities %v lack %s", e.Capabilities(), cloud.CapWebSocketAPIs)
}

// BenchmarkWSConnectLambda measures upgrades per second through the edge
// with $connect (and, as clients hang up, $disconnect) invoking a real Go
// Lambda (testfn).
func BenchmarkWSConnectLambda(b *testing.B) {
	a := startWSAPI(b)
	client := loopback(a.port)
	m := emutest.StartCPU(b)
	start := time.Now()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c, _, err := websocket.Dial(context.Background(), a.pathURL, &websocket.DialOptions{HTTPClient: client})
			if err != nil {
				b.Error(err)
				return
			}
			c.CloseNow()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "conns/s")
	m.Report()
}
