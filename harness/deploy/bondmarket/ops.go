package bondmarket

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/groundstack/groundstack/handlers/bondmarket/market"
)

// Consumers are the topic rules: the MQTT topic each consumer function
// (by role) listens on.
var Consumers = map[string]string{"requests": market.TopicRequests, "validation": market.TopicValidation}

// RuleSQL is a consumer's topic rule statement.
func RuleSQL(topic string) string { return "SELECT * FROM '" + topic + "'" }

// ensureTopicRules makes one topic rule per consumer (SELECT * FROM the
// topic, action: invoke the consumer) and lets IoT invoke it. The IoT
// control plane is called as rest-json signed for "iot" (the module
// service/iot is not in this repository's dependency set).
func ensureTopicRules(ctx context.Context, cfg aws.Config, st *Stack, name string) error {
	l := lambda.NewFromConfig(cfg)
	for _, role := range []string{"requests", "validation"} {
		fn, err := l.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(st.Functions[role])})
		if err != nil {
			return err
		}
		fnARN := aws.ToString(fn.Configuration.FunctionArn)
		rule := RuleName(name, role)
		body := map[string]any{
			"sql": RuleSQL(Consumers[role]), "description": "bondmarket: " + Consumers[role] + " to " + st.Functions[role],
			"ruleDisabled": false, "awsIotSqlVersion": "2016-03-23",
			"actions": []any{map[string]any{"lambda": map[string]string{"functionArn": fnARN}}},
		}
		status, answer, err := iotCall(ctx, cfg, http.MethodPost, "/rules/"+url.PathEscape(rule), body)
		if err == nil && status == http.StatusConflict {
			status, answer, err = iotCall(ctx, cfg, http.MethodPatch, "/rules/"+url.PathEscape(rule), body)
		}
		if err != nil {
			return err
		}
		if status/100 != 2 {
			return fmt.Errorf("topic rule %s: %d %s", rule, status, answer)
		}
		_, err = l.AddPermission(ctx, &lambda.AddPermissionInput{
			FunctionName: aws.String(st.Functions[role]), StatementId: aws.String("iot-" + rule), Action: aws.String("lambda:InvokeFunction"),
			Principal: aws.String("iot.amazonaws.com"),
			SourceArn: aws.String(ruleARN(fnARN, rule)),
		})
		var conflict *ltypes.ResourceConflictException
		if err != nil && !errors.As(err, &conflict) {
			return fmt.Errorf("let IoT invoke %s: %w", st.Functions[role], err)
		}
		if !contains(st.TopicRules, rule) {
			st.TopicRules = append(st.TopicRules, rule)
		}
	}
	return nil
}

// ruleARN is arn:…:iot:region:account:rule/name, from a function's ARN
// (same partition, region and account).
func ruleARN(functionARN, rule string) string {
	p := strings.SplitN(functionARN, ":", 6)
	if len(p) < 5 {
		return ""
	}
	return strings.Join([]string{p[0], p[1], "iot", p[3], p[4], "rule/" + rule}, ":")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// iotCall is one signed rest-json call to the IoT control plane.
func iotCall(ctx context.Context, cfg aws.Config, method, path string, in any) (int, string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return 0, "", err
	}
	base := "https://iot." + cfg.Region + ".amazonaws.com"
	if cfg.BaseEndpoint != nil {
		base = strings.TrimRight(*cfg.BaseEndpoint, "/")
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(b))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, "", err
	}
	sum := sha256.Sum256(b)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iot", cfg.Region, time.Now()); err != nil {
		return 0, "", err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("iot %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	return resp.StatusCode, strings.TrimSpace(string(answer)), nil
}

// ensureAlarms gives every function an alarm on its Errors (AWS/Lambda,
// Sum over 60 s ≥ 1) that notifies the alarm topic, and on OK again.
func ensureAlarms(ctx context.Context, cfg aws.Config, st *Stack) error {
	c := cloudwatch.NewFromConfig(cfg)
	for _, role := range Roles {
		fn := st.Functions[role]
		name := AlarmName(fn)
		_, err := c.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), AlarmDescription: aws.String("bondmarket: " + fn + " failed"),
			Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Errors"),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(fn)}},
			Statistic:  cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), DatapointsToAlarm: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			TreatMissingData: aws.String("notBreaching"),
			AlarmActions:     []string{st.AlarmTopicARN}, OKActions: []string{st.AlarmTopicARN},
		})
		if err != nil {
			return err
		}
		if !contains(st.Alarms, name) {
			st.Alarms = append(st.Alarms, name)
		}
	}
	return nil
}
