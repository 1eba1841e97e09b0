package iot

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// action is one parsed rule action.
type action struct {
	kind string // the Action member: "lambda", "sqs", …
	spec actionSpec
	// topic is a republish action's topic template, split into literal
	// text and ${expression} parts.
	topic []templatePart
}

type actionSpec struct {
	Lambda *struct {
		FunctionArn string `json:"functionArn"`
	} `json:"lambda"`
	SQS *struct {
		RoleArn   string `json:"roleArn"`
		QueueURL  string `json:"queueUrl"`
		UseBase64 bool   `json:"useBase64"`
	} `json:"sqs"`
	SNS *struct {
		TargetArn     string `json:"targetArn"`
		RoleArn       string `json:"roleArn"`
		MessageFormat string `json:"messageFormat"`
	} `json:"sns"`
	DynamoDBv2 *struct {
		RoleArn string `json:"roleArn"`
		PutItem *struct {
			TableName string `json:"tableName"`
		} `json:"putItem"`
	} `json:"dynamoDBv2"`
	Republish *struct {
		RoleArn string `json:"roleArn"`
		Topic   string `json:"topic"`
		QoS     *int   `json:"qos"`
	} `json:"republish"`
}

type templatePart struct {
	text string
	e    expr
}

// parseAction reads one Action (its members' model constraints are checked
// before, by the validation layer: actions_model.go): exactly one member,
// and the rules of the kinds groundstack runs.
func parseAction(raw json.RawMessage) (action, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return action{}, errors.New("an action must be an object")
	}
	if len(members) != 1 {
		return action{}, errors.New("an action must name exactly one action type")
	}
	var a action
	for k := range members {
		a.kind = k
	}
	if err := json.Unmarshal(raw, &a.spec); err != nil {
		return action{}, fmt.Errorf("invalid %s action: %v", a.kind, err)
	}
	missing := func(m string) error { return fmt.Errorf("%s.%s is required", a.kind, m) }
	sp := a.spec
	switch a.kind {
	case "lambda":
		if sp.Lambda == nil || sp.Lambda.FunctionArn == "" {
			return a, missing("functionArn")
		}
		if !strings.HasPrefix(sp.Lambda.FunctionArn, "arn:") {
			return a, fmt.Errorf("%s is not a valid function ARN", sp.Lambda.FunctionArn)
		}
	case "sqs":
		if sp.SQS == nil || sp.SQS.QueueURL == "" {
			return a, missing("queueUrl")
		}
		if sp.SQS.RoleArn == "" {
			return a, missing("roleArn")
		}
	case "sns":
		if sp.SNS == nil || sp.SNS.TargetArn == "" {
			return a, missing("targetArn")
		}
		if sp.SNS.RoleArn == "" {
			return a, missing("roleArn")
		}
		if f := sp.SNS.MessageFormat; f != "" && f != "RAW" && f != "JSON" {
			return a, fmt.Errorf("sns.messageFormat must be RAW or JSON")
		}
	case "dynamoDBv2":
		if sp.DynamoDBv2 == nil || sp.DynamoDBv2.PutItem == nil || sp.DynamoDBv2.PutItem.TableName == "" {
			return a, missing("putItem.tableName")
		}
		if sp.DynamoDBv2.RoleArn == "" {
			return a, missing("roleArn")
		}
	case "republish":
		if sp.Republish == nil || sp.Republish.Topic == "" {
			return a, missing("topic")
		}
		if sp.Republish.RoleArn == "" {
			return a, missing("roleArn")
		}
		if q := sp.Republish.QoS; q != nil && (*q < 0 || *q > 1) {
			return a, errors.New("republish.qos must be 0 or 1")
		}
		parts, err := parseTemplate(sp.Republish.Topic)
		if err != nil {
			return a, err
		}
		a.topic = parts
	}
	return a, nil
}

// parseTemplate splits "a/${topic(2)}/b" into text and expressions.
func parseTemplate(s string) ([]templatePart, error) {
	var parts []templatePart
	for s != "" {
		i := strings.Index(s, "${")
		if i < 0 {
			parts = append(parts, templatePart{text: s})
			break
		}
		if i > 0 {
			parts = append(parts, templatePart{text: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, errors.New("unterminated ${ in the republish topic")
		}
		toks, err := lex(s[i+2 : i+j])
		if err != nil {
			return nil, err
		}
		p := &parser{toks: toks}
		e, err := p.expr()
		if err == nil && p.peek().kind != tEOF {
			err = p.fail("Expected the end of the expression")
		}
		if err != nil {
			return nil, fmt.Errorf("invalid substitution template %s: %v", s[i:i+j+1], err)
		}
		parts = append(parts, templatePart{e: e})
		s = s[i+j+1:]
	}
	return parts, nil
}

func (a *action) render(m *message) string {
	var b strings.Builder
	for _, p := range a.topic {
		if p.e == nil {
			b.WriteString(p.text)
			continue
		}
		switch v := p.e.eval(m).(type) {
		case string:
			b.WriteString(v)
		case json.Number:
			b.WriteString(v.String())
		case bool:
			fmt.Fprint(&b, v)
		case undefinedValue:
		default:
			j, _ := json.Marshal(v)
			b.Write(j)
		}
	}
	return b.String()
}

// resource is what a failure report names (failedResource).
func (a *action) resource() string {
	sp := a.spec
	switch {
	case sp.Lambda != nil:
		return sp.Lambda.FunctionArn
	case sp.SQS != nil:
		return sp.SQS.QueueURL
	case sp.SNS != nil:
		return sp.SNS.TargetArn
	case sp.DynamoDBv2 != nil && sp.DynamoDBv2.PutItem != nil:
		return sp.DynamoDBv2.PutItem.TableName
	case sp.Republish != nil:
		return sp.Republish.Topic
	}
	return a.kind
}

// failedAction is the name AWS reports for a failed action.
func (a *action) failedAction() string {
	switch a.kind {
	case "lambda":
		return "LambdaAction"
	case "sqs":
		return "SqsAction"
	case "sns":
		return "SnsAction"
	case "dynamoDBv2":
		return "DynamoDBv2Action"
	case "republish":
		return "RepublishAction"
	}
	return a.kind
}

// run performs the action with the rule's selected output.
func (e *engine) run(ctx context.Context, r *rule, a *action, m *message, out []byte, isJSON bool) error {
	links := e.env.Links
	switch a.kind {
	case "lambda":
		fn, ok := links.Get(cloud.LinkLambda).(cloud.FunctionInvoker)
		if !ok {
			return errors.New("the Lambda service is not available")
		}
		payload := out
		if !isJSON {
			// AWS hands a function a binary payload base64-encoded in JSON
			payload, _ = json.Marshal(map[string]string{"payload": base64.StdEncoding.EncodeToString(out)})
		}
		_, err := fn.Invoke(ctx, cloud.InvokeRequest{Region: regionOf(a.spec.Lambda.FunctionArn, r.region),
			Function: a.spec.Lambda.FunctionArn, Payload: payload, Async: true})
		return err
	case "sqs":
		q, ok := links.Get(cloud.LinkSQS).(cloud.Queues)
		if !ok {
			return errors.New("the SQS service is not available")
		}
		arn, err := queueARN(a.spec.SQS.QueueURL, r.region, e.env.Account)
		if err != nil {
			return err
		}
		body := string(out)
		if a.spec.SQS.UseBase64 {
			body = base64.StdEncoding.EncodeToString(out)
		}
		_, err = q.SendMessage(arn, cloud.QueueMessage{Body: body})
		return err
	case "sns":
		t, ok := links.Get(cloud.LinkSNS).(cloud.Topics)
		if !ok {
			return errors.New("the SNS service is not available")
		}
		msg := string(out)
		if a.spec.SNS.MessageFormat == "JSON" {
			// MessageStructure json: the "default" entry is what an
			// endpoint without its own entry receives.
			var per map[string]any
			if json.Unmarshal(out, &per) != nil {
				return errInvalidParameter.New("Invalid parameter: Message Structure - JSON message body failed to parse")
			}
			d, ok := per["default"].(string)
			if !ok {
				return errInvalidParameter.New("Invalid parameter: Message Structure - No default entry in JSON message body")
			}
			msg = d
		}
		_, err := t.Publish(a.spec.SNS.TargetArn, cloud.TopicMessage{Message: msg})
		return err
	case "dynamoDBv2":
		w, ok := links.Get(cloud.LinkDynamoDB).(cloud.ItemWriter)
		if !ok {
			return errors.New("the DynamoDB service is not available")
		}
		if !isJSON || !bytes.HasPrefix(bytes.TrimSpace(out), []byte("{")) {
			return errors.New("the dynamoDBv2 action needs a JSON object to write as an item")
		}
		item, err := dynamoItem(out)
		if err != nil {
			return err
		}
		return w.PutItem(r.region, a.spec.DynamoDBv2.PutItem.TableName, item)
	case "republish":
		b, ok := links.Get(cloud.LinkMQTT).(cloud.MessageBroker)
		if !ok {
			return errors.New("the MQTT broker is not available")
		}
		topic := a.render(m)
		qos := 0
		if a.spec.Republish.QoS != nil {
			qos = *a.spec.Republish.QoS
		}
		return b.Republish(cloud.BrokerMessage{Topic: topic, Payload: out, QoS: byte(qos)})
	}
	return fmt.Errorf("groundstack does not run %s actions", a.kind)
}

// regionOf is the region of an ARN, or def.
func regionOf(arn, def string) string {
	if p := strings.Split(arn, ":"); len(p) > 3 && p[3] != "" {
		return p[3]
	}
	return def
}

// queueARN turns a queue URL (http://host/000000000000/name, or
// https://sqs.<region>.amazonaws.com/…) into the queue's ARN.
func queueARN(queueURL, region, account string) (string, error) {
	u, err := url.Parse(queueURL)
	if err != nil {
		return "", fmt.Errorf("invalid queue URL %s", queueURL)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 2 || parts[1] == "" {
		return "", fmt.Errorf("invalid queue URL %s", queueURL)
	}
	if h := strings.Split(u.Hostname(), "."); len(h) > 2 && h[0] == "sqs" {
		region = h[1]
	}
	if parts[0] != "" {
		account = parts[0]
	}
	return "arn:aws:sqs:" + region + ":" + account + ":" + parts[1], nil
}

// dynamoItem turns a JSON object into a DynamoDB item: each top-level
// member becomes an attribute of the matching type.
func dynamoItem(obj []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(obj))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	item := make(map[string]any, len(m))
	for k, v := range m {
		if av := attributeValue(v); av != nil {
			item[k] = av
		}
	}
	return json.Marshal(item)
}

func attributeValue(v any) map[string]any {
	switch x := v.(type) {
	case nil:
		return map[string]any{"NULL": true}
	case bool:
		return map[string]any{"BOOL": x}
	case json.Number:
		return map[string]any{"N": x.String()}
	case string:
		return map[string]any{"S": x}
	case []any:
		l := make([]any, 0, len(x))
		for _, e := range x {
			l = append(l, attributeValue(e))
		}
		return map[string]any{"L": l}
	case map[string]any:
		mm := make(map[string]any, len(x))
		for k, e := range x {
			mm[k] = attributeValue(e)
		}
		return map[string]any{"M": mm}
	}
	return nil
}
