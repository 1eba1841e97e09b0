// Package broadcast deploys the broadcast flow (a WebSocket chat: API
// Gateway v2 WebSocket API, three Lambda functions of handlers/broadcast,
// DynamoDB tables Connections and Messages) through the AWS APIs, so the
// same code works against groundstack, LocalStack Pro or AWS. Deploy is
// idempotent: a second run finds what the first made and changes only what
// differs. It must not import harness/emulator.
package broadcast

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v2 "github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/deploy"
)

// Defaults of Options, and the flow's fixed names.
const (
	DefaultName      = "broadcast"
	HandlerPkg       = "handlers/broadcast/functions"
	DefaultStage     = "prod"
	ConnectionsTable = "Connections"
	MessagesTable    = "Messages"
	// RouteSelection picks a message's route from its "action" field.
	RouteSelection = "$request.body.action"
	tokenBytes     = 24
)

// Routes are the API's route keys, each served by the function of the same
// role (the handler setting that selects it in the one binary).
var Routes = []struct{ Key, Role string }{
	{"$connect", "connect"},
	{"$disconnect", "disconnect"},
	{"sendmessage", "sendmessage"},
}

// Options tune a deployment; the zero value is the demo.
type Options struct {
	// Name names the API and prefixes the functions and role (default
	// "broadcast").
	Name string
	// Stage is the API's stage (default "prod").
	Stage string
	// Token is what clients must give as ?token= on connecting. Empty
	// keeps the token a deployment made before, or makes a random one.
	Token string
	// ManagementEndpoint, when set, is the @connections base URL the
	// sendmessage function posts to; empty lets it derive one from each
	// event (the emulator's edge path form, or https://{domainName}/{stage}).
	ManagementEndpoint string
}

// Stack is what a deployment made and how to reach it.
type Stack struct {
	Name             string `json:"name"`
	APIID            string `json:"api_id"`
	Stage            string `json:"stage"`
	ConnectionsTable string `json:"connections_table"`
	MessagesTable    string `json:"messages_table"`
	// Functions by role: connect, disconnect, sendmessage.
	Functions map[string]string `json:"functions"`
	// Token is the ?token= clients connect with.
	Token string `json:"token"`
	// URL is the WebSocket URL that needs no DNS (the edge's path form
	// on an emulator, wss://… on AWS); HostURL is the execute-api host
	// form. Append ?token=Token to connect.
	URL     string `json:"url"`
	HostURL string `json:"host_url"`
	// ManagementURL is the @connections API's base URL (POST
	// {ManagementURL}/@connections/{id}), in the same two forms.
	ManagementURL     string           `json:"management_url"`
	ManagementHostURL string           `json:"management_host_url"`
	Timings           map[string]int64 `json:"timings_ms"`
}

// ConnectURL is URL with the token, as a client connects.
func (st Stack) ConnectURL() string { return st.URL + "?token=" + url.QueryEscape(st.Token) }

// Names is the stack a deployment named name makes, before it is made.
func Names(name string) Stack {
	st := Stack{Name: name, ConnectionsTable: ConnectionsTable, MessagesTable: MessagesTable,
		Functions: map[string]string{}, Timings: map[string]int64{}}
	for _, r := range Routes {
		st.Functions[r.Role] = name + "-" + r.Role
	}
	return st
}

// Deploy creates or updates the flow on the cloud cfg points at.
func Deploy(ctx context.Context, cfg aws.Config, opts Options) (Stack, error) {
	if opts.Name == "" {
		opts.Name = DefaultName
	}
	if opts.Stage == "" {
		opts.Stage = DefaultStage
	}
	st := Names(opts.Name)
	st.Stage = opts.Stage
	d := &deployer{ctx: ctx, cfg: cfg, api: v2.NewFromConfig(cfg), lambda: lambda.NewFromConfig(cfg), opts: opts, st: &st}
	var zip, sha, role string
	steps := []struct {
		name string
		f    func() error
	}{
		{"build handler", func() (err error) { zip, sha, err = deploy.BuildFlowHandler(ctx, HandlerPkg); return err }},
		{"tables", d.ensureTables},
		{"api", d.ensureAPI},
		{"token", d.ensureToken},
		{"role", func() (err error) { role, err = d.ensureRole(); return err }},
		{"functions", func() error { return d.ensureFunctions(zip, sha, role) }},
		{"routes", d.ensureRoutes},
		{"stage", d.ensureStage},
	}
	for _, s := range steps {
		start := time.Now()
		err := s.f()
		st.Timings[s.name] = time.Since(start).Milliseconds()
		if err != nil {
			return st, fmt.Errorf("broadcast: %s: %w", s.name, err)
		}
	}
	st.setURLs(cfg)
	return st, nil
}

// deployer carries one Deploy run.
type deployer struct {
	ctx     context.Context
	cfg     aws.Config
	api     *v2.Client
	lambda  *lambda.Client
	opts    Options
	st      *Stack
	arns    map[string]string // role → function ARN
	changed bool              // the routes changed: deploy the stage again
}

func (d *deployer) ensureTables() error {
	c := dynamodb.NewFromConfig(d.cfg)
	specs := []struct{ table, key string }{{d.st.ConnectionsTable, "connectionId"}, {d.st.MessagesTable, "messageId"}}
	for _, s := range specs {
		_, err := c.CreateTable(d.ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String(s.table),
			AttributeDefinitions: []dtypes.AttributeDefinition{{AttributeName: aws.String(s.key), AttributeType: dtypes.ScalarAttributeTypeS}},
			KeySchema:            []dtypes.KeySchemaElement{{AttributeName: aws.String(s.key), KeyType: dtypes.KeyTypeHash}},
			BillingMode:          dtypes.BillingModePayPerRequest,
		})
		var inUse *dtypes.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return fmt.Errorf("create table %s: %w", s.table, err)
		}
	}
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 2*time.Second
	})
	for _, s := range specs {
		if err := w.Wait(d.ctx, &dynamodb.DescribeTableInput{TableName: aws.String(s.table)}, 2*time.Minute); err != nil {
			return fmt.Errorf("wait for table %s: %w", s.table, err)
		}
	}
	return nil
}

// ensureAPI finds the WebSocket API by name or creates it.
func (d *deployer) ensureAPI() error {
	var next *string
	for {
		out, err := d.api.GetApis(d.ctx, &v2.GetApisInput{NextToken: next})
		if err != nil {
			return fmt.Errorf("get apis: %w", err)
		}
		for _, a := range out.Items {
			if aws.ToString(a.Name) == d.opts.Name && a.ProtocolType == v2types.ProtocolTypeWebsocket {
				d.st.APIID = aws.ToString(a.ApiId)
				if aws.ToString(a.RouteSelectionExpression) != RouteSelection {
					if _, err := d.api.UpdateApi(d.ctx, &v2.UpdateApiInput{ApiId: a.ApiId, RouteSelectionExpression: aws.String(RouteSelection)}); err != nil {
						return fmt.Errorf("update api: %w", err)
					}
					d.changed = true
				}
				return nil
			}
		}
		if next = out.NextToken; aws.ToString(next) == "" {
			break
		}
	}
	out, err := d.api.CreateApi(d.ctx, &v2.CreateApiInput{
		Name: aws.String(d.opts.Name), ProtocolType: v2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String(RouteSelection),
		Description:              aws.String("broadcast flow: a WebSocket chat (connect, disconnect, sendmessage)"),
	})
	if err != nil {
		return fmt.Errorf("create api: %w", err)
	}
	d.st.APIID = aws.ToString(out.ApiId)
	d.changed = true
	return nil
}

// ensureToken settles the connect token: the one asked for, else the one
// the connect function already has, else a new random one (never a
// constant in the repository).
func (d *deployer) ensureToken() error {
	if d.opts.Token != "" {
		d.st.Token = d.opts.Token
		return nil
	}
	got, err := d.lambda.GetFunctionConfiguration(d.ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(d.st.Functions["connect"])})
	var nf *ltypes.ResourceNotFoundException
	switch {
	case err == nil && got.Environment != nil && got.Environment.Variables["CONNECT_TOKEN"] != "":
		d.st.Token = got.Environment.Variables["CONNECT_TOKEN"]
		return nil
	case err != nil && !errors.As(err, &nf):
		return fmt.Errorf("get connect function: %w", err)
	}
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	d.st.Token = base64.RawURLEncoding.EncodeToString(b)
	return nil
}

// executeAPIARN is arn:…:execute-api:{region}:{account}:{api}/{rest}.
func (d *deployer) executeAPIARN(p deploy.RoleARNParts, rest string) string {
	return "arn:" + p.Partition + ":execute-api:" + d.cfg.Region + ":" + p.Account + ":" + d.st.APIID + "/" + rest
}

// ensureRole is the functions' execution role: the two tables, the API's
// @connections (execute-api:ManageConnections) and their own logs.
func (d *deployer) ensureRole() (string, error) {
	st := d.st
	return deploy.EnsureExecutionRole(d.ctx, d.cfg, st.Name+"-role", "execution role of the broadcast flow's functions", "broadcast",
		func(p deploy.RoleARNParts) []deploy.Statement {
			arn := func(service, rest string) string {
				return "arn:" + p.Partition + ":" + service + ":" + d.cfg.Region + ":" + p.Account + ":" + rest
			}
			var logs []string
			for _, f := range st.Functions {
				logs = append(logs, arn("logs", "log-group:/aws/lambda/"+f+":*"))
			}
			return []deploy.Statement{
				deploy.Allow([]string{arn("dynamodb", "table/"+st.ConnectionsTable)}, "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"),
				deploy.Allow([]string{arn("dynamodb", "table/"+st.MessagesTable)}, "dynamodb:PutItem"),
				deploy.Allow([]string{d.executeAPIARN(p, st.Stage+"/POST/@connections/*")}, "execute-api:ManageConnections"),
				deploy.Allow(logs, "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
			}
		})
}

func (d *deployer) ensureFunctions(zip, sha, role string) error {
	d.arns = map[string]string{}
	for _, r := range Routes {
		env := map[string]string{"CONNECTIONS_TABLE": d.st.ConnectionsTable}
		switch r.Role {
		case "connect":
			env["CONNECT_TOKEN"] = d.st.Token
		case "sendmessage":
			env["MESSAGES_TABLE"] = d.st.MessagesTable
			if d.opts.ManagementEndpoint != "" {
				env["CONNECTIONS_ENDPOINT"] = d.opts.ManagementEndpoint
			}
		}
		arn, err := deploy.EnsureFunction(d.ctx, d.cfg, deploy.FunctionSpec{
			Name: d.st.Functions[r.Role], ZipPath: zip, CodeSha256: sha, Role: role, Handler: r.Role,
			Timeout: 30 * time.Second, Environment: env,
			Description: "broadcast: the WebSocket API's " + r.Key + " route",
		})
		if err != nil {
			return err
		}
		d.arns[r.Role] = arn
	}
	return nil
}

// integrationURI is how API Gateway names a Lambda function to invoke.
func (d *deployer) integrationURI(fnARN string) string {
	partition := "aws"
	if f := strings.Split(fnARN, ":"); len(f) > 1 && f[1] != "" {
		partition = f[1]
	}
	return "arn:" + partition + ":apigateway:" + d.cfg.Region + ":lambda:path/2015-03-31/functions/" + fnARN + "/invocations"
}

// ensureRoutes gives every route an AWS_PROXY integration to its function
// and lets API Gateway invoke the functions.
func (d *deployer) ensureRoutes() error {
	api := aws.String(d.st.APIID)
	integrations := map[string]string{} // URI → id
	var next *string
	for {
		out, err := d.api.GetIntegrations(d.ctx, &v2.GetIntegrationsInput{ApiId: api, NextToken: next})
		if err != nil {
			return fmt.Errorf("get integrations: %w", err)
		}
		for _, it := range out.Items {
			if it.IntegrationType == v2types.IntegrationTypeAwsProxy {
				integrations[aws.ToString(it.IntegrationUri)] = aws.ToString(it.IntegrationId)
			}
		}
		if next = out.NextToken; aws.ToString(next) == "" {
			break
		}
	}
	routes := map[string]v2types.Route{}
	next = nil
	for {
		out, err := d.api.GetRoutes(d.ctx, &v2.GetRoutesInput{ApiId: api, NextToken: next})
		if err != nil {
			return fmt.Errorf("get routes: %w", err)
		}
		for _, r := range out.Items {
			routes[aws.ToString(r.RouteKey)] = r
		}
		if next = out.NextToken; aws.ToString(next) == "" {
			break
		}
	}
	for _, r := range Routes {
		uri := d.integrationURI(d.arns[r.Role])
		id, ok := integrations[uri]
		if !ok {
			out, err := d.api.CreateIntegration(d.ctx, &v2.CreateIntegrationInput{
				ApiId: api, IntegrationType: v2types.IntegrationTypeAwsProxy, IntegrationUri: aws.String(uri),
				IntegrationMethod: aws.String("POST"), Description: aws.String(r.Key + " → " + d.st.Functions[r.Role]),
			})
			if err != nil {
				return fmt.Errorf("create integration for %s: %w", r.Key, err)
			}
			id = aws.ToString(out.IntegrationId)
			d.changed = true
		}
		target := "integrations/" + id
		have, ok := routes[r.Key]
		switch {
		case !ok:
			if _, err := d.api.CreateRoute(d.ctx, &v2.CreateRouteInput{ApiId: api, RouteKey: aws.String(r.Key), Target: aws.String(target)}); err != nil {
				return fmt.Errorf("create route %s: %w", r.Key, err)
			}
			d.changed = true
		case aws.ToString(have.Target) != target:
			if _, err := d.api.UpdateRoute(d.ctx, &v2.UpdateRouteInput{ApiId: api, RouteId: have.RouteId, Target: aws.String(target)}); err != nil {
				return fmt.Errorf("update route %s: %w", r.Key, err)
			}
			d.changed = true
		}
		if err := d.allowInvoke(d.arns[r.Role]); err != nil {
			return err
		}
	}
	return nil
}

// allowInvoke lets this API (any stage, any route) invoke the function;
// a statement that exists already is fine.
func (d *deployer) allowInvoke(fnARN string) error {
	p := deploy.RoleARNParts{Partition: "aws", Account: "000000000000"}
	if f := strings.Split(fnARN, ":"); len(f) > 4 {
		p = deploy.RoleARNParts{Partition: f[1], Account: f[4]}
	}
	_, err := d.lambda.AddPermission(d.ctx, &lambda.AddPermissionInput{
		FunctionName: aws.String(fnARN), StatementId: aws.String("apigateway-" + d.st.APIID),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String(d.executeAPIARN(p, "*")),
	})
	var conflict *ltypes.ResourceConflictException
	if err != nil && !errors.As(err, &conflict) {
		return fmt.Errorf("allow API Gateway to invoke %s: %w", fnARN, err)
	}
	return nil
}

// ensureStage makes the stage and deploys the routes to it when they or
// the stage are new.
func (d *deployer) ensureStage() error {
	api, stage := aws.String(d.st.APIID), aws.String(d.st.Stage)
	_, err := d.api.GetStage(d.ctx, &v2.GetStageInput{ApiId: api, StageName: stage})
	var nf *v2types.NotFoundException
	switch {
	case errors.As(err, &nf):
		if _, err := d.api.CreateStage(d.ctx, &v2.CreateStageInput{ApiId: api, StageName: stage}); err != nil {
			return fmt.Errorf("create stage: %w", err)
		}
		d.changed = true
	case err != nil:
		return fmt.Errorf("get stage: %w", err)
	}
	if !d.changed {
		return nil
	}
	if _, err := d.api.CreateDeployment(d.ctx, &v2.CreateDeploymentInput{ApiId: api, StageName: stage,
		Description: aws.String("broadcast deploy")}); err != nil {
		return fmt.Errorf("create deployment: %w", err)
	}
	return nil
}

// setURLs fills in the WebSocket and management URLs: on an emulator the
// edge's path form (no DNS needed) and the execute-api host form; on AWS
// (no endpoint) the execute-api URLs.
func (st *Stack) setURLs(cfg aws.Config) {
	endpoint := aws.ToString(cfg.BaseEndpoint)
	u, err := url.Parse(endpoint)
	if endpoint == "" || err != nil || u.Host == "" {
		host := st.APIID + ".execute-api." + cfg.Region + ".amazonaws.com/" + st.Stage
		st.URL, st.HostURL = "wss://"+host, "wss://"+host
		st.ManagementURL, st.ManagementHostURL = "https://"+host, "https://"+host
		return
	}
	ws := "ws"
	if u.Scheme == "https" {
		ws = "wss"
	}
	base := u.Host + strings.TrimRight(u.Path, "/") + "/_aws/execute-api/" + st.APIID + "/" + st.Stage
	host := st.APIID + ".execute-api.localhost.localstack.cloud"
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	host += "/" + st.Stage
	st.URL, st.HostURL = ws+"://"+base, ws+"://"+host
	st.ManagementURL, st.ManagementHostURL = u.Scheme+"://"+base, u.Scheme+"://"+host
}
