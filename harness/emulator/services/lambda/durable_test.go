package lambda_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/harness/emulator/emutest"
)

// durableHandler plays the durable SDK's part: it waits (PENDING) until
// the callback "cb" has completed, then ends with its result or error. It
// hands back its checkpoint token so that the test can checkpoint.
const durableHandler = `import json
def handler(event, context):
    ops = event["InitialExecutionState"]["Operations"]
    for op in ops:
        if op["Id"] == "cb" and op["Status"] == "SUCCEEDED":
            return {"Status": "SUCCEEDED", "Result": op["CallbackDetails"]["Result"]}
        if op["Id"] == "cb" and op["Status"] == "FAILED":
            return {"Status": "FAILED", "Error": op["CallbackDetails"]["Error"]}
    return {"Status": "PENDING", "Token": event["CheckpointToken"], "Arn": event["DurableExecutionArn"],
            "Input": ops[0]["ExecutionDetails"]["InputPayload"]}
`

func durableFn(t *testing.T, c *awslambda.Client) string {
	t.Helper()
	needs(t, "python3")
	return createCode(t, c, types.RuntimePython312, "app.handler", map[string]string{"app.py": durableHandler},
		func(in *awslambda.CreateFunctionInput) {
			in.DurableConfig = &types.DurableConfig{ExecutionTimeout: aws.Int32(3600), RetentionPeriodInDays: aws.Int32(7)}
		})
}

type pendingAnswer struct{ Status, Token, Arn, Input string }

func startDurable(t *testing.T, c *awslambda.Client, name, execName string) (pendingAnswer, string) {
	t.Helper()
	out := invoke(t, c, name, `{"order":1}`, func(in *awslambda.InvokeInput) { in.DurableExecutionName = aws.String(execName) })
	var a pendingAnswer
	if err := json.Unmarshal(out.Payload, &a); err != nil || a.Status != "PENDING" || out.FunctionError != nil {
		t.Fatalf("first invocation: %s %v", out.Payload, err)
	}
	if aws.ToString(out.DurableExecutionArn) != a.Arn || a.Input != `{"order":1}` {
		t.Fatalf("durable ARN %q, envelope %+v", aws.ToString(out.DurableExecutionArn), a)
	}
	return a, a.Arn
}

func TestDurableExecutionCallback(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := durableFn(t, c)
	a, arn := startDurable(t, c, name, "order-1")
	if !strings.HasPrefix(arn, "arn:aws:lambda:us-east-1:000000000000:function:"+name+":$LATEST/durable-execution/order-1/") {
		t.Fatalf("arn %s", arn)
	}
	got, err := c.GetDurableExecution(bg, &awslambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
	if err != nil || got.Status != types.ExecutionStatusRunning || aws.ToString(got.DurableExecutionName) != "order-1" ||
		aws.ToString(got.InputPayload) != `{"order":1}` || aws.ToString(got.Version) != "$LATEST" {
		t.Fatalf("get: %+v %v", got, err)
	}
	// The name is the function's: a second start answers a conflict.
	_, err = c.Invoke(bg, &awslambda.InvokeInput{FunctionName: aws.String(name), DurableExecutionName: aws.String("order-1")})
	wantCode(t, err, "DurableExecutionAlreadyStartedException", "order-1")
	if s := httpStatus(err); s != http.StatusConflict {
		t.Fatalf("status %d", s)
	}

	// The handler's SDK would checkpoint a step and a callback.
	cp, err := c.CheckpointDurableExecution(bg, &awslambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: aws.String(a.Token),
		Updates: []types.OperationUpdate{
			{Id: aws.String("step1"), Type: types.OperationTypeStep, Action: types.OperationActionStart, Name: aws.String("charge")},
			{Id: aws.String("step1"), Type: types.OperationTypeStep, Action: types.OperationActionSucceed, Payload: aws.String(`"charged"`)},
			{Id: aws.String("cb"), Type: types.OperationTypeCallback, Action: types.OperationActionStart,
				CallbackOptions: &types.CallbackOptions{TimeoutSeconds: 300}},
		}})
	if err != nil || aws.ToString(cp.CheckpointToken) == "" || aws.ToString(cp.CheckpointToken) == a.Token || len(cp.NewExecutionState.Operations) != 3 {
		t.Fatalf("checkpoint: %+v %v", cp, err)
	}
	cb := cp.NewExecutionState.Operations[2]
	if cb.Status != types.OperationStatusStarted || cb.CallbackDetails == nil || aws.ToString(cb.CallbackDetails.CallbackId) == "" {
		t.Fatalf("callback op: %+v", cb)
	}
	// The token is used up.
	_, err = c.CheckpointDurableExecution(bg, &awslambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: aws.String(a.Token)})
	wantCode(t, err, "InvalidParameterValueException", "Invalid checkpoint token")
	state, err := c.GetDurableExecutionState(bg, &awslambda.GetDurableExecutionStateInput{DurableExecutionArn: aws.String(arn), CheckpointToken: cp.CheckpointToken})
	if err != nil || len(state.Operations) != 3 || state.Operations[0].Type != types.OperationTypeExecution ||
		state.Operations[1].Status != types.OperationStatusSucceeded || aws.ToString(state.Operations[1].StepDetails.Result) != `"charged"` {
		t.Fatalf("state: %+v %v", state, err)
	}

	if _, err := c.SendDurableExecutionCallbackHeartbeat(bg, &awslambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: cb.CallbackDetails.CallbackId}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendDurableExecutionCallbackSuccess(bg, &awslambda.SendDurableExecutionCallbackSuccessInput{CallbackId: cb.CallbackDetails.CallbackId,
		Result: []byte(`"approved"`)}); err != nil {
		t.Fatal(err)
	}
	// The callback is closed now.
	_, err = c.SendDurableExecutionCallbackSuccess(bg, &awslambda.SendDurableExecutionCallbackSuccessInput{CallbackId: cb.CallbackDetails.CallbackId})
	wantCode(t, err, "CallbackTimeoutException", "already been closed")
	_, err = c.SendDurableExecutionCallbackHeartbeat(bg, &awslambda.SendDurableExecutionCallbackHeartbeatInput{CallbackId: aws.String("bm90LWEtY2FsbGJhY2s=")})
	wantCode(t, err, "InvalidParameterValueException", "Invalid callback ID")

	// The execution is replayed with the callback's result and ends.
	eventually(t, "the execution succeeds", func() error {
		got, err = c.GetDurableExecution(bg, &awslambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(arn)})
		if err != nil || got.Status != types.ExecutionStatusSucceeded {
			return fmt.Errorf("%+v %v", got, err)
		}
		return nil
	})
	if aws.ToString(got.Result) != `"approved"` || got.EndTimestamp == nil {
		t.Fatalf("result: %+v", got)
	}
	hist, err := c.GetDurableExecutionHistory(bg, &awslambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, ev := range hist.Events {
		kinds = append(kinds, string(ev.EventType))
	}
	want := "ExecutionStarted,InvocationCompleted,StepStarted,StepSucceeded,CallbackStarted,CallbackSucceeded,InvocationCompleted,ExecutionSucceeded"
	if strings.Join(kinds, ",") != want {
		t.Fatalf("history %s", strings.Join(kinds, ","))
	}
	if p := hist.Events[0].ExecutionStartedDetails; p == nil || aws.ToString(p.Input.Payload) != `{"order":1}` || aws.ToInt32(p.ExecutionTimeout) != 3600 {
		t.Fatalf("ExecutionStarted: %+v", p)
	}
	page, err := c.GetDurableExecutionHistory(bg, &awslambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(arn), MaxItems: 2, ReverseOrder: aws.Bool(true)})
	if err != nil || len(page.Events) != 2 || page.Events[0].EventType != types.EventTypeExecutionSucceeded || aws.ToString(page.NextMarker) == "" {
		t.Fatalf("history page: %+v %v", page, err)
	}
	_, err = c.CheckpointDurableExecution(bg, &awslambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: cp.CheckpointToken})
	wantCode(t, err, "InvalidParameterValueException", "not running")
}

func TestDurableExecutionStopAndList(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	name := durableFn(t, c)
	_, first := startDurable(t, c, name, "a")
	_, second := startDurable(t, c, name, "b")
	stop, err := c.StopDurableExecution(bg, &awslambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(first),
		Error: &types.ErrorObject{ErrorMessage: aws.String("cancelled by the operator"), ErrorType: aws.String("Cancelled")}})
	if err != nil || stop.StopTimestamp == nil {
		t.Fatalf("stop: %+v %v", stop, err)
	}
	_, err = c.StopDurableExecution(bg, &awslambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(first)})
	wantCode(t, err, "InvalidParameterValueException", "not running")
	got, err := c.GetDurableExecution(bg, &awslambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(first)})
	if err != nil || got.Status != types.ExecutionStatusStopped || aws.ToString(got.Error.ErrorMessage) != "cancelled by the operator" {
		t.Fatalf("stopped: %+v %v", got, err)
	}
	list, err := c.ListDurableExecutionsByFunction(bg, &awslambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String(name)})
	if err != nil || len(list.DurableExecutions) != 2 || aws.ToString(list.DurableExecutions[0].DurableExecutionArn) != first {
		t.Fatalf("list: %+v %v", list, err)
	}
	list, err = c.ListDurableExecutionsByFunction(bg, &awslambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String(name),
		Statuses: []types.ExecutionStatus{types.ExecutionStatusRunning}})
	if err != nil || len(list.DurableExecutions) != 1 || aws.ToString(list.DurableExecutions[0].DurableExecutionArn) != second {
		t.Fatalf("list RUNNING: %+v %v", list, err)
	}
	list, err = c.ListDurableExecutionsByFunction(bg, &awslambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String(name), DurableExecutionName: aws.String("a")})
	if err != nil || len(list.DurableExecutions) != 1 || list.DurableExecutions[0].Status != types.ExecutionStatusStopped {
		t.Fatalf("list by name: %+v %v", list, err)
	}
	_, err = c.ListDurableExecutionsByFunction(bg, &awslambda.ListDurableExecutionsByFunctionInput{FunctionName: aws.String("no-such-fn")})
	wantCode(t, err, "ResourceNotFoundException", "Function not found")

	missing := strings.Replace(second, "/durable-execution/b/", "/durable-execution/zz/", 1)
	_, err = c.GetDurableExecution(bg, &awslambda.GetDurableExecutionInput{DurableExecutionArn: aws.String(missing)})
	wantCode(t, err, "ResourceNotFoundException", "Durable execution not found")
	if s := httpStatus(err); s != http.StatusNotFound {
		t.Fatalf("status %d", s)
	}
	_, err = c.GetDurableExecutionHistory(bg, &awslambda.GetDurableExecutionHistoryInput{DurableExecutionArn: aws.String(missing)})
	wantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.StopDurableExecution(bg, &awslambda.StopDurableExecutionInput{DurableExecutionArn: aws.String(missing)})
	wantCode(t, err, "ResourceNotFoundException", "")
	_, err = c.GetDurableExecution(bg, &awslambda.GetDurableExecutionInput{DurableExecutionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f")})
	wantCode(t, err, "ValidationException", "'durableExecutionArn'")

	_, err = c.GetDurableExecutionState(bg, &awslambda.GetDurableExecutionStateInput{DurableExecutionArn: aws.String(second), CheckpointToken: aws.String("bm9wZQ==")})
	wantCode(t, err, "InvalidParameterValueException", "Invalid checkpoint token")
}

func TestDurableCallbackFailureCLI(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	name := durableFn(t, c)
	a, arn := startDurable(t, c, name, "cli")
	cp, err := c.CheckpointDurableExecution(bg, &awslambda.CheckpointDurableExecutionInput{DurableExecutionArn: aws.String(arn), CheckpointToken: aws.String(a.Token),
		Updates: []types.OperationUpdate{{Id: aws.String("cb"), Type: types.OperationTypeCallback, Action: types.OperationActionStart}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(cp.NewExecutionState.Operations[0].CallbackDetails.CallbackId)
	_, errOut, code := emutest.CLI(t, e.URL(), "lambda", "send-durable-execution-callback-failure", "--callback-id", id,
		"--error", "ErrorMessage=declined,ErrorType=Rejected")
	if code != 0 {
		t.Fatalf("send-durable-execution-callback-failure: %d %s", code, errOut)
	}
	eventually(t, "the execution fails", func() error {
		out, errOut, code := emutest.CLI(t, e.URL(), "lambda", "get-durable-execution", "--durable-execution-arn", arn)
		var got struct {
			Status string
			Error  struct{ ErrorMessage, ErrorType string }
		}
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Status != "FAILED" {
			return fmt.Errorf("%d %s %s", code, out, errOut)
		}
		if got.Error.ErrorMessage != "declined" || got.Error.ErrorType != "Rejected" {
			t.Fatalf("error: %s", out)
		}
		return nil
	})
}
