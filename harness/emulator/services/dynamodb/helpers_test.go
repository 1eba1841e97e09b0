package dynamodb_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	smithy "github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb"
)

// env is one test's emulator and clients.
type env struct {
	t       *testing.T
	e       *emulator.Emulator
	db      *ddb.Client
	streams *dynamodbstreams.Client
	ctx     context.Context
}

func start(t *testing.T, opts ...emulator.Option) *env {
	t.Helper()
	e, cfg := emutest.Start(t, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &env{t: t, e: e, db: ddb.NewFromConfig(cfg), streams: dynamodbstreams.NewFromConfig(cfg), ctx: ctx}
}

// service returns the emulator's DynamoDB service.
func (v *env) service() *dynamodb.Service {
	for _, s := range v.e.Services() {
		if d, ok := s.(*dynamodb.Service); ok {
			return d
		}
	}
	v.t.Fatal("no dynamodb service")
	return nil
}

// fakeClock is a settable clock for TTL and stream expiry tests.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time          { return c.now }
func (c *fakeClock) Advance(d time.Duration) { c.now = c.now.Add(d) }
func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
}
func (c *fakeClock) option() emulator.Option {
	return emulator.WithClock(func() time.Time { return c.now })
}
func (c *fakeClock) unix(d time.Duration) string { return strconv.FormatInt(c.now.Add(d).Unix(), 10) }

func s(v string) types.AttributeValue   { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue   { return &types.AttributeValueMemberN{Value: v} }
func b(v []byte) types.AttributeValue   { return &types.AttributeValueMemberB{Value: v} }
func ni(v int) types.AttributeValue     { return n(strconv.Itoa(v)) }
func boolv(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

type item = map[string]types.AttributeValue

// createTable creates a table keyed by hash (S) and optional range (N).
func (v *env) createTable(name, hash, rng string, mods ...func(*ddb.CreateTableInput)) {
	v.t.Helper()
	in := &ddb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(hash), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}},
	}
	if rng != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String(rng), AttributeType: types.ScalarAttributeTypeN})
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	for _, m := range mods {
		m(in)
	}
	if _, err := v.db.CreateTable(v.ctx, in); err != nil {
		v.t.Fatalf("CreateTable %s: %v", name, err)
	}
}

func (v *env) put(table string, it item) {
	v.t.Helper()
	if _, err := v.db.PutItem(v.ctx, &ddb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
		v.t.Fatalf("PutItem: %v", err)
	}
}

func (v *env) get(table string, key item) item {
	v.t.Helper()
	out, err := v.db.GetItem(v.ctx, &ddb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		v.t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

// wantErr asserts err is an AWS API error with code and (if msg != "") a
// message containing msg.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %T %v", code, err, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("want message containing %q, got %q", msg, ae.ErrorMessage())
	}
}

// wantExact asserts an exact error message.
func wantExact(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantErr(t, err, code, "")
	var ae smithy.APIError
	errors.As(err, &ae)
	if ae.ErrorMessage() != msg {
		t.Fatalf("message:\n got %q\nwant %q", ae.ErrorMessage(), msg)
	}
}

func sv(t *testing.T, it item, name string) string {
	t.Helper()
	v, ok := it[name].(*types.AttributeValueMemberS)
	if !ok {
		t.Fatalf("attribute %s: want S, got %#v", name, it[name])
	}
	return v.Value
}

func nv(t *testing.T, it item, name string) string {
	t.Helper()
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("attribute %s: want N, got %#v", name, it[name])
	}
	return v.Value
}

// asErr is errors.As for typed SDK errors.
func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
