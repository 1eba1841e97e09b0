// Package chat is the broadcast flow's logic: a WebSocket chat behind an
// API Gateway WebSocket API. connect keeps a connection's id in the
// Connections table (when its ?token= is right), disconnect forgets it,
// sendmessage posts a message's data to every stored connection through
// the API's @connections management API, forgets those that answer 410
// Gone and logs the message in the Messages table. It imports only the AWS
// SDK and aws-lambda-go, so it deploys to AWS unchanged; its clients are
// interfaces, so the logic is tested with fakes.
package chat

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Key attributes of the two tables.
const (
	ConnectionKey = "connectionId" // Connections: hash key (S)
	MessageKey    = "messageId"    // Messages: hash key (S)
)

// DefaultFanOut is how many @connections posts one message has in flight.
const DefaultFanOut = 32

// DynamoDB is what the functions use of DynamoDB.
type DynamoDB interface {
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Poster sends data to one connection through the management API at
// endpoint (https://{api}.execute-api.{region}.amazonaws.com/{stage} or an
// emulator's equivalent) and returns the answer's HTTP status.
type Poster interface {
	Post(ctx context.Context, endpoint, connectionID string, data []byte) (status int, err error)
}

// Settings name the tables and say how connections are admitted and
// reached; SettingsFromEnv reads them from the function's environment.
type Settings struct {
	ConnectionsTable, MessagesTable string
	// Token is what ?token= must be on $connect; empty admits anyone.
	Token string
	// Endpoint is the management API's base URL; empty derives it from
	// each event (see ManagementEndpoint).
	Endpoint string
	// EdgeURL is an emulator's edge (AWS_ENDPOINT_URL), "" on AWS.
	EdgeURL string
	// FanOut bounds the posts in flight for one message (DefaultFanOut).
	FanOut int
}

// SettingsFromEnv reads CONNECTIONS_TABLE, MESSAGES_TABLE (defaults
// Connections, Messages), CONNECT_TOKEN, CONNECTIONS_ENDPOINT, FAN_OUT and
// AWS_ENDPOINT_URL.
func SettingsFromEnv(getenv func(string) string) Settings {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	fan, err := strconv.Atoi(get("FAN_OUT", ""))
	if err != nil || fan <= 0 {
		fan = DefaultFanOut
	}
	return Settings{
		ConnectionsTable: get("CONNECTIONS_TABLE", "Connections"),
		MessagesTable:    get("MESSAGES_TABLE", "Messages"),
		Token:            getenv("CONNECT_TOKEN"),
		Endpoint:         get("CONNECTIONS_ENDPOINT", ""),
		EdgeURL:          get("AWS_ENDPOINT_URL", ""),
		FanOut:           fan,
	}
}

// Chat holds the clients and settings the three functions share.
type Chat struct {
	DB       DynamoDB
	Poster   Poster
	Settings Settings
	Log      *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (c *Chat) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Chat) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// Response is a route's answer to API Gateway.
type Response = events.APIGatewayProxyResponse

func answer(status int, body string) Response { return Response{StatusCode: status, Body: body} }

// Connect admits a connection whose ?token= matches (401 without one, 403
// with a wrong one: API Gateway then refuses the upgrade with that status)
// and stores its id.
func (c *Chat) Connect(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (Response, error) {
	id := ev.RequestContext.ConnectionID
	if id == "" {
		return answer(400, "no connectionId in the request context"), nil
	}
	if want := c.Settings.Token; want != "" {
		got, ok := ev.QueryStringParameters["token"]
		switch {
		case !ok || got == "":
			return answer(401, "Unauthorized: ?token= is missing"), nil
		case subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
			return answer(403, "Forbidden: wrong token"), nil
		}
	}
	_, err := c.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(c.Settings.ConnectionsTable),
		Item: map[string]dtypes.AttributeValue{
			ConnectionKey: &dtypes.AttributeValueMemberS{Value: id},
			"connectedAt": &dtypes.AttributeValueMemberN{Value: strconv.FormatInt(c.now().UnixMilli(), 10)},
			"sourceIp":    &dtypes.AttributeValueMemberS{Value: orDash(ev.RequestContext.Identity.SourceIP)},
		},
	})
	if err != nil {
		return Response{}, fmt.Errorf("store connection %s: %w", id, err)
	}
	return answer(200, "Connected."), nil
}

// Disconnect forgets the connection.
func (c *Chat) Disconnect(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (Response, error) {
	id := ev.RequestContext.ConnectionID
	if id == "" {
		return answer(400, "no connectionId in the request context"), nil
	}
	if err := c.forget(ctx, id); err != nil {
		return Response{}, err
	}
	return answer(200, "Disconnected."), nil
}

func (c *Chat) forget(ctx context.Context, id string) error {
	_, err := c.DB.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(c.Settings.ConnectionsTable),
		Key:       map[string]dtypes.AttributeValue{ConnectionKey: &dtypes.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		return fmt.Errorf("forget connection %s: %w", id, err)
	}
	return nil
}

// Message is the body sendmessage expects.
type Message struct {
	Action string          `json:"action"`
	Data   json.RawMessage `json:"data"`
}

// payload is what receivers get: a string's text as it is, other JSON
// values as JSON.
func (m Message) payload() ([]byte, error) {
	if len(m.Data) == 0 || string(m.Data) == "null" {
		return nil, errors.New(`no "data"`)
	}
	if m.Data[0] == '"' {
		var s string
		if err := json.Unmarshal(m.Data, &s); err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	return m.Data, nil
}

// Outcome is what one broadcast did.
type Outcome struct {
	Recipients, Delivered, Gone, Failed int
}

// SendMessage posts the message's data to every stored connection (the
// sender too, as AWS's sample chat does), at most FanOut at a time; it
// returns once every post has been answered, so that the next message
// from the same connection (API Gateway invokes a connection's messages
// one after another) reaches every receiver after this one. Connections
// answering 410 are forgotten. The message is logged in Messages.
func (c *Chat) SendMessage(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (Response, error) {
	var m Message
	if err := json.Unmarshal([]byte(ev.Body), &m); err != nil {
		return answer(400, "body is not JSON: "+err.Error()), nil
	}
	data, err := m.payload()
	if err != nil {
		return answer(400, `want {"action":"sendmessage","data":"…"}: `+err.Error()), nil
	}
	endpoint, err := ManagementEndpoint(c.Settings, ev.RequestContext)
	if err != nil {
		return Response{}, err
	}
	start := c.now()
	out, err := c.Broadcast(ctx, endpoint, data)
	if err != nil {
		return Response{}, err
	}
	if err := c.logMessage(ctx, ev, data, start, out); err != nil {
		return Response{}, err
	}
	if out.Failed > 0 {
		c.log().Warn("broadcast", "recipients", out.Recipients, "delivered", out.Delivered, "gone", out.Gone, "failed", out.Failed)
	}
	return answer(200, "Data sent."), nil
}

// Broadcast posts data to every connection in the Connections table.
func (c *Chat) Broadcast(ctx context.Context, endpoint string, data []byte) (Outcome, error) {
	fan := c.Settings.FanOut
	if fan <= 0 {
		fan = DefaultFanOut
	}
	var (
		recipients             int
		delivered, gone, fails atomic.Int64
		wg                     sync.WaitGroup
		slots                  = make(chan struct{}, fan)
	)
	post := func(id string) {
		defer func() { <-slots; wg.Done() }()
		status, err := c.Poster.Post(ctx, endpoint, id, data)
		switch {
		case err == nil && status/100 == 2:
			delivered.Add(1)
		case err == nil && status == 410:
			gone.Add(1)
			if err := c.forget(ctx, id); err != nil {
				c.log().Warn("forget gone connection", "connectionId", id, "err", err)
			}
		default:
			fails.Add(1)
			c.log().Warn("post to connection", "connectionId", id, "status", status, "err", err)
		}
	}
	in := &dynamodb.ScanInput{
		TableName:                aws.String(c.Settings.ConnectionsTable),
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: map[string]string{"#id": ConnectionKey},
	}
	var scanErr error
	for {
		page, err := c.DB.Scan(ctx, in)
		if err != nil {
			scanErr = fmt.Errorf("scan connections: %w", err)
			break
		}
		for _, item := range page.Items {
			s, ok := item[ConnectionKey].(*dtypes.AttributeValueMemberS)
			if !ok || s.Value == "" {
				continue
			}
			recipients++
			wg.Add(1)
			slots <- struct{}{}
			go post(s.Value)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	wg.Wait()
	out := Outcome{Recipients: recipients, Delivered: int(delivered.Load()), Gone: int(gone.Load()), Failed: int(fails.Load())}
	return out, scanErr
}

// logMessage records the message: who sent it, what, when, and how many
// connections it reached.
func (c *Chat) logMessage(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest, data []byte, at time.Time, out Outcome) error {
	rc := ev.RequestContext
	id := messageID(rc)
	n := func(v int) dtypes.AttributeValue { return &dtypes.AttributeValueMemberN{Value: strconv.Itoa(v)} }
	_, err := c.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(c.Settings.MessagesTable),
		Item: map[string]dtypes.AttributeValue{
			MessageKey:     &dtypes.AttributeValueMemberS{Value: id},
			"connectionId": &dtypes.AttributeValueMemberS{Value: orDash(rc.ConnectionID)},
			"data":         &dtypes.AttributeValueMemberS{Value: string(data)},
			"sentAt":       &dtypes.AttributeValueMemberN{Value: strconv.FormatInt(at.UnixMilli(), 10)},
			"recipients":   n(out.Recipients),
			"delivered":    n(out.Delivered),
			"gone":         n(out.Gone),
			"failed":       n(out.Failed),
		},
	})
	if err != nil {
		return fmt.Errorf("log message %s: %w", id, err)
	}
	return nil
}

// messageID is API Gateway's id of the message (requestContext.messageId),
// else the request's id.
func messageID(rc events.APIGatewayWebsocketProxyRequestContext) string {
	switch v := rc.MessageID.(type) {
	case string:
		if v != "" {
			return v
		}
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if rc.RequestID != "" {
		return rc.RequestID
	}
	return rc.ConnectionID + "-" + strconv.FormatInt(rc.RequestTimeEpoch, 10)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
