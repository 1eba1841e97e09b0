package lambda

import (
	"fmt"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/lambda/esm"
)

// --- event source mappings: CreateEventSourceMapping, Get…, List…,
// Update…, Delete… (the pollers: esm.go and package esm)

const esmPath = "/2015-03-31/event-source-mappings"

type filterWire struct {
	Pattern *string `json:"Pattern,omitempty" max:"4096"`
}

type filterCriteriaWire struct {
	Filters []filterWire `json:"Filters"`
}

type esmDestinationWire struct {
	Destination *string `json:"Destination,omitempty" max:"350"`
}

type esmDestinationConfigWire struct {
	OnSuccess *esmDestinationWire `json:"OnSuccess,omitempty"`
	OnFailure *esmDestinationWire `json:"OnFailure,omitempty"`
}

type scalingConfigWire struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty" min:"2" max:"1000"`
}

// esmSettings are the members Create and Update share.
type esmSettings struct {
	FunctionName                   *string                   `json:"FunctionName" min:"1" max:"256"`
	Enabled                        *bool                     `json:"Enabled"`
	BatchSize                      *int                      `json:"BatchSize" min:"1" max:"10000"`
	FilterCriteria                 *filterCriteriaWire       `json:"FilterCriteria"`
	MaximumBatchingWindowInSeconds *int                      `json:"MaximumBatchingWindowInSeconds" min:"0" max:"300"`
	ParallelizationFactor          *int                      `json:"ParallelizationFactor" min:"1" max:"10"`
	DestinationConfig              *esmDestinationConfigWire `json:"DestinationConfig"`
	MaximumRecordAgeInSeconds      *int                      `json:"MaximumRecordAgeInSeconds" min:"-1" max:"604800"`
	BisectBatchOnFunctionError     *bool                     `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           *int                      `json:"MaximumRetryAttempts" min:"-1" max:"10000"`
	TumblingWindowInSeconds        *int                      `json:"TumblingWindowInSeconds" min:"0" max:"900"`
	FunctionResponseTypes          []string                  `json:"FunctionResponseTypes" max:"1"`
	ScalingConfig                  *scalingConfigWire        `json:"ScalingConfig"`
	// The members of sources groundstack does not poll (Kafka, MQ,
	// DocumentDB) and of settings it does not emulate: checked against
	// the model only.
	SourceAccessConfigurations          []sourceAccessInput     `json:"SourceAccessConfigurations" min:"0" max:"22"`
	AmazonManagedKafkaEventSourceConfig *kafkaSourceConfigInput `json:"AmazonManagedKafkaEventSourceConfig"`
	SelfManagedKafkaEventSourceConfig   *kafkaSourceConfigInput `json:"SelfManagedKafkaEventSourceConfig"`
	DocumentDBEventSourceConfig         *documentDBSourceInput  `json:"DocumentDBEventSourceConfig"`
	KMSKeyArn                           *string                 `json:"KMSKeyArn" pattern:"(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()"`
	MetricsConfig                       *esmMetricsConfigInput  `json:"MetricsConfig"`
	LoggingConfig                       *esmLoggingConfigInput  `json:"LoggingConfig"`
	ProvisionedPollerConfig             *provisionedPollerInput `json:"ProvisionedPollerConfig"`
}

type sourceAccessInput struct {
	Type *string `json:"Type" enum:"BASIC_AUTH,VPC_SUBNET,VPC_SECURITY_GROUP,SASL_SCRAM_512_AUTH,SASL_SCRAM_256_AUTH,VIRTUAL_HOST,CLIENT_CERTIFICATE_TLS_AUTH,SERVER_ROOT_CA_CERTIFICATE"`
	URI  *string `json:"URI" min:"1" max:"200" pattern:"[a-zA-Z0-9-\\/*:_+=.@-]*"`
}

type kafkaRegistryAccessInput struct {
	Type *string `json:"Type" enum:"BASIC_AUTH,CLIENT_CERTIFICATE_TLS_AUTH,SERVER_ROOT_CA_CERTIFICATE"`
	URI  *string `json:"URI" pattern:"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"`
}

type kafkaValidationInput struct {
	Attribute *string `json:"Attribute" enum:"KEY,VALUE"`
}

type kafkaRegistryInput struct {
	SchemaRegistryURI       *string                    `json:"SchemaRegistryURI" min:"1" max:"10000" pattern:"[a-zA-Z0-9-\\/*:_+=.@-]*"`
	EventRecordFormat       *string                    `json:"EventRecordFormat" enum:"JSON,SOURCE"`
	AccessConfigs           []kafkaRegistryAccessInput `json:"AccessConfigs"`
	SchemaValidationConfigs []kafkaValidationInput     `json:"SchemaValidationConfigs"`
}

// kafkaSourceConfigInput is AmazonManagedKafkaEventSourceConfig and
// SelfManagedKafkaEventSourceConfig (the same members).
type kafkaSourceConfigInput struct {
	ConsumerGroupId      *string             `json:"ConsumerGroupId" min:"1" max:"200" pattern:"[a-zA-Z0-9-\\/*:_+=.@-]*"`
	SchemaRegistryConfig *kafkaRegistryInput `json:"SchemaRegistryConfig"`
}

// documentDBSourceInput is DocumentDBEventSourceConfig; CollectionName's
// pattern has a look-ahead (Validate).
type documentDBSourceInput struct {
	DatabaseName   *string `json:"DatabaseName" min:"1" max:"63" pattern:"[^ /\\.$\\x22]*"`
	CollectionName *string `json:"CollectionName" min:"1" max:"57"`
	FullDocument   *string `json:"FullDocument" enum:"UpdateLookup,Default"`
}

// collectionNamePattern is the model's pattern of CollectionName:
// (^(?!(system\x2e)))(^[_a-zA-Z0-9])([^$]*).
const collectionNamePattern = `(^(?!(system\x2e)))(^[_a-zA-Z0-9])([^$]*)`

func (in *documentDBSourceInput) Validate() error {
	if in.CollectionName == nil || *in.CollectionName == "" {
		return nil
	}
	n := *in.CollectionName
	c := n[0]
	ok := !strings.HasPrefix(n, "system.") && !strings.Contains(n[1:], "$") &&
		(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	if !ok {
		return validation(n, "documentDBEventSourceConfig.collectionName", awsproto.Pattern(collectionNamePattern))
	}
	return nil
}

// Validate checks what the members' tags cannot state (promoted to
// Create's and Update's inputs).
func (in *esmSettings) Validate() error {
	if in.DocumentDBEventSourceConfig != nil {
		return in.DocumentDBEventSourceConfig.Validate()
	}
	return nil
}

type esmMetricsConfigInput struct {
	Metrics []string `json:"Metrics" min:"0" max:"3"`
}

type esmLoggingConfigInput struct {
	SystemLogLevel *string `json:"SystemLogLevel" enum:"DEBUG,INFO,WARN"`
}

type provisionedPollerInput struct {
	MinimumPollers  *int    `json:"MinimumPollers" min:"1" max:"200"`
	MaximumPollers  *int    `json:"MaximumPollers" min:"1" max:"2000"`
	PollerGroupName *string `json:"PollerGroupName" min:"0" max:"128" pattern:"[a-zA-Z0-9-_]*"`
}

type selfManagedSourceInput struct {
	Endpoints map[string][]string `json:"Endpoints" min:"1" max:"2"`
}

type createESMInput struct {
	EventSourceArn   *string           `json:"EventSourceArn" pattern:"arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"`
	StartingPosition *string           `json:"StartingPosition" enum:"TRIM_HORIZON,LATEST,AT_TIMESTAMP"`
	Tags             map[string]string `json:"Tags"`
	esmSettings
	StartingPositionTimestamp *float64                `json:"StartingPositionTimestamp"`
	Topics                    []string                `json:"Topics" min:"1" max:"1"`
	Queues                    []string                `json:"Queues" min:"1" max:"1"`
	SelfManagedEventSource    *selfManagedSourceInput `json:"SelfManagedEventSource"`
}

type updateESMInput struct {
	UUID *string `json:"-" location:"uri" name:"UUID" required:"true"`
	esmSettings
}

type esmInput struct {
	UUID *string `json:"-" location:"uri" name:"UUID" required:"true"`
}

type listESMInput struct {
	EventSourceArn *string `json:"-" location:"querystring" name:"EventSourceArn"`
	FunctionName   *string `json:"-" location:"querystring" name:"FunctionName" min:"1" max:"256"`
	Marker         *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems       *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"10000"`
}

// esmWire is EventSourceMappingConfiguration.
type esmWire struct {
	UUID                           string                    `json:"UUID"`
	StartingPosition               string                    `json:"StartingPosition,omitempty"`
	BatchSize                      int                       `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int                       `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          *int                      `json:"ParallelizationFactor,omitempty"`
	EventSourceArn                 string                    `json:"EventSourceArn"`
	FilterCriteria                 *filterCriteriaWire       `json:"FilterCriteria,omitempty"`
	FunctionArn                    string                    `json:"FunctionArn"`
	LastModified                   float64                   `json:"LastModified"`
	LastProcessingResult           string                    `json:"LastProcessingResult,omitempty"`
	State                          string                    `json:"State"`
	StateTransitionReason          string                    `json:"StateTransitionReason"`
	DestinationConfig              *esmDestinationConfigWire `json:"DestinationConfig,omitempty"`
	MaximumRecordAgeInSeconds      *int                      `json:"MaximumRecordAgeInSeconds,omitempty"`
	BisectBatchOnFunctionError     *bool                     `json:"BisectBatchOnFunctionError,omitempty"`
	MaximumRetryAttempts           *int                      `json:"MaximumRetryAttempts,omitempty"`
	TumblingWindowInSeconds        *int                      `json:"TumblingWindowInSeconds,omitempty"`
	FunctionResponseTypes          []string                  `json:"FunctionResponseTypes"`
	ScalingConfig                  *scalingConfigWire        `json:"ScalingConfig,omitempty"`
	EventSourceMappingArn          string                    `json:"EventSourceMappingArn"`
}

type listESMOutput struct {
	NextMarker          string    `json:"NextMarker,omitempty"`
	EventSourceMappings []esmWire `json:"EventSourceMappings"`
}

// wire renders a mapping (called under eventSources.mu).
func (m *mapping) wire() esmWire {
	w := esmWire{
		UUID: m.UUID, BatchSize: m.BatchSize, MaximumBatchingWindowInSeconds: m.Window,
		EventSourceArn: m.SourceARN, FunctionArn: m.FunctionARN,
		LastModified: float64(m.Modified.UnixMilli()) / 1000, LastProcessingResult: m.LastResult,
		State: m.State, StateTransitionReason: m.Reason,
		FunctionResponseTypes: append([]string{}, m.ResponseTypes...), EventSourceMappingArn: m.ARN,
	}
	if len(m.Filters) > 0 {
		w.FilterCriteria = &filterCriteriaWire{}
		for _, p := range m.Filters {
			w.FilterCriteria.Filters = append(w.FilterCriteria.Filters, filterWire{Pattern: &p})
		}
	}
	if m.MaxConcurrency > 0 {
		n := m.MaxConcurrency
		w.ScalingConfig = &scalingConfigWire{MaximumConcurrency: &n}
	}
	if m.Kind == sourceStream {
		par, age, bisect, retries, tumbling := m.Parallelization, m.MaxAge, m.Bisect, m.MaxRetries, m.Tumbling
		w.StartingPosition = m.StartingPosition
		w.ParallelizationFactor, w.MaximumRecordAgeInSeconds, w.BisectBatchOnFunctionError = &par, &age, &bisect
		w.MaximumRetryAttempts, w.TumblingWindowInSeconds = &retries, &tumbling
		w.DestinationConfig = &esmDestinationConfigWire{OnFailure: &esmDestinationWire{}}
		if m.OnFailure != "" {
			d := m.OnFailure
			w.DestinationConfig.OnFailure.Destination = &d
		}
	}
	return w
}

func (s *Service) registerEventSourceMappings() {
	const accepted = 202
	s.api.Register(
		awsproto.Handle("CreateEventSourceMapping", s.createESM).At("POST "+esmPath).WithStatus(accepted),
		awsproto.Handle("ListEventSourceMappings", s.listESM).At("GET "+esmPath),
		awsproto.Handle("GetEventSourceMapping", s.getESM).At("GET "+esmPath+"/{UUID}"),
		awsproto.Handle("UpdateEventSourceMapping", s.updateESM).At("PUT "+esmPath+"/{UUID}").WithStatus(accepted),
		awsproto.Handle("DeleteEventSourceMapping", s.deleteESM).At("DELETE "+esmPath+"/{UUID}").WithStatus(accepted),
	)
}

func (s *Service) createESM(c *awsproto.Call, in *createESMInput) (esmWire, error) {
	if in.FunctionName == nil {
		return esmWire{}, validation("null", "functionName", "Member must not be null")
	}
	if in.EventSourceArn == nil {
		return esmWire{}, errInvalidParameterValue.New("Unrecognized event source.")
	}
	m := &mapping{SourceARN: *in.EventSourceArn, Enabled: true, MaxRetries: -1, MaxAge: -1, Parallelization: 1, Modified: s.env.Now()}
	kind, err := sourceKind(m.SourceARN)
	if err != nil {
		return esmWire{}, err
	}
	m.Kind = kind
	if err := s.resolveESMFunction(c.Region, *in.FunctionName, m); err != nil {
		return esmWire{}, err
	}
	m.Region = regionOfARN(m.FunctionARN)
	if kind == sourceSQS {
		m.BatchSize, m.Reason = 10, reasonSQS
		if in.StartingPosition != nil {
			return esmWire{}, unsupported("StartingPosition")
		}
	} else {
		m.BatchSize, m.Reason, m.LastResult = 100, reasonStream, esm.ResultNone
		if in.StartingPosition == nil {
			return esmWire{}, errInvalidParameterValue.New("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
		}
		if *in.StartingPosition == "AT_TIMESTAMP" {
			return esmWire{}, errInvalidParameterValue.Errorf("Unsupported starting position for arn type: %s", m.SourceARN)
		}
		m.StartingPosition = *in.StartingPosition
	}
	if err := m.apply(&in.esmSettings); err != nil {
		return esmWire{}, err
	}
	if err := s.checkSource(m); err != nil {
		return esmWire{}, err
	}
	m.UUID = s.env.NewID()
	if len(in.Tags) > 0 {
		m.Tags = make(map[string]string, len(in.Tags))
		for k, v := range in.Tags {
			m.Tags[k] = v
		}
	}
	m.ARN = fmt.Sprintf("arn:aws:lambda:%s:%s:event-source-mapping:%s", m.Region, s.env.Account, m.UUID)
	return s.esm.add(m)
}

func (s *Service) getESM(c *awsproto.Call, in *esmInput) (esmWire, error) {
	m, err := s.esm.get(c.Region, *in.UUID)
	if err != nil {
		return esmWire{}, err
	}
	return m.wire(), nil
}

func (s *Service) listESM(c *awsproto.Call, in *listESMInput) (listESMOutput, error) {
	fnARN := ""
	if in.FunctionName != nil {
		// The function need not exist any more: its mappings remain.
		r, name, q, err := target(*in.FunctionName, "", c.Region)
		if err != nil {
			return listESMOutput{}, err
		}
		fnARN = s.store.FunctionARN(r, name)
		if q != "" && q != LatestVersion {
			fnARN += ":" + q
		}
	}
	items := s.esm.list(c.Region, fnARN, str(in.EventSourceArn))
	out, next := page(items, func(w esmWire) string { return w.UUID }, in.Marker, in.MaxItems, func(w esmWire) esmWire { return w })
	return listESMOutput{NextMarker: next, EventSourceMappings: out}, nil
}

func (s *Service) updateESM(c *awsproto.Call, in *updateESMInput) (esmWire, error) {
	m, err := s.esm.get(c.Region, *in.UUID)
	if err != nil {
		return esmWire{}, err
	}
	if in.FunctionName != nil {
		if err := s.resolveESMFunction(c.Region, *in.FunctionName, m); err != nil {
			return esmWire{}, err
		}
	}
	if err := m.apply(&in.esmSettings); err != nil {
		return esmWire{}, err
	}
	if err := s.checkSource(m); err != nil {
		return esmWire{}, err
	}
	m.Modified = s.env.Now()
	return s.esm.update(m)
}

func (s *Service) deleteESM(c *awsproto.Call, in *esmInput) (esmWire, error) {
	return s.esm.remove(c.Region, *in.UUID)
}

// sourceKind tells a queue from a stream by its ARN.
func sourceKind(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		switch {
		case parts[2] == "sqs":
			return sourceSQS, nil
		case parts[2] == "dynamodb" && strings.Contains(parts[5], "/stream/"):
			return sourceStream, nil
		case parts[2] == "kinesis" || parts[2] == "kafka" || parts[2] == "mq" || parts[2] == "rds":
			return "", errInvalidParameterValue.Errorf("groundstack does not support %s event source mappings: it polls SQS queues and DynamoDB streams.", parts[2])
		}
	}
	return "", errInvalidParameterValue.New("Unrecognized event source, must be kinesis, dynamodb stream or sqs.")
}

func regionOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 4 {
		return ""
	}
	return parts[3]
}

// resolveESMFunction sets m's function from a FunctionName member: it
// must exist (with its version or alias when qualified).
func (s *Service) resolveESMFunction(region, raw string, m *mapping) error {
	r, name, q, err := target(raw, "", region)
	if err != nil {
		return err
	}
	if q == LatestVersion {
		q = ""
	}
	if _, _, err := s.store.Resolve(r, name, q); err != nil {
		return errInvalidParameterValue.New("Function does not exist")
	}
	m.FnName, m.Qualifier = name, q
	m.FunctionARN = s.store.FunctionARN(r, name)
	if q != "" {
		m.FunctionARN += ":" + q
	}
	return nil
}

// unsupported refuses a member the source's kind does not take.
func unsupported(member string) error {
	return errInvalidParameterValue.Errorf("Unsupported %s parameter for given event source mapping type.", member)
}

// apply merges the members sent into m and checks the result.
func (m *mapping) apply(in *esmSettings) error {
	sqs := m.Kind == sourceSQS
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}
	if in.BatchSize != nil {
		m.BatchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		m.Window = *in.MaximumBatchingWindowInSeconds
	}
	for _, t := range in.FunctionResponseTypes {
		if t != "ReportBatchItemFailures" {
			return validation("["+t+"]", "functionResponseTypes", "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]")
		}
	}
	if in.FunctionResponseTypes != nil {
		m.ResponseTypes = in.FunctionResponseTypes
	}
	if in.FilterCriteria != nil {
		var patterns []string
		for _, f := range in.FilterCriteria.Filters {
			if f.Pattern == nil {
				return errInvalidParameterValue.New(esm.MsgInvalidPattern)
			}
			patterns = append(patterns, *f.Pattern)
		}
		if len(patterns) > esm.MaxFilters {
			return errInvalidParameterValue.Errorf("The total number of filters in FilterCriteria must not exceed %d.", esm.MaxFilters)
		}
		compiled, err := esm.ParseFilters(patterns)
		if err != nil {
			return errInvalidParameterValue.New(err.Error())
		}
		m.Filters, m.compiled = patterns, compiled
	}
	if in.ScalingConfig != nil {
		if !sqs {
			return unsupported("ScalingConfig")
		}
		m.MaxConcurrency = 0
		if in.ScalingConfig.MaximumConcurrency != nil {
			m.MaxConcurrency = *in.ScalingConfig.MaximumConcurrency
		}
	}
	streamOnly := []struct {
		name string
		set  bool
	}{
		{"DestinationConfig", in.DestinationConfig != nil}, {"MaximumRecordAgeInSeconds", in.MaximumRecordAgeInSeconds != nil},
		{"BisectBatchOnFunctionError", in.BisectBatchOnFunctionError != nil}, {"MaximumRetryAttempts", in.MaximumRetryAttempts != nil},
		{"ParallelizationFactor", in.ParallelizationFactor != nil}, {"TumblingWindowInSeconds", in.TumblingWindowInSeconds != nil},
	}
	for _, p := range streamOnly {
		if sqs && p.set {
			return unsupported(p.name)
		}
	}
	if !sqs {
		if d := in.DestinationConfig; d != nil {
			if d.OnSuccess != nil {
				return unsupported("DestinationConfig")
			}
			m.OnFailure = ""
			if d.OnFailure != nil && d.OnFailure.Destination != nil {
				dest := *d.OnFailure.Destination
				if dest != "" && !strings.HasPrefix(dest, "arn:aws:sqs:") && !strings.HasPrefix(dest, "arn:aws:sns:") {
					return errInvalidParameterValue.Errorf("Unsupported on-failure destination %s: groundstack sends stream failure records to SQS queues and SNS topics.", dest)
				}
				m.OnFailure = dest
			}
		}
		if v := in.MaximumRecordAgeInSeconds; v != nil {
			if *v != -1 && *v < 60 {
				return validation(fmt.Sprint(*v), "maximumRecordAgeInSeconds", "Member must have value greater than or equal to 60")
			}
			m.MaxAge = *v
		}
		if in.BisectBatchOnFunctionError != nil {
			m.Bisect = *in.BisectBatchOnFunctionError
		}
		if in.MaximumRetryAttempts != nil {
			m.MaxRetries = *in.MaximumRetryAttempts
		}
		if in.ParallelizationFactor != nil {
			m.Parallelization = *in.ParallelizationFactor
		}
		if in.TumblingWindowInSeconds != nil {
			m.Tumbling = *in.TumblingWindowInSeconds
		}
	}
	if sqs && m.BatchSize > 10 && m.Window == 0 {
		return errInvalidParameterValue.New("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	return nil
}

// checkSource checks the queue or stream exists (and FIFO limits).
func (s *Service) checkSource(m *mapping) error {
	if m.Kind == sourceSQS {
		q, _ := s.env.Links.Get(cloud.LinkSQS).(cloud.Queues)
		if q == nil {
			return errInvalidParameterValue.New("SQS is not running in this emulator.")
		}
		info, err := q.QueueInfo(m.SourceARN)
		if err != nil {
			return errInvalidParameterValue.New("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist for this wsdl version.")
		}
		if info.FIFO && m.BatchSize > 10 {
			return errInvalidParameterValue.New("Batch size must not exceed 10 for FIFO queues.")
		}
		if info.FIFO && m.Window > 0 {
			return errInvalidParameterValue.New("Batching window is not supported for FIFO queues.")
		}
		return nil
	}
	st, _ := s.env.Links.Get(cloud.LinkDynamoDBStreams).(cloud.StreamReader)
	if st == nil {
		return errInvalidParameterValue.New("DynamoDB is not running in this emulator.")
	}
	latest, err := st.StreamPosition(m.SourceARN, "LATEST")
	if err != nil {
		return errInvalidParameterValue.Errorf("Stream not found: %s", m.SourceARN)
	}
	if m.StartingPosition == "LATEST" && m.position == "" {
		// LATEST is the stream's end when the mapping is created, not when
		// its poller gets going: a write right after Create is delivered.
		m.position = latest
	}
	return nil
}
