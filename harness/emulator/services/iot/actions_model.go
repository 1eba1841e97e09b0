package iot

import "encoding/json"

// The shapes of a topic rule's action (IoT's Action and every structure
// under it) with the model's constraints as tags, so that the validation
// layer checks each member at any depth (required, lengths, enums,
// patterns, types) before a rule is looked up or stored. Field names are the
// model's member names, capitalised.

// ruleAction is one action as a rule carries it: typed for validation, and
// kept as sent (raw) for GetTopicRule and parseAction.
type ruleAction struct {
	modelAction
	raw json.RawMessage
}

func (a *ruleAction) UnmarshalJSON(b []byte) error {
	a.raw = append(json.RawMessage(nil), b...)
	return json.Unmarshal(b, &a.modelAction)
}

func (a ruleAction) MarshalJSON() ([]byte, error) {
	if a.raw == nil {
		return []byte("null"), nil
	}
	return a.raw, nil
}

type modelAction struct {
	DynamoDB         *modelDynamoDBAction         `json:"dynamoDB,omitempty"`
	DynamoDBv2       *modelDynamoDBv2Action       `json:"dynamoDBv2,omitempty"`
	Lambda           *modelLambdaAction           `json:"lambda,omitempty"`
	Sns              *modelSnsAction              `json:"sns,omitempty"`
	Sqs              *modelSqsAction              `json:"sqs,omitempty"`
	Kinesis          *modelKinesisAction          `json:"kinesis,omitempty"`
	Republish        *modelRepublishAction        `json:"republish,omitempty"`
	S3               *modelS3Action               `json:"s3,omitempty"`
	Firehose         *modelFirehoseAction         `json:"firehose,omitempty"`
	CloudwatchMetric *modelCloudwatchMetricAction `json:"cloudwatchMetric,omitempty"`
	CloudwatchAlarm  *modelCloudwatchAlarmAction  `json:"cloudwatchAlarm,omitempty"`
	CloudwatchLogs   *modelCloudwatchLogsAction   `json:"cloudwatchLogs,omitempty"`
	Elasticsearch    *modelElasticsearchAction    `json:"elasticsearch,omitempty"`
	Salesforce       *modelSalesforceAction       `json:"salesforce,omitempty"`
	IotAnalytics     *modelIotAnalyticsAction     `json:"iotAnalytics,omitempty"`
	IotEvents        *modelIotEventsAction        `json:"iotEvents,omitempty"`
	IotSiteWise      *modelIotSiteWiseAction      `json:"iotSiteWise,omitempty"`
	StepFunctions    *modelStepFunctionsAction    `json:"stepFunctions,omitempty"`
	Timestream       *modelTimestreamAction       `json:"timestream,omitempty"`
	Http             *modelHttpAction             `json:"http,omitempty"`
	Kafka            *modelKafkaAction            `json:"kafka,omitempty"`
	OpenSearch       *modelOpenSearchAction       `json:"openSearch,omitempty"`
	Location         *modelLocationAction         `json:"location,omitempty"`
}

type modelDynamoDBAction struct {
	TableName     *string `json:"tableName,omitempty" required:"true"`
	RoleArn       *string `json:"roleArn,omitempty" required:"true"`
	Operation     *string `json:"operation,omitempty"`
	HashKeyField  *string `json:"hashKeyField,omitempty" required:"true"`
	HashKeyValue  *string `json:"hashKeyValue,omitempty" required:"true"`
	HashKeyType   *string `json:"hashKeyType,omitempty" enum:"STRING,NUMBER"`
	RangeKeyField *string `json:"rangeKeyField,omitempty"`
	RangeKeyValue *string `json:"rangeKeyValue,omitempty"`
	RangeKeyType  *string `json:"rangeKeyType,omitempty" enum:"STRING,NUMBER"`
	PayloadField  *string `json:"payloadField,omitempty"`
}

type modelDynamoDBv2Action struct {
	RoleArn *string            `json:"roleArn,omitempty" required:"true"`
	PutItem *modelPutItemInput `json:"putItem,omitempty" required:"true"`
}

type modelLambdaAction struct {
	FunctionArn *string `json:"functionArn,omitempty" required:"true"`
}

type modelSnsAction struct {
	TargetArn     *string `json:"targetArn,omitempty" required:"true"`
	RoleArn       *string `json:"roleArn,omitempty" required:"true"`
	MessageFormat *string `json:"messageFormat,omitempty" enum:"RAW,JSON"`
}

type modelSqsAction struct {
	RoleArn   *string `json:"roleArn,omitempty" required:"true"`
	QueueUrl  *string `json:"queueUrl,omitempty" required:"true"`
	UseBase64 *bool   `json:"useBase64,omitempty"`
}

type modelKinesisAction struct {
	RoleArn      *string `json:"roleArn,omitempty" required:"true"`
	StreamName   *string `json:"streamName,omitempty" required:"true"`
	PartitionKey *string `json:"partitionKey,omitempty"`
}

type modelRepublishAction struct {
	RoleArn *string           `json:"roleArn,omitempty" required:"true"`
	Topic   *string           `json:"topic,omitempty" required:"true"`
	Qos     *int64            `json:"qos,omitempty" min:"0" max:"1"`
	Headers *modelMqttHeaders `json:"headers,omitempty"`
}

type modelS3Action struct {
	RoleArn    *string `json:"roleArn,omitempty" required:"true"`
	BucketName *string `json:"bucketName,omitempty" required:"true"`
	Key        *string `json:"key,omitempty" required:"true"`
	CannedAcl  *string `json:"cannedAcl,omitempty" enum:"private,public-read,public-read-write,aws-exec-read,authenticated-read,bucket-owner-read,bucket-owner-full-control,log-delivery-write"`
}

type modelFirehoseAction struct {
	RoleArn            *string `json:"roleArn,omitempty" required:"true"`
	DeliveryStreamName *string `json:"deliveryStreamName,omitempty" required:"true"`
	Separator          *string `json:"separator,omitempty" pattern:"([\\n\\t])|(\\r\\n)|(,)"`
	BatchMode          *bool   `json:"batchMode,omitempty"`
}

type modelCloudwatchMetricAction struct {
	RoleArn         *string `json:"roleArn,omitempty" required:"true"`
	MetricNamespace *string `json:"metricNamespace,omitempty" required:"true"`
	MetricName      *string `json:"metricName,omitempty" required:"true"`
	MetricValue     *string `json:"metricValue,omitempty" required:"true"`
	MetricUnit      *string `json:"metricUnit,omitempty" required:"true"`
	MetricTimestamp *string `json:"metricTimestamp,omitempty"`
}

type modelCloudwatchAlarmAction struct {
	RoleArn     *string `json:"roleArn,omitempty" required:"true"`
	AlarmName   *string `json:"alarmName,omitempty" required:"true"`
	StateReason *string `json:"stateReason,omitempty" required:"true"`
	StateValue  *string `json:"stateValue,omitempty" required:"true"`
}

type modelCloudwatchLogsAction struct {
	RoleArn      *string `json:"roleArn,omitempty" required:"true"`
	LogGroupName *string `json:"logGroupName,omitempty" required:"true"`
	BatchMode    *bool   `json:"batchMode,omitempty"`
}

type modelElasticsearchAction struct {
	RoleArn  *string `json:"roleArn,omitempty" required:"true"`
	Endpoint *string `json:"endpoint,omitempty" required:"true" pattern:"https?://.*"`
	Index    *string `json:"index,omitempty" required:"true"`
	Type     *string `json:"type,omitempty" required:"true"`
	Id       *string `json:"id,omitempty" required:"true"`
}

type modelSalesforceAction struct {
	Token *string `json:"token,omitempty" required:"true" min:"40"`
	Url   *string `json:"url,omitempty" required:"true" max:"2000" pattern:"https://ingestion-[a-zA-Z0-9]{1,12}\\.[a-zA-Z0-9]+\\.((sfdc-matrix\\.net)|(sfdcnow\\.com))/streams/\\w{1,20}/\\w{1,20}/event"`
}

type modelIotAnalyticsAction struct {
	ChannelArn  *string `json:"channelArn,omitempty"`
	ChannelName *string `json:"channelName,omitempty"`
	BatchMode   *bool   `json:"batchMode,omitempty"`
	RoleArn     *string `json:"roleArn,omitempty"`
}

type modelIotEventsAction struct {
	InputName *string `json:"inputName,omitempty" required:"true" min:"1" max:"128"`
	MessageId *string `json:"messageId,omitempty" max:"128"`
	BatchMode *bool   `json:"batchMode,omitempty"`
	RoleArn   *string `json:"roleArn,omitempty" required:"true"`
}

type modelIotSiteWiseAction struct {
	PutAssetPropertyValueEntries []modelPutAssetPropertyValueEntry `json:"putAssetPropertyValueEntries,omitempty" required:"true" min:"1"`
	RoleArn                      *string                           `json:"roleArn,omitempty" required:"true"`
}

type modelStepFunctionsAction struct {
	ExecutionNamePrefix *string `json:"executionNamePrefix,omitempty"`
	StateMachineName    *string `json:"stateMachineName,omitempty" required:"true"`
	RoleArn             *string `json:"roleArn,omitempty" required:"true"`
}

type modelTimestreamAction struct {
	RoleArn      *string                    `json:"roleArn,omitempty" required:"true"`
	DatabaseName *string                    `json:"databaseName,omitempty" required:"true"`
	TableName    *string                    `json:"tableName,omitempty" required:"true"`
	Dimensions   []modelTimestreamDimension `json:"dimensions,omitempty" required:"true" min:"1" max:"128"`
	Timestamp    *modelTimestreamTimestamp  `json:"timestamp,omitempty"`
}

type modelHttpAction struct {
	Url             *string                 `json:"url,omitempty" required:"true" max:"2000"`
	ConfirmationUrl *string                 `json:"confirmationUrl,omitempty" max:"2000"`
	Headers         []modelHttpActionHeader `json:"headers,omitempty" max:"100"`
	Auth            *modelHttpAuthorization `json:"auth,omitempty"`
	EnableBatching  *bool                   `json:"enableBatching,omitempty"`
	BatchConfig     *modelBatchConfig       `json:"batchConfig,omitempty"`
}

type modelKafkaAction struct {
	DestinationArn   *string                  `json:"destinationArn,omitempty" required:"true"`
	Topic            *string                  `json:"topic,omitempty" required:"true"`
	Key              *string                  `json:"key,omitempty"`
	Partition        *string                  `json:"partition,omitempty"`
	ClientProperties map[string]string        `json:"clientProperties,omitempty" required:"true"`
	Headers          []modelKafkaActionHeader `json:"headers,omitempty" min:"1" max:"100"`
}

type modelOpenSearchAction struct {
	RoleArn  *string `json:"roleArn,omitempty" required:"true"`
	Endpoint *string `json:"endpoint,omitempty" required:"true" pattern:"https?://.*"`
	Index    *string `json:"index,omitempty" required:"true"`
	Type     *string `json:"type,omitempty" required:"true"`
	Id       *string `json:"id,omitempty" required:"true"`
}

type modelLocationAction struct {
	RoleArn     *string                 `json:"roleArn,omitempty" required:"true"`
	TrackerName *string                 `json:"trackerName,omitempty" required:"true"`
	DeviceId    *string                 `json:"deviceId,omitempty" required:"true"`
	Timestamp   *modelLocationTimestamp `json:"timestamp,omitempty"`
	Latitude    *string                 `json:"latitude,omitempty" required:"true"`
	Longitude   *string                 `json:"longitude,omitempty" required:"true"`
}

type modelPutItemInput struct {
	TableName *string `json:"tableName,omitempty" required:"true"`
}

type modelMqttHeaders struct {
	PayloadFormatIndicator *string             `json:"payloadFormatIndicator,omitempty" max:"1024"`
	ContentType            *string             `json:"contentType,omitempty" max:"1024"`
	ResponseTopic          *string             `json:"responseTopic,omitempty" max:"1024"`
	CorrelationData        *string             `json:"correlationData,omitempty" max:"1024"`
	MessageExpiry          *string             `json:"messageExpiry,omitempty" max:"1024"`
	UserProperties         []modelUserProperty `json:"userProperties,omitempty" min:"1" max:"100"`
}

type modelPutAssetPropertyValueEntry struct {
	EntryId        *string                   `json:"entryId,omitempty"`
	AssetId        *string                   `json:"assetId,omitempty"`
	PropertyId     *string                   `json:"propertyId,omitempty"`
	PropertyAlias  *string                   `json:"propertyAlias,omitempty" min:"1"`
	PropertyValues []modelAssetPropertyValue `json:"propertyValues,omitempty" required:"true" min:"1"`
}

type modelTimestreamDimension struct {
	Name  *string `json:"name,omitempty" required:"true"`
	Value *string `json:"value,omitempty" required:"true"`
}

type modelTimestreamTimestamp struct {
	Value *string `json:"value,omitempty" required:"true"`
	Unit  *string `json:"unit,omitempty" required:"true"`
}

type modelHttpActionHeader struct {
	Key   *string `json:"key,omitempty" required:"true" min:"1" max:"256"`
	Value *string `json:"value,omitempty" required:"true"`
}

type modelHttpAuthorization struct {
	Sigv4 *modelSigV4Authorization `json:"sigv4,omitempty"`
}

type modelBatchConfig struct {
	MaxBatchOpenMs    *int64 `json:"maxBatchOpenMs,omitempty" min:"5" max:"200"`
	MaxBatchSize      *int64 `json:"maxBatchSize,omitempty" min:"2" max:"10"`
	MaxBatchSizeBytes *int64 `json:"maxBatchSizeBytes,omitempty" min:"100" max:"131072"`
	BatchAcrossTopics *bool  `json:"batchAcrossTopics,omitempty"`
}

type modelKafkaActionHeader struct {
	Key   *string `json:"key,omitempty" required:"true" max:"16384"`
	Value *string `json:"value,omitempty" required:"true" max:"16384"`
}

type modelLocationTimestamp struct {
	Value *string `json:"value,omitempty" required:"true"`
	Unit  *string `json:"unit,omitempty"`
}

type modelUserProperty struct {
	Key   *string `json:"key,omitempty" required:"true" max:"1024"`
	Value *string `json:"value,omitempty" required:"true" max:"1024"`
}

type modelAssetPropertyValue struct {
	Value     *modelAssetPropertyVariant   `json:"value,omitempty" required:"true"`
	Timestamp *modelAssetPropertyTimestamp `json:"timestamp,omitempty" required:"true"`
	Quality   *string                      `json:"quality,omitempty"`
}

type modelSigV4Authorization struct {
	SigningRegion *string `json:"signingRegion,omitempty" required:"true"`
	ServiceName   *string `json:"serviceName,omitempty" required:"true"`
	RoleArn       *string `json:"roleArn,omitempty" required:"true"`
}

type modelAssetPropertyVariant struct {
	StringValue  *string `json:"stringValue,omitempty" min:"1" max:"1024"`
	IntegerValue *string `json:"integerValue,omitempty"`
	DoubleValue  *string `json:"doubleValue,omitempty"`
	BooleanValue *string `json:"booleanValue,omitempty"`
}

type modelAssetPropertyTimestamp struct {
	TimeInSeconds *string `json:"timeInSeconds,omitempty" required:"true"`
	OffsetInNanos *string `json:"offsetInNanos,omitempty"`
}
