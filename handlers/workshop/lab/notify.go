package lab

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	stypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// NotificationEvent is a notification to send, or the queue's messages
// (an SQS event from the event source mapping).
type NotificationEvent struct {
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Priority string `json:"priority,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Message  string `json:"message,omitempty"`
	Records  []struct {
		EventSource string `json:"eventSource"`
		MessageID   string `json:"messageId"`
		Body        string `json:"body"`
	} `json:"Records,omitempty"`
}

// notification is what is published: the body of SNS's message.
type notification struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Priority string `json:"priority"`
	Message  string `json:"message"`
}

// snsEnvelope is SNS's JSON around a message delivered to SQS.
type snsEnvelope struct {
	Message           string `json:"Message"`
	MessageAttributes map[string]struct {
		Type  string `json:"Type"`
		Value string `json:"Value"`
	} `json:"MessageAttributes"`
}

// HandleNotification sends a notification, or records the queue's copies
// as delivered (never publishing again, so nothing loops).
func (l *Lab) HandleNotification(ctx context.Context, e NotificationEvent) (map[string]any, error) {
	if e.Records != nil {
		ids := []string{}
		for _, r := range e.Records {
			if r.EventSource != "aws:sqs" {
				continue
			}
			id, err := l.delivered(ctx, r.MessageID, r.Body)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return map[string]any{"delivered": ids}, nil
	}
	return l.send(ctx, e)
}

func (l *Lab) send(ctx context.Context, e NotificationEvent) (map[string]any, error) {
	n := notification{ID: e.ID, Type: e.Type, Priority: e.Priority, Message: e.Message}
	if n.Message == "" {
		return nil, fmt.Errorf(`%w: a notification needs a "message"`, ErrBadEvent)
	}
	if n.Type == "" {
		n.Type = "info"
	}
	if n.Priority == "" {
		n.Priority = "normal"
	}
	if n.ID == "" {
		n.ID = l.newID()
	}
	subject := e.Subject
	if subject == "" {
		subject = n.Type + " notification"
	}
	s := l.Settings
	// Recorded before publishing: the queue's copy may come back (and mark
	// it delivered) before Publish even returns.
	if _, err := l.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.HistoryTable, Item: map[string]dtypes.AttributeValue{
		"NotificationId": str(n.ID), "Type": str(n.Type), "Priority": str(n.Priority), "Message": str(n.Message),
		"Status": str("sent"), "SentAt": str(l.isoNow()),
	}}); err != nil {
		return nil, fmt.Errorf("record the notification: %w", err)
	}
	topic, err := l.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: &s.TopicName})
	if err != nil {
		return nil, fmt.Errorf("topic %s: %w", s.TopicName, err)
	}
	body, _ := json.Marshal(n)
	out, err := l.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn: topic.TopicArn, Subject: &subject, Message: aws.String(string(body)),
		MessageAttributes: map[string]stypes.MessageAttributeValue{
			"type":     {DataType: aws.String("String"), StringValue: &n.Type},
			"priority": {DataType: aws.String("String"), StringValue: &n.Priority},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if _, err := l.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.HistoryTable, Key: map[string]dtypes.AttributeValue{"NotificationId": str(n.ID)},
		UpdateExpression:          aws.String("SET MessageId = :m"),
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{":m": str(aws.ToString(out.MessageId))},
	}); err != nil {
		return nil, fmt.Errorf("record the message id: %w", err)
	}
	fmt.Printf("notification %s (%s, %s) published as %s\n", n.ID, n.Type, n.Priority, aws.ToString(out.MessageId))
	return map[string]any{"notificationId": n.ID, "messageId": aws.ToString(out.MessageId), "status": "sent"}, nil
}

func (l *Lab) delivered(ctx context.Context, messageID, body string) (string, error) {
	var env snsEnvelope
	var n notification
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return "", fmt.Errorf("%w: message %s is not SNS's envelope: %v", ErrBadEvent, messageID, err)
	}
	if err := json.Unmarshal([]byte(env.Message), &n); err != nil || n.ID == "" {
		return "", fmt.Errorf("%w: message %s does not hold a notification", ErrBadEvent, messageID)
	}
	if _, err := l.DynamoDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &l.Settings.HistoryTable, Key: map[string]dtypes.AttributeValue{"NotificationId": str(n.ID)},
		UpdateExpression:         aws.String("SET #s = :s, DeliveredAt = :t, QueueMessageId = :q, DeliveredType = :k, DeliveredPriority = :p"),
		ExpressionAttributeNames: map[string]string{"#s": "Status"},
		ExpressionAttributeValues: map[string]dtypes.AttributeValue{
			":s": str("delivered"), ":t": str(l.isoNow()), ":q": str(messageID),
			":k": str(env.MessageAttributes["type"].Value), ":p": str(env.MessageAttributes["priority"].Value),
		},
	}); err != nil {
		return "", fmt.Errorf("record the delivery: %w", err)
	}
	fmt.Printf("notification %s delivered through the queue (message %s)\n", n.ID, messageID)
	return n.ID, nil
}
