package bondmarket

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iot"
	iottypes "github.com/aws/aws-sdk-go-v2/service/iot/types"
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
// topic, action: invoke the consumer), replacing an existing one, and
// lets IoT invoke the consumer.
func ensureTopicRules(ctx context.Context, cfg aws.Config, st *Stack, name string) error {
	l := lambda.NewFromConfig(cfg)
	c := iot.NewFromConfig(cfg)
	for _, role := range []string{"requests", "validation"} {
		fn, err := l.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(st.Functions[role])})
		if err != nil {
			return err
		}
		fnARN := aws.ToString(fn.Configuration.FunctionArn)
		rule := RuleName(name, role)
		payload := &iottypes.TopicRulePayload{
			Sql: aws.String(RuleSQL(Consumers[role])), Description: aws.String("bondmarket: " + Consumers[role] + " to " + st.Functions[role]),
			RuleDisabled: aws.Bool(false), AwsIotSqlVersion: aws.String("2016-03-23"),
			Actions: []iottypes.Action{{Lambda: &iottypes.LambdaAction{FunctionArn: aws.String(fnARN)}}},
		}
		_, err = c.CreateTopicRule(ctx, &iot.CreateTopicRuleInput{RuleName: aws.String(rule), TopicRulePayload: payload})
		var exists *iottypes.ResourceAlreadyExistsException
		if errors.As(err, &exists) {
			_, err = c.ReplaceTopicRule(ctx, &iot.ReplaceTopicRuleInput{RuleName: aws.String(rule), TopicRulePayload: payload})
		}
		if err != nil {
			return fmt.Errorf("topic rule %s: %w", rule, err)
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
