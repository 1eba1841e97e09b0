package dynamodb_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// streamTable creates a table with a stream of the given view type and
// returns the stream ARN and shard ID.
func (v *env) streamTable(name string, view types.StreamViewType) (string, string) {
	v.t.Helper()
	v.createTable(name, "id", "", func(in *ddb.CreateTableInput) {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: view}
	})
	d, err := v.db.DescribeTable(v.ctx, &ddb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		v.t.Fatal(err)
	}
	arn := *d.Table.LatestStreamArn
	ds, err := v.streams.DescribeStream(v.ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil {
		v.t.Fatal(err)
	}
	sd := ds.StreamDescription
	if sd.StreamStatus != stypes.StreamStatusEnabled || string(sd.StreamViewType) != string(view) || *sd.TableName != name || len(sd.Shards) != 1 {
		v.t.Fatalf("stream description: %+v", sd)
	}
	return arn, *sd.Shards[0].ShardId
}

func (v *env) iterator(arn, shard string, kind stypes.ShardIteratorType, seq string) string {
	v.t.Helper()
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard), ShardIteratorType: kind}
	if seq != "" {
		in.SequenceNumber = aws.String(seq)
	}
	out, err := v.streams.GetShardIterator(v.ctx, in)
	if err != nil {
		v.t.Fatalf("GetShardIterator %s: %v", kind, err)
	}
	return *out.ShardIterator
}

func (v *env) records(it string) ([]stypes.Record, string) {
	v.t.Helper()
	out, err := v.streams.GetRecords(v.ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(it)})
	if err != nil {
		v.t.Fatalf("GetRecords: %v", err)
	}
	next := ""
	if out.NextShardIterator != nil {
		next = *out.NextShardIterator
	}
	return out.Records, next
}

func TestStreamRecordsAndViewTypes(t *testing.T) {
	v := start(t)
	for _, view := range []types.StreamViewType{types.StreamViewTypeKeysOnly, types.StreamViewTypeNewImage, types.StreamViewTypeOldImage, types.StreamViewTypeNewAndOldImages} {
		t.Run(string(view), func(t *testing.T) {
			table := "t-" + string(view)
			arn, shard := v.streamTable(table, view)
			v.put(table, item{"id": s("a"), "v": ni(1)})
			v.put(table, item{"id": s("a"), "v": ni(1)}) // no change: no record
			if _, err := v.db.UpdateItem(v.ctx, &ddb.UpdateItemInput{TableName: aws.String(table), Key: item{"id": s("a")},
				UpdateExpression: aws.String("SET v = :two"), ExpressionAttributeValues: item{":two": ni(2)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String(table), Key: item{"id": s("a")}}); err != nil {
				t.Fatal(err)
			}
			if _, err := v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String(table), Key: item{"id": s("a")}}); err != nil {
				t.Fatal(err) // deleting nothing: no record
			}
			recs, next := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
			if len(recs) != 3 || next == "" {
				t.Fatalf("want 3 records and a next iterator, got %d %q", len(recs), next)
			}
			names := []stypes.OperationType{stypes.OperationTypeInsert, stypes.OperationTypeModify, stypes.OperationTypeRemove}
			prev := ""
			for i, r := range recs {
				d := r.Dynamodb
				if r.EventName != names[i] || *r.EventVersion != "1.1" || *r.EventSource != "aws:dynamodb" || *r.AwsRegion != "us-east-1" || len(*r.EventID) != 32 {
					t.Fatalf("record %d: %+v", i, r)
				}
				if len(*d.SequenceNumber) != 21 || *d.SequenceNumber <= prev {
					t.Fatalf("sequence numbers must be 21 digits and increasing: %q after %q", *d.SequenceNumber, prev)
				}
				prev = *d.SequenceNumber
				if d.Keys["id"].(*stypes.AttributeValueMemberS).Value != "a" || len(d.Keys) != 1 || *d.SizeBytes <= 0 || d.ApproximateCreationDateTime == nil {
					t.Fatalf("record %d dynamodb: %+v", i, d)
				}
				wantNew := (view == types.StreamViewTypeNewImage || view == types.StreamViewTypeNewAndOldImages) && i < 2
				wantOld := (view == types.StreamViewTypeOldImage || view == types.StreamViewTypeNewAndOldImages) && i > 0
				if (d.NewImage != nil) != wantNew || (d.OldImage != nil) != wantOld {
					t.Fatalf("%s record %d: new=%v old=%v", view, i, d.NewImage, d.OldImage)
				}
				if wantNew {
					want := strconv.Itoa(i + 1)
					if got := d.NewImage["v"].(*stypes.AttributeValueMemberN).Value; got != want {
						t.Fatalf("NewImage v=%s want %s", got, want)
					}
				}
				if wantOld {
					want := strconv.Itoa(i)
					if got := d.OldImage["v"].(*stypes.AttributeValueMemberN).Value; got != want {
						t.Fatalf("OldImage v=%s want %s", got, want)
					}
				}
			}
			// The next iterator sees only later writes.
			more, next2 := v.records(next)
			if len(more) != 0 || next2 == "" {
				t.Fatalf("caught up: %d records", len(more))
			}
			v.put(table, item{"id": s("b")})
			more, _ = v.records(next2)
			if len(more) != 1 || more[0].EventName != stypes.OperationTypeInsert {
				t.Fatalf("after new write: %+v", more)
			}
		})
	}
}

func TestStreamIteratorTypes(t *testing.T) {
	clock := newFakeClock()
	v := start(t, clock.option())
	arn, shard := v.streamTable("tbl", types.StreamViewTypeKeysOnly)
	latest := v.iterator(arn, shard, stypes.ShardIteratorTypeLatest, "")
	for i := 0; i < 5; i++ {
		v.put("tbl", item{"id": s(fmt.Sprint(i))})
	}
	all, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(all) != 5 {
		t.Fatalf("TRIM_HORIZON: %d", len(all))
	}
	fromLatest, _ := v.records(latest)
	if len(fromLatest) != 5 {
		t.Fatalf("iterator taken at LATEST before the writes: %d", len(fromLatest))
	}
	nowLatest, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeLatest, ""))
	if len(nowLatest) != 0 {
		t.Fatalf("LATEST after writes: %d", len(nowLatest))
	}
	seq2 := *all[2].Dynamodb.SequenceNumber
	at, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeAtSequenceNumber, seq2))
	after, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeAfterSequenceNumber, seq2))
	if len(at) != 3 || *at[0].Dynamodb.SequenceNumber != seq2 || len(after) != 2 || *after[0].Dynamodb.SequenceNumber != *all[3].Dynamodb.SequenceNumber {
		t.Fatalf("AT %d AFTER %d", len(at), len(after))
	}
	// Limit pages through the shard.
	out, err := v.streams.GetRecords(v.ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, "")), Limit: aws.Int32(2)})
	if err != nil || len(out.Records) != 2 {
		t.Fatalf("Limit 2: %v %v", out, err)
	}
	rest, _ := v.records(*out.NextShardIterator)
	if len(rest) != 3 || *rest[0].Dynamodb.SequenceNumber != *all[2].Dynamodb.SequenceNumber {
		t.Fatalf("after Limit page: %d", len(rest))
	}
	// Iterators expire after 15 minutes.
	it := v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, "")
	clock.Advance(16 * time.Minute)
	_, err = v.streams.GetRecords(v.ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(it)})
	wantErr(t, err, "ExpiredIteratorException", "Iterator expired")
	_, err = v.streams.GetRecords(v.ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("garbage")})
	wantErr(t, err, "ValidationException", "")
	_, err = v.streams.GetShardIterator(v.ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn + "x"), ShardId: aws.String(shard), ShardIteratorType: stypes.ShardIteratorTypeLatest})
	wantErr(t, err, "ResourceNotFoundException", "")

	// ListStreams, and a disabled stream stays readable with a closed shard.
	ls, err := v.streams.ListStreams(v.ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("tbl")})
	if err != nil || len(ls.Streams) != 1 || *ls.Streams[0].StreamArn != arn {
		t.Fatalf("ListStreams: %+v %v", ls, err)
	}
	if _, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("tbl"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	ds, err := v.streams.DescribeStream(v.ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	if err != nil || ds.StreamDescription.StreamStatus != stypes.StreamStatusDisabled || ds.StreamDescription.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("disabled stream: %+v %v", ds, err)
	}
	recs, next := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(recs) != 5 || next != "" {
		t.Fatalf("closed shard: %d records, next %q", len(recs), next)
	}
	// The one shard has no children; a bad filter is refused before the
	// stream is looked up.
	ds, err = v.streams.DescribeStream(v.ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn),
		ShardFilter: &stypes.ShardFilter{Type: stypes.ShardFilterTypeChildShards, ShardId: aws.String(shard)}})
	if err != nil || len(ds.StreamDescription.Shards) != 0 {
		t.Fatalf("children of the shard: %+v %v", ds, err)
	}
	_, err = v.streams.DescribeStream(v.ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn + "-nowhere"),
		ShardFilter: &stypes.ShardFilter{Type: "PARENT_SHARDS"}})
	wantErr(t, err, "ValidationException", "1 validation error detected: Value 'PARENT_SHARDS' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]")
}

func TestTTLExpiryDeletesWithServiceIdentity(t *testing.T) {
	clock := newFakeClock()
	v := start(t, clock.option())
	arn, shard := v.streamTable("sess", types.StreamViewTypeOldImage)
	if _, err := v.db.UpdateTimeToLive(v.ctx, &ddb.UpdateTimeToLiveInput{TableName: aws.String("sess"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	v.put("sess", item{"id": s("soon"), "exp": n(clock.unix(time.Minute))})
	v.put("sess", item{"id": s("later"), "exp": n(clock.unix(time.Hour))})
	v.put("sess", item{"id": s("never")})
	v.put("sess", item{"id": s("ancient"), "exp": n(clock.unix(-6 * 365 * 24 * time.Hour))}) // over 5 years past: ignored
	v.put("sess", item{"id": s("text"), "exp": s("tomorrow")})
	svc := v.service()
	if got := svc.SweepTTL(); got != 0 {
		t.Fatalf("swept %d before expiry", got)
	}
	clock.Advance(2 * time.Minute)
	if got := svc.SweepTTL(); got != 1 {
		t.Fatalf("swept %d, want 1", got)
	}
	if v.get("sess", item{"id": s("soon")}) != nil || v.get("sess", item{"id": s("later")}) == nil || v.get("sess", item{"id": s("ancient")}) == nil {
		t.Fatal("wrong items expired")
	}
	clock.Advance(2 * time.Hour)
	if got := svc.SweepTTL(); got != 1 {
		t.Fatalf("second sweep: %d", got)
	}
	recs, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	var removes []stypes.Record
	for _, r := range recs {
		if r.EventName == stypes.OperationTypeRemove {
			removes = append(removes, r)
		}
	}
	if len(removes) != 2 {
		t.Fatalf("REMOVE records: %d", len(removes))
	}
	for _, r := range removes {
		if r.UserIdentity == nil || *r.UserIdentity.Type != "Service" || *r.UserIdentity.PrincipalId != "dynamodb.amazonaws.com" || r.Dynamodb.OldImage == nil {
			t.Fatalf("TTL delete record: %+v", r)
		}
	}
	// A user delete carries no service identity.
	if _, err := v.db.DeleteItem(v.ctx, &ddb.DeleteItemInput{TableName: aws.String("sess"), Key: item{"id": s("never")}}); err != nil {
		t.Fatal(err)
	}
	recs, _ = v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeLatest, ""))
	_ = recs
	all, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if last := all[len(all)-1]; last.EventName != stypes.OperationTypeRemove || last.UserIdentity != nil {
		t.Fatalf("user delete record: %+v", last)
	}
}

// The in-process hook the Lambda event source mapping consumes.
func TestReadStreamHook(t *testing.T) {
	v := start(t)
	arn, _ := v.streamTable("hook", types.StreamViewTypeNewImage)
	st := v.service().Store()
	pos, err := st.StreamPosition(arn, "TRIM_HORIZON")
	if err != nil {
		t.Fatal(err)
	}
	recs, next, wake, closed, err := st.ReadStream(arn, pos, 10)
	if err != nil || len(recs) != 0 || closed {
		t.Fatalf("empty stream: %v %v %v", recs, closed, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
			t.Error("no wake-up after a write")
		}
	}()
	v.put("hook", item{"id": s("x"), "n": ni(7)})
	<-done
	recs, _, _, _, err = st.ReadStream(arn, next, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("after write: %v %v", recs, err)
	}
	// Shaped like aws-lambda-go's events.DynamoDBEventRecord.
	var rec struct {
		EventName      string `json:"eventName"`
		EventSourceARN string `json:"eventSourceARN"`
		AWSRegion      string `json:"awsRegion"`
		Change         struct {
			NewImage       map[string]map[string]string `json:"NewImage"`
			SequenceNumber string                       `json:"SequenceNumber"`
			StreamViewType string                       `json:"StreamViewType"`
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal(recs[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.EventName != "INSERT" || rec.EventSourceARN != arn || rec.Change.NewImage["n"]["N"] != "7" || rec.Change.StreamViewType != "NEW_IMAGE" {
		t.Fatalf("lambda record: %s", recs[0])
	}
}

// Writers and the sweeper run concurrently (for -race): expiry is computed
// under the table lock.
func TestTTLSweepConcurrentWithWrites(t *testing.T) {
	v := start(t)
	v.createTable("ttlrace", "id", "")
	if _, err := v.db.UpdateTimeToLive(v.ctx, &ddb.UpdateTimeToLiveInput{TableName: aws.String("ttlrace"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("exp")}}); err != nil {
		t.Fatal(err)
	}
	past := strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			v.put("ttlrace", item{"id": s(fmt.Sprint(i)), "exp": n(past)})
		}
	}()
	svc := v.service()
	swept := 0
	for {
		select {
		case <-done:
			swept += svc.SweepTTL()
			if swept != 200 {
				t.Fatalf("swept %d of 200 expired items", swept)
			}
			return
		default:
			swept += svc.SweepTTL()
		}
	}
}

// Records live 24 hours: older ones are trimmed, reading them is a
// TrimmedDataAccessException, and a disabled stream goes away after 24 h.
func TestStreamRetention(t *testing.T) {
	clock := newFakeClock()
	v := start(t, clock.option())
	arn, shard := v.streamTable("ret", types.StreamViewTypeKeysOnly)
	v.put("ret", item{"id": s("old")})
	old, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	oldIt := v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, "")
	clock.Advance(25 * time.Hour)
	v.put("ret", item{"id": s("new")})
	recs, _ := v.records(v.iterator(arn, shard, stypes.ShardIteratorTypeTrimHorizon, ""))
	if len(recs) != 1 || recs[0].Dynamodb.Keys["id"].(*stypes.AttributeValueMemberS).Value != "new" {
		t.Fatalf("after 25 h: %+v", recs)
	}
	_, err := v.streams.GetShardIterator(v.ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(arn), ShardId: aws.String(shard),
		ShardIteratorType: stypes.ShardIteratorTypeAtSequenceNumber, SequenceNumber: old[0].Dynamodb.SequenceNumber})
	wantErr(t, err, "TrimmedDataAccessException", "")
	_, err = v.streams.GetRecords(v.ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String(oldIt)})
	wantErr(t, err, "ExpiredIteratorException", "") // and it is also past 15 minutes
	if _, err := v.db.UpdateTable(v.ctx, &ddb.UpdateTableInput{TableName: aws.String("ret"), StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(25 * time.Hour)
	ls, err := v.streams.ListStreams(v.ctx, &dynamodbstreams.ListStreamsInput{})
	if err != nil || len(ls.Streams) != 0 {
		t.Fatalf("expired stream still listed: %+v %v", ls, err)
	}
	_, err = v.streams.DescribeStream(v.ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(arn)})
	wantErr(t, err, "ResourceNotFoundException", "")
}
