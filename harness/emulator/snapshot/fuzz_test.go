package snapshot_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/apigateway"
	"github.com/groundstack/groundstack/harness/emulator/services/apigatewayv2"
	"github.com/groundstack/groundstack/harness/emulator/services/cloudwatch"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb"
	"github.com/groundstack/groundstack/harness/emulator/services/ec2"
	"github.com/groundstack/groundstack/harness/emulator/services/iam"
	"github.com/groundstack/groundstack/harness/emulator/services/iot"
	"github.com/groundstack/groundstack/harness/emulator/services/logs"
	"github.com/groundstack/groundstack/harness/emulator/services/s3"
	"github.com/groundstack/groundstack/harness/emulator/services/secretsmanager"
	"github.com/groundstack/groundstack/harness/emulator/services/sns"
	"github.com/groundstack/groundstack/harness/emulator/services/sqs"
	"github.com/groundstack/groundstack/harness/emulator/snapshot"
)

// A snapshot is untrusted input (a file handed around CI jobs): parsing
// any bytes, and loading each service's section of what parses into that
// service, answers an error or loads, and what loaded saves; nothing
// panics. It drives the services the emulator would, without the whole
// emulator (about 3,000 runs a second rather than a few hundred);
// TestSnapshotLoadSurvivesMutations drives the emulator itself. Lambda is
// left out (each instance starts a code executor); testdata/fuzz holds a
// seed of each other service's state, saved by its round-trip test. Run it
// with -fuzzminimizetime 3s: minimizing the 8 KB fixture seed otherwise takes the
// default minute with no run reported.
func FuzzSnapshotLoad(f *testing.F) {
	good, err := os.ReadFile("../../../fixtures/snapshots/v1.snapshot")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	withS3, err := os.ReadFile("../../../fixtures/snapshots/s3-v1.snapshot")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(withS3)
	var zipped bytes.Buffer
	zipped.WriteString(snapshot.Header + "\n")
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(good[len(snapshot.Header)+1:])
	_ = zw.Close()
	f.Add(zipped.Bytes())
	f.Add(good[:len(good)/3])
	f.Add([]byte(snapshot.Header + "\n{\"format\":\"groundstack-snapshot\",\"version\":1,\"accounts\":[{\"account\":\"000000000000\",\"services\":{\"sqs\":{\"version\":1,\"state\":{\"queues\":[{\"region\":\"r\",\"name\":\"q.fifo\",\"fifo\":true,\"lastNumber\":2,\"lastReceipt\":1,\"messages\":[{\"number\":2,\"state\":\"inflight\",\"visibleAt\":\"2030-01-01T00:00:00Z\",\"groupId\":\"g\"},{\"number\":1,\"state\":\"visible\",\"groupId\":\"g\"}]}]}}}}]}"))
	f.Add([]byte(snapshot.Header + "\n{\"format\":\"groundstack-snapshot\",\"version\":1,\"accounts\":[{\"account\":\"000000000000\",\"services\":{\"secretsmanager\":{\"version\":1,\"state\":{\"secrets\":[{\"region\":\"r\",\"name\":\"a\",\"arn\":\"x\",\"primaryRegion\":\"s\",\"replicas\":[{\"region\":\"r\"}],\"versions\":[{\"id\":\"v\",\"secretString\":\"\",\"stages\":[\"AWSCURRENT\",\"AWSCURRENT\"]}]}]}},\"sns\":{\"version\":1,\"state\":{\"topics\":[],\"subscriptions\":[{\"arn\":\"a\",\"topicArn\":\"t\"}]}}}}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := snapshot.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, a := range file.Accounts {
			env := cloud.DefaultEnv()
			env.Account = a.ID
			env.AlarmEvaluation = -1
			savers := map[string]cloud.StateSaver{
				"dynamodb": dynamodb.New(env), "s3": s3.New(env), "secretsmanager": secretsmanager.New(env), "sns": sns.New(env), "sqs": sqs.New(env),
				"apigateway": apigateway.New(env), "apigatewayv2": apigatewayv2.New(env), "logs": logs.New(env), "iam": iam.New(env),
				"cloudwatch": cloudwatch.New(env), "iot": iot.New(env), "ec2": ec2.New(env),
			}
			for name, sec := range a.Services {
				s := savers[name]
				if s == nil || sec.Version > s.StateVersion() {
					continue
				}
				if s.LoadState(sec.Version, sec.State) == nil {
					st, err := s.SaveState()
					if err == nil {
						_, err = json.Marshal(st)
					}
					if err != nil {
						t.Fatalf("%s: saving what loaded: %v", name, err)
					}
				}
			}
			for _, s := range savers {
				if c, ok := s.(io.Closer); ok {
					_ = c.Close()
				}
			}
		}
	})
}
