package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	smithy "github.com/aws/smithy-go"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// transcript runs one scenario and records every outcome in a form both
// servers should agree on: error codes and messages, items as sorted text.
func transcript(ctx context.Context, c *ddb.Client) []string {
	var out []string
	rec := func(step string, err error, detail string) {
		if err != nil {
			var ae smithy.APIError
			if errors.As(err, &ae) {
				out = append(out, step+": "+ae.ErrorCode()+" "+ae.ErrorMessage())
				return
			}
			out = append(out, step+": "+err.Error())
			return
		}
		out = append(out, step+": ok "+detail)
	}
	_, err := c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("diff"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{attrDef("pk", types.ScalarAttributeTypeS), attrDef("sk", types.ScalarAttributeTypeN)},
		KeySchema:            []types.KeySchemaElement{keyElem("pk", types.KeyTypeHash), keyElem("sk", types.KeyTypeRange)}})
	rec("create", err, "")
	_, err = c.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("diff"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{attrDef("pk", types.ScalarAttributeTypeS)},
		KeySchema:            []types.KeySchemaElement{keyElem("pk", types.KeyTypeHash)}})
	rec("create again", err, "")
	for i := 0; i < 6; i++ {
		_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("diff"), Item: item{"pk": s("a"), "sk": ni(i), "v": ni(i * 10), "tag": s(fmt.Sprintf("t%d", i%2))}})
		rec(fmt.Sprintf("put %d", i), err, "")
	}
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("diff"), Item: item{"pk": s("a"), "sk": ni(1)}, ConditionExpression: aws.String("attribute_not_exists(pk)")})
	rec("conditional put", err, "")
	_, err = c.PutItem(ctx, &ddb.PutItemInput{TableName: aws.String("diff"), Item: item{"pk": ni(1), "sk": ni(1)}})
	rec("type mismatch", err, "")
	_, err = c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("diff"), Key: item{"pk": s("a")}})
	rec("get partial key", err, "")
	_, err = c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("nope"), Key: item{"pk": s("a")}})
	rec("get missing table", err, "")
	u, err := c.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: aws.String("diff"), Key: item{"pk": s("a"), "sk": ni(2)},
		UpdateExpression: aws.String("SET v = v + :d REMOVE tag"), ExpressionAttributeValues: item{":d": ni(5)}, ReturnValues: types.ReturnValueAllNew})
	rec("update", err, itemText(u.Attributes))
	q, err := c.Query(ctx, &ddb.QueryInput{TableName: aws.String("diff"), KeyConditionExpression: aws.String("pk = :p AND sk BETWEEN :a AND :b"),
		FilterExpression: aws.String("tag = :t"), ExpressionAttributeValues: item{":p": s("a"), ":a": ni(1), ":b": ni(4), ":t": s("t1")}, ScanIndexForward: aws.Bool(false)})
	if err == nil {
		rec("query", err, fmt.Sprintf("count=%d scanned=%d %s", q.Count, q.ScannedCount, itemsText(q.Items, false)))
	} else {
		rec("query", err, "")
	}
	q, err = c.Query(ctx, &ddb.QueryInput{TableName: aws.String("diff"), KeyConditionExpression: aws.String("pk = :p"), ExpressionAttributeValues: item{":p": s("a")}, Limit: aws.Int32(2)})
	if err == nil {
		rec("query limit", err, fmt.Sprintf("count=%d lek=%s", q.Count, itemText(q.LastEvaluatedKey)))
	}
	sc, err := c.Scan(ctx, &ddb.ScanInput{TableName: aws.String("diff"), ProjectionExpression: aws.String("sk, v")})
	if err == nil {
		rec("scan", err, itemsText(sc.Items, true))
	}
	_, err = c.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("diff"), Key: item{"pk": s("a"), "sk": ni(0)}, ConditionExpression: aws.String("v = :x"), ExpressionAttributeValues: item{":x": ni(999)}}},
		{Put: &types.Put{TableName: aws.String("diff"), Item: item{"pk": s("b"), "sk": ni(0)}}},
	}})
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		var codes []string
		for _, r := range tce.CancellationReasons {
			codes = append(codes, aws.ToString(r.Code))
		}
		rec("transact", err, "")
		out = append(out, "reasons: "+strings.Join(codes, ","))
	} else {
		rec("transact", err, "")
	}
	g, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: aws.String("diff"), Key: item{"pk": s("b"), "sk": ni(0)}})
	rec("get after cancelled tx", err, itemText(g.Item))
	bg, err := c.BatchGetItem(ctx, &ddb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"diff": {Keys: []item{{"pk": s("a"), "sk": ni(0)}, {"pk": s("a"), "sk": ni(0)}}}}})
	_ = bg
	rec("batch get duplicates", err, "")
	_, err = c.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: aws.String("diff"), Key: item{"pk": s("a"), "sk": ni(3)}, ConditionExpression: aws.String("v > :n"), ExpressionAttributeValues: item{":n": ni(100)}})
	rec("conditional delete", err, "")
	return out
}

func itemText(it item) string {
	var parts []string
	for k, v := range it {
		parts = append(parts, k+"="+valueText(v))
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, " ") + "}"
}

func itemsText(items []item, sorted bool) string {
	var parts []string
	for _, it := range items {
		parts = append(parts, itemText(it))
	}
	if sorted {
		sort.Strings(parts)
	}
	return strings.Join(parts, ",")
}

func valueText(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + x.Value
	case *types.AttributeValueMemberN:
		return "N:" + x.Value
	}
	return fmt.Sprintf("%T", v)
}

// TestDifferentialAgainstMoto runs one scenario against groundstack and
// moto and compares outcomes where moto is faithful to AWS.
func TestDifferentialAgainstMoto(t *testing.T) {
	motoURL := emutest.Moto(t, "DYNAMODB_SKIP_MOTO")
	v := start(t)
	ctx := v.ctx
	ours := transcript(ctx, v.db)
	theirs := transcript(ctx, ddb.NewFromConfig(emutest.Config(motoURL)))
	t.Logf("transcript:\n%s", strings.Join(ours, "\n"))
	if len(ours) != len(theirs) {
		t.Fatalf("transcripts differ in length:\nours:   %q\ntheirs: %q", ours, theirs)
	}
	for i := range ours {
		if strings.HasSuffix(theirs[i], " Validation Exception") && strings.HasPrefix(ours[i], strings.TrimSuffix(theirs[i], " Validation Exception")) {
			continue // moto words this one generically; codes agree
		}
		if ours[i] != theirs[i] {
			t.Errorf("step %d:\n ours:  %s\n moto:  %s", i, ours[i], theirs[i])
		}
	}
}
