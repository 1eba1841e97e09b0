package sdkclient_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
	"github.com/groundstack/groundstack/harness/sdkclient"
)

// Large responses from a fast loopback server used to fail about 1 call in
// 100 with "use of closed network connection" (see DetachedBodies).
func TestLargeResponsesSurviveTheSDKRace(t *testing.T) {
	e, _ := emutest.Start(t)
	cfg := sdkclient.Config(e.URL(), "")
	cfg.RetryMaxAttempts = 1
	db := dynamodb.NewFromConfig(cfg)
	ctx := context.Background()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("big"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("big"), Item: map[string]types.AttributeValue{
			"id": &types.AttributeValueMemberS{Value: fmt.Sprint(i)}, "pad": &types.AttributeValueMemberS{Value: strings.Repeat("x", 1000)},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 300; i++ {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("big")})
		if err != nil {
			t.Fatalf("scan %d: %v", i, err)
		}
		if len(out.Items) != 300 {
			t.Fatalf("scan %d: %d items", i, len(out.Items))
		}
	}
}
