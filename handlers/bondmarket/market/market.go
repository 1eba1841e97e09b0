// Package market is the bondmarket flow's application: bonds on football
// fixtures, bought through an API Gateway REST API (Route), from other
// groups' systems over MQTT (ConsumeRequest and ConsumeValidation, behind
// IoT topic rules), paid by wallet or through a card gateway, validated,
// and receipted as PDF in S3. Background work (recommendations) goes
// through an SQS queue (HandleJobs).
//
// Correctness the original did not guarantee is built in: a reservation
// is one DynamoDB transaction whose condition is `available >= :q` (no
// overselling however many buyers race), a validation is a conditional
// status transition in the same transaction as the bonds' return (never
// twice), a wallet payment debits with `billetera >= :cost` in the
// reservation's transaction (never negative), and every MQTT message is
// recorded by its digest in the transaction that applies it (a replay is
// refused and counted, a malformed message is counted, neither fails the
// consumer).
//
// It imports only the SDK and aws-lambda-go: it runs unchanged on AWS.
package market

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// OwnGroup is our group's id: its requests are internal.
const OwnGroup = "15"

// MQTT topics.
const (
	TopicRequests   = "fixtures/requests"
	TopicValidation = "fixtures/validation"
)

// Request statuses.
const (
	StatusPending        = "pending"
	StatusPendingPayment = "pending payment"
	StatusAccepted       = "accepted"
	StatusRejected       = "rejected"
)

// Limits of the API.
const (
	MaxCount       = 25
	MaxQuantity    = 100
	MaxWalletTopUp = 1_000_000_000
	maxField       = 256
	maxBody        = 64 << 10
	// maxListed bounds the requests GET /requests reads to count a total.
	maxListed = 10_000
)

// DefaultPrice is a bond's price when its fixture names none.
const DefaultPrice = 1000

// DB is the part of DynamoDB the market uses.
type DB interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Publisher publishes an MQTT message (iot-data Publish on AWS).
type Publisher interface {
	Publish(ctx context.Context, topic string, payload []byte) error
}

// Settings are the resources' names, from the functions' environment.
type Settings struct {
	FixturesTable  string
	RequestsTable  string
	UsersTable     string
	MessagesTable  string
	ReceiptsBucket string
	JobsQueueURL   string
	PaymentsURL    string
	// PaymentsTimeout bounds one call to the card gateway.
	PaymentsTimeout time.Duration
	// ReceiptTTL is how long a receipt's presigned URL works.
	ReceiptTTL time.Duration
}

// SettingsFromEnv reads Settings from getenv (os.Getenv).
func SettingsFromEnv(getenv func(string) string) Settings {
	dur := func(k string, def time.Duration) time.Duration {
		if d, err := time.ParseDuration(getenv(k)); err == nil && d > 0 {
			return d
		}
		return def
	}
	return Settings{
		FixturesTable: getenv("FIXTURES_TABLE"), RequestsTable: getenv("REQUESTS_TABLE"),
		UsersTable: getenv("USERS_TABLE"), MessagesTable: getenv("MESSAGES_TABLE"),
		ReceiptsBucket: getenv("RECEIPTS_BUCKET"), JobsQueueURL: getenv("JOBS_QUEUE_URL"),
		PaymentsURL:     getenv("PAYMENTS_URL"),
		PaymentsTimeout: dur("PAYMENTS_TIMEOUT", 5*time.Second),
		ReceiptTTL:      dur("RECEIPT_URL_TTL", 15*time.Minute),
	}
}

// Market is the application with its clients.
type Market struct {
	DB        DB
	S3        *s3.Client
	Presign   *s3.PresignClient
	SQS       *sqs.Client
	Publisher Publisher
	Settings  Settings
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Log receives one line per notable event (os.Stdout when nil: the
	// function's log stream).
	Log func(format string, args ...any)
}

func (m *Market) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Market) logf(format string, args ...any) {
	if m.Log != nil {
		m.Log(format, args...)
		return
	}
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("market: no randomness: " + err.Error())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
