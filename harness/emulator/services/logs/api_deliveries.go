package logs

import (
	"slices"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- ARNs of the configuration resources ----

// arn is arn:aws:logs:REGION:ACCOUNT:KIND:ID.
func (s *Service) arn(region, kind, id string) string {
	return "arn:aws:logs:" + region + ":" + s.env.Account + ":" + kind + ":" + id
}

// parseLogsARN splits arn:aws:logs:REGION:ACCOUNT:KIND:ID.
func parseLogsARN(arn string) (region, kind, id string, ok bool) {
	p := strings.SplitN(arn, ":", 7)
	if len(p) != 7 || p[0] != "arn" || p[2] != "logs" || p[6] == "" {
		return "", "", "", false
	}
	return p[3], p[5], p[6], true
}

// shortID is a delivery's id: 16 letters and digits.
func (s *Service) shortID() string {
	id := strings.ReplaceAll(s.env.NewID(), "-", "")
	if len(id) > 16 {
		id = id[:16]
	}
	return id
}

// ---- inputs ----

type deliverySourceRef struct {
	Name string `json:"name" required:"true" min:"1" max:"60" pattern:"[\\w-]*"`
}

type deliveryDestinationRef struct {
	Name string `json:"name" required:"true" min:"1" max:"60" pattern:"[\\w-]*"`
}

type deliveryRef struct {
	ID string `json:"id" required:"true" min:"1" max:"64" pattern:"^[0-9A-Za-z]+$"`
}

type describeLimit struct {
	NextToken *string `json:"nextToken" min:"1"`
	Limit     *int32  `json:"limit" min:"1" max:"50"`
}

type putDeliverySourceInput struct {
	Name                        string            `json:"name" required:"true" min:"1" max:"60" pattern:"[\\w-]*"`
	ResourceArn                 *string           `json:"resourceArn" required:"true"`
	LogType                     string            `json:"logType" required:"true" min:"1" max:"255" pattern:"[\\w]*"`
	Tags                        map[string]string `json:"tags" min:"1" max:"50"`
	DeliverySourceConfiguration map[string]string `json:"deliverySourceConfiguration"`
}

type deliveryDestinationConfiguration struct {
	DestinationResourceArn *string `json:"destinationResourceArn" required:"true"`
}

type putDeliveryDestinationInput struct {
	Name                             string                            `json:"name" required:"true" min:"1" max:"60" pattern:"[\\w-]*"`
	OutputFormat                     string                            `json:"outputFormat" enum:"json,plain,w3c,raw,parquet"`
	DeliveryDestinationConfiguration *deliveryDestinationConfiguration `json:"deliveryDestinationConfiguration"`
	DeliveryDestinationType          string                            `json:"deliveryDestinationType" enum:"S3,CWL,FH,XRAY"`
	Tags                             map[string]string                 `json:"tags" min:"1" max:"50"`
}

type deliveryDestinationPolicyRef struct {
	DeliveryDestinationName string `json:"deliveryDestinationName" required:"true" min:"1" max:"60" pattern:"[\\w-]*"`
}

type putDeliveryDestinationPolicyInput struct {
	deliveryDestinationPolicyRef
	DeliveryDestinationPolicy string `json:"deliveryDestinationPolicy" required:"true" min:"1" max:"51200"`
}

type s3DeliveryConfiguration struct {
	SuffixPath               *string `json:"suffixPath,omitempty" min:"1" max:"256"`
	EnableHiveCompatiblePath *bool   `json:"enableHiveCompatiblePath,omitempty"`
}

type deliveryConfig struct {
	RecordFields            []string                 `json:"recordFields" max:"128"`
	FieldDelimiter          *string                  `json:"fieldDelimiter" max:"5"`
	S3DeliveryConfiguration *s3DeliveryConfiguration `json:"s3DeliveryConfiguration"`
}

// Validate: each record field is 1 to 64 characters.
func (d deliveryConfig) Validate() error {
	for _, f := range d.RecordFields {
		if len(f) < 1 || len(f) > 64 {
			return awsproto.Constraint(errInvalidParameter, f, "recordFields.member", "Member must have length less than or equal to 64")
		}
	}
	return nil
}

type createDeliveryInput struct {
	DeliverySourceName     string  `json:"deliverySourceName" required:"true" min:"1" max:"60" pattern:"[\\w-]*"`
	DeliveryDestinationArn *string `json:"deliveryDestinationArn" required:"true"`
	deliveryConfig
	Tags map[string]string `json:"tags" min:"1" max:"50"`
}

type updateDeliveryConfigurationInput struct {
	deliveryRef
	deliveryConfig
}

type describeConfigurationTemplatesInput struct {
	Service                  *string  `json:"service" min:"1" max:"255" pattern:"[\\w_-]*"`
	LogTypes                 []string `json:"logTypes" min:"1" max:"10"`
	ResourceTypes            []string `json:"resourceTypes" min:"1" max:"10"`
	DeliveryDestinationTypes []string `json:"deliveryDestinationTypes" min:"1" max:"4"`
	describeLimit
}

// Validate: the destination types are the model's.
func (in *describeConfigurationTemplatesInput) Validate() error {
	for _, t := range in.DeliveryDestinationTypes {
		if !destinationTypes[t] {
			return awsproto.Constraint(errInvalidParameter, t, "deliveryDestinationTypes.member", awsproto.EnumSet("S3", "CWL", "FH", "XRAY"))
		}
	}
	return in.deliveryConfigLists()
}

func (in *describeConfigurationTemplatesInput) deliveryConfigLists() error {
	for i, l := range [][]string{in.LogTypes, in.ResourceTypes} {
		field := [...]string{"logTypes.member", "resourceTypes.member"}[i]
		for _, v := range l {
			if len(v) < 1 || len(v) > 255 {
				return awsproto.Constraint(errInvalidParameter, v, field, "Member must have length less than or equal to 255")
			}
		}
	}
	return nil
}

var destinationTypes = map[string]bool{"S3": true, "CWL": true, "FH": true, "XRAY": true}

// ---- outputs ----

type deliverySourceOut struct {
	Name                        string            `json:"name"`
	Arn                         string            `json:"arn"`
	ResourceArns                []string          `json:"resourceArns"`
	Service                     string            `json:"service"`
	LogType                     string            `json:"logType"`
	Tags                        map[string]string `json:"tags,omitempty"`
	DeliverySourceConfiguration map[string]string `json:"deliverySourceConfiguration,omitempty"`
	Status                      string            `json:"status"`
}

type deliveryDestinationOut struct {
	Name                             string                            `json:"name"`
	Arn                              string                            `json:"arn"`
	DeliveryDestinationType          string                            `json:"deliveryDestinationType"`
	OutputFormat                     string                            `json:"outputFormat,omitempty"`
	DeliveryDestinationConfiguration *deliveryDestinationConfiguration `json:"deliveryDestinationConfiguration,omitempty"`
	Tags                             map[string]string                 `json:"tags,omitempty"`
}

type deliveryOut struct {
	ID                      string                   `json:"id"`
	Arn                     string                   `json:"arn"`
	DeliverySourceName      string                   `json:"deliverySourceName"`
	DeliveryDestinationArn  string                   `json:"deliveryDestinationArn"`
	DeliveryDestinationType string                   `json:"deliveryDestinationType"`
	RecordFields            []string                 `json:"recordFields,omitempty"`
	FieldDelimiter          *string                  `json:"fieldDelimiter,omitempty"`
	S3DeliveryConfiguration *s3DeliveryConfiguration `json:"s3DeliveryConfiguration,omitempty"`
	Tags                    map[string]string        `json:"tags,omitempty"`
}

func deliverySourceOutOf(d DeliverySource) deliverySourceOut {
	return deliverySourceOut{Name: d.Name, Arn: d.ARN, ResourceArns: []string{d.ResourceArn}, Service: d.Service,
		LogType: d.LogType, Tags: d.Tags, DeliverySourceConfiguration: d.Config, Status: "ACTIVE"}
}

func deliveryDestinationOutOf(d DeliveryDestination) deliveryDestinationOut {
	out := deliveryDestinationOut{Name: d.Name, Arn: d.ARN, DeliveryDestinationType: d.Type, OutputFormat: d.OutputFormat, Tags: d.Tags}
	if d.ResourceArn != "" {
		out.DeliveryDestinationConfiguration = &deliveryDestinationConfiguration{DestinationResourceArn: &d.ResourceArn}
	}
	return out
}

func deliveryOutOf(d Delivery) deliveryOut {
	out := deliveryOut{ID: d.ID, Arn: d.ARN, DeliverySourceName: d.SourceName, DeliveryDestinationArn: d.DestinationArn,
		DeliveryDestinationType: d.DestinationType, RecordFields: d.RecordFields, FieldDelimiter: d.FieldDelimiter, Tags: d.Tags}
	if d.S3 != nil {
		out.S3DeliveryConfiguration = &s3DeliveryConfiguration{SuffixPath: d.S3.SuffixPath, EnableHiveCompatiblePath: d.S3.Hive}
	}
	return out
}

// ---- delivery sources ----

func (s *Service) putDeliverySource(c *awsproto.Call, in *putDeliverySourceInput) (struct {
	DeliverySource deliverySourceOut `json:"deliverySource"`
}, error) {
	var out struct {
		DeliverySource deliverySourceOut `json:"deliverySource"`
	}
	service, err := sourceService(*in.ResourceArn, in.LogType)
	if err != nil {
		return out, err
	}
	src, err := s.store.cfg.PutDeliverySource(c.Region, DeliverySource{Name: in.Name, ARN: s.arn(c.Region, "delivery-source", in.Name),
		ResourceArn: *in.ResourceArn, Service: service, LogType: in.LogType, Config: in.DeliverySourceConfiguration, Tags: in.Tags})
	out.DeliverySource = deliverySourceOutOf(src)
	return out, err
}

// sourceService is the service of a source's resource ARN, where it sends
// logType (checked for the services the configuration templates list).
func sourceService(arn, logType string) (string, error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] == "" || p[5] == "" {
		return "", errValidation.Errorf("Invalid resource ARN: %s", arn)
	}
	known := false
	for _, t := range vendedSources {
		if t.service == p[2] {
			known = true
			if t.logType == logType {
				return p[2], nil
			}
		}
	}
	if known {
		return "", errValidation.New("This service is not allowed for this LogSource.")
	}
	return p[2], nil
}

func (s *Service) getDeliverySource(c *awsproto.Call, in *deliverySourceRef) (struct {
	DeliverySource deliverySourceOut `json:"deliverySource"`
}, error) {
	var out struct {
		DeliverySource deliverySourceOut `json:"deliverySource"`
	}
	src, err := s.store.cfg.DeliverySource(c.Region, in.Name)
	out.DeliverySource = deliverySourceOutOf(src)
	return out, err
}

func (s *Service) describeDeliverySources(c *awsproto.Call, in *describeLimit) (struct {
	DeliverySources []deliverySourceOut `json:"deliverySources"`
	NextToken       string              `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		DeliverySources []deliverySourceOut `json:"deliverySources"`
		NextToken       string              `json:"nextToken,omitempty"`
	}
	page, next, ok := pageOf(s.store.cfg.DeliverySources(c.Region), func(d DeliverySource) string { return d.Name }, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.DeliverySources, out.NextToken = make([]deliverySourceOut, len(page)), next
	for i, d := range page {
		out.DeliverySources[i] = deliverySourceOutOf(d)
	}
	return out, nil
}

func (s *Service) deleteDeliverySource(c *awsproto.Call, in *deliverySourceRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteDeliverySource(c.Region, in.Name)
}

// ---- delivery destinations ----

// destinationType is the type of destination a resource ARN names.
func destinationType(arn string) string {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" {
		return ""
	}
	switch {
	case p[2] == "s3" && p[5] != "":
		return "S3"
	case p[2] == "logs" && strings.HasPrefix(p[5], "log-group:"):
		return "CWL"
	case p[2] == "firehose" && strings.HasPrefix(p[5], "deliverystream/"):
		return "FH"
	}
	return ""
}

func (s *Service) putDeliveryDestination(c *awsproto.Call, in *putDeliveryDestinationInput) (struct {
	DeliveryDestination deliveryDestinationOut `json:"deliveryDestination"`
}, error) {
	var out struct {
		DeliveryDestination deliveryDestinationOut `json:"deliveryDestination"`
	}
	d := DeliveryDestination{Name: in.Name, ARN: s.arn(c.Region, "delivery-destination", in.Name), OutputFormat: in.OutputFormat, Tags: in.Tags}
	switch {
	case in.DeliveryDestinationConfiguration != nil:
		d.ResourceArn = *in.DeliveryDestinationConfiguration.DestinationResourceArn
		d.Type = destinationType(d.ResourceArn)
		if d.Type == "" {
			return out, errValidation.Errorf("Invalid destination resource ARN: %s", d.ResourceArn)
		}
		if in.DeliveryDestinationType != "" && in.DeliveryDestinationType != d.Type {
			return out, errValidation.Errorf("The deliveryDestinationType %s does not match the destination resource ARN.", in.DeliveryDestinationType)
		}
		if d.OutputFormat == "" {
			d.OutputFormat = "json"
		}
	case in.DeliveryDestinationType == "XRAY":
		d.Type = "XRAY"
	default:
		return out, errValidation.New("deliveryDestinationConfiguration is required unless the deliveryDestinationType is XRAY.")
	}
	d, err := s.store.cfg.PutDeliveryDestination(c.Region, d)
	out.DeliveryDestination = deliveryDestinationOutOf(d)
	return out, err
}

func (s *Service) getDeliveryDestination(c *awsproto.Call, in *deliveryDestinationRef) (struct {
	DeliveryDestination deliveryDestinationOut `json:"deliveryDestination"`
}, error) {
	var out struct {
		DeliveryDestination deliveryDestinationOut `json:"deliveryDestination"`
	}
	d, err := s.store.cfg.DeliveryDestination(c.Region, in.Name)
	out.DeliveryDestination = deliveryDestinationOutOf(d)
	return out, err
}

func (s *Service) describeDeliveryDestinations(c *awsproto.Call, in *describeLimit) (struct {
	DeliveryDestinations []deliveryDestinationOut `json:"deliveryDestinations"`
	NextToken            string                   `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		DeliveryDestinations []deliveryDestinationOut `json:"deliveryDestinations"`
		NextToken            string                   `json:"nextToken,omitempty"`
	}
	page, next, ok := pageOf(s.store.cfg.DeliveryDestinations(c.Region), func(d DeliveryDestination) string { return d.Name }, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.DeliveryDestinations, out.NextToken = make([]deliveryDestinationOut, len(page)), next
	for i, d := range page {
		out.DeliveryDestinations[i] = deliveryDestinationOutOf(d)
	}
	return out, nil
}

func (s *Service) deleteDeliveryDestination(c *awsproto.Call, in *deliveryDestinationRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteDeliveryDestination(c.Region, in.Name)
}

type destinationPolicyOutput struct {
	Policy struct {
		DeliveryDestinationPolicy string `json:"deliveryDestinationPolicy,omitempty"`
	} `json:"policy"`
}

func (s *Service) putDeliveryDestinationPolicy(c *awsproto.Call, in *putDeliveryDestinationPolicyInput) (destinationPolicyOutput, error) {
	var out destinationPolicyOutput
	if err := s.store.cfg.SetDestinationPolicy(c.Region, in.DeliveryDestinationName, in.DeliveryDestinationPolicy); err != nil {
		return out, err
	}
	out.Policy.DeliveryDestinationPolicy = in.DeliveryDestinationPolicy
	return out, nil
}

func (s *Service) getDeliveryDestinationPolicy(c *awsproto.Call, in *deliveryDestinationPolicyRef) (destinationPolicyOutput, error) {
	var out destinationPolicyOutput
	d, err := s.store.cfg.DeliveryDestination(c.Region, in.DeliveryDestinationName)
	out.Policy.DeliveryDestinationPolicy = d.Policy
	return out, err
}

func (s *Service) deleteDeliveryDestinationPolicy(c *awsproto.Call, in *deliveryDestinationPolicyRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.SetDestinationPolicy(c.Region, in.DeliveryDestinationName, "")
}

// ---- deliveries ----

func (s *Service) createDelivery(c *awsproto.Call, in *createDeliveryInput) (struct {
	Delivery deliveryOut `json:"delivery"`
}, error) {
	var out struct {
		Delivery deliveryOut `json:"delivery"`
	}
	region, kind, name, ok := parseLogsARN(*in.DeliveryDestinationArn)
	if !ok || kind != "delivery-destination" || region != c.Region {
		return out, errResourceNotFound.New(msgNoDeliveryDestination)
	}
	id := s.shortID()
	d := Delivery{ID: id, ARN: s.arn(c.Region, "delivery", id), SourceName: in.DeliverySourceName, DestinationArn: *in.DeliveryDestinationArn,
		RecordFields: in.RecordFields, FieldDelimiter: in.FieldDelimiter, Tags: in.Tags}
	if s3 := in.S3DeliveryConfiguration; s3 != nil {
		d.S3 = &S3DeliveryConfig{SuffixPath: s3.SuffixPath, Hive: s3.EnableHiveCompatiblePath}
	}
	d, err := s.store.cfg.CreateDelivery(c.Region, name, d)
	out.Delivery = deliveryOutOf(d)
	return out, err
}

func (s *Service) getDelivery(c *awsproto.Call, in *deliveryRef) (struct {
	Delivery deliveryOut `json:"delivery"`
}, error) {
	var out struct {
		Delivery deliveryOut `json:"delivery"`
	}
	d, err := s.store.cfg.Delivery(c.Region, in.ID)
	out.Delivery = deliveryOutOf(d)
	return out, err
}

func (s *Service) describeDeliveries(c *awsproto.Call, in *describeLimit) (struct {
	Deliveries []deliveryOut `json:"deliveries"`
	NextToken  string        `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		Deliveries []deliveryOut `json:"deliveries"`
		NextToken  string        `json:"nextToken,omitempty"`
	}
	page, next, ok := pageOf(s.store.cfg.Deliveries(c.Region), func(d Delivery) string { return d.ID }, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.Deliveries, out.NextToken = make([]deliveryOut, len(page)), next
	for i, d := range page {
		out.Deliveries[i] = deliveryOutOf(d)
	}
	return out, nil
}

func (s *Service) deleteDelivery(c *awsproto.Call, in *deliveryRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteDelivery(c.Region, in.ID)
}

func (s *Service) updateDeliveryConfiguration(c *awsproto.Call, in *updateDeliveryConfigurationInput) (struct{}, error) {
	var s3 *S3DeliveryConfig
	if in.S3DeliveryConfiguration != nil {
		s3 = &S3DeliveryConfig{SuffixPath: in.S3DeliveryConfiguration.SuffixPath, Hive: in.S3DeliveryConfiguration.EnableHiveCompatiblePath}
	}
	return struct{}{}, s.store.cfg.UpdateDelivery(c.Region, in.ID, in.RecordFields, in.FieldDelimiter, s3)
}

// ---- configuration templates ----

// vendedSource is one log type a service vends, from AWS's "Enabling
// logging from AWS services" table (the sources with V2 permissions).
type vendedSource struct{ service, logType, resourceType string }

var vendedSources = []vendedSource{
	{"bedrock", "APPLICATION_LOGS", "knowledge-base"},
	{"cloudfront", "ACCESS_LOGS", "distribution"},
	{"codewhisperer", "EVENT_LOGS", "profile"},
	{"mediapackage", "EGRESS_ACCESS_LOGS", "channel"},
	{"mediapackage", "INGRESS_ACCESS_LOGS", "channel"},
	{"mediatailor", "AD_DECISION_SERVER_LOGS", "playbackConfiguration"},
	{"mediatailor", "MANIFEST_SERVICE_LOGS", "playbackConfiguration"},
	{"mediatailor", "TRANSCODE_LOGS", "playbackConfiguration"},
	{"sso", "ERROR_LOGS", "instance"},
	{"workmail", "ACCESS_CONTROL_LOGS", "organization"},
	{"workmail", "AUTHENTICATION_LOGS", "organization"},
	{"workmail", "WORKMAIL_AVAILABILITY_PROVIDER_LOGS", "organization"},
	{"workmail", "WORKMAIL_MAILBOX_ACCESS_LOGS", "organization"},
}

type configurationTemplateOut struct {
	Service                     string `json:"service"`
	LogType                     string `json:"logType"`
	ResourceType                string `json:"resourceType"`
	DeliveryDestinationType     string `json:"deliveryDestinationType"`
	DefaultDeliveryConfigValues struct {
		RecordFields   []string `json:"recordFields"`
		FieldDelimiter string   `json:"fieldDelimiter"`
		S3             *struct {
			SuffixPath               string `json:"suffixPath"`
			EnableHiveCompatiblePath bool   `json:"enableHiveCompatiblePath"`
		} `json:"s3DeliveryConfiguration,omitempty"`
	} `json:"defaultDeliveryConfigValues"`
	AllowedFields          []struct{} `json:"allowedFields"`
	AllowedOutputFormats   []string   `json:"allowedOutputFormats"`
	AllowedAction          string     `json:"allowedActionForAllowVendedLogsDeliveryForResource"`
	AllowedFieldDelimiters []string   `json:"allowedFieldDelimiters"`
}

func (s *Service) describeConfigurationTemplates(c *awsproto.Call, in *describeConfigurationTemplatesInput) (struct {
	ConfigurationTemplates []configurationTemplateOut `json:"configurationTemplates"`
	NextToken              string                     `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		ConfigurationTemplates []configurationTemplateOut `json:"configurationTemplates"`
		NextToken              string                     `json:"nextToken,omitempty"`
	}
	in2 := func(list []string, v string) bool {
		if list == nil {
			return true
		}
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	var all []configurationTemplateOut
	for _, v := range vendedSources {
		if (in.Service != nil && *in.Service != v.service) || !in2(in.LogTypes, v.logType) || !in2(in.ResourceTypes, v.resourceType) {
			continue
		}
		for _, dt := range []string{"CWL", "FH", "S3"} {
			if !in2(in.DeliveryDestinationTypes, dt) {
				continue
			}
			t := configurationTemplateOut{Service: v.service, LogType: v.logType, ResourceType: v.resourceType, DeliveryDestinationType: dt,
				AllowedFields: []struct{}{}, AllowedOutputFormats: []string{"json", "plain", "w3c", "raw"},
				AllowedAction: v.service + ":AllowVendedLogDeliveryForResource", AllowedFieldDelimiters: []string{",", " ", "\t", "|"}}
			t.DefaultDeliveryConfigValues.RecordFields = []string{}
			t.DefaultDeliveryConfigValues.FieldDelimiter = ""
			if dt == "S3" {
				t.AllowedOutputFormats = append(t.AllowedOutputFormats, "parquet")
				t.DefaultDeliveryConfigValues.S3 = &struct {
					SuffixPath               string `json:"suffixPath"`
					EnableHiveCompatiblePath bool   `json:"enableHiveCompatiblePath"`
				}{SuffixPath: "AWSLogs/{account-id}/" + v.service + "/{yyyy}/{MM}/{dd}/{HH}"}
			}
			all = append(all, t)
		}
	}
	key := func(t configurationTemplateOut) string {
		return t.Service + "\x00" + t.LogType + "\x00" + t.ResourceType + "\x00" + t.DeliveryDestinationType
	}
	page, next, ok := pageOf(all, key, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.ConfigurationTemplates, out.NextToken = page, next
	if out.ConfigurationTemplates == nil {
		out.ConfigurationTemplates = []configurationTemplateOut{}
	}
	return out, nil
}

// ---- tags of the configuration resources (TagResource and friends) ----

// configARN splits the ARN of a taggable configuration resource.
func configARN(arn string) (region, kind, id string, ok bool) {
	region, kind, id, ok = parseLogsARN(arn)
	return region, kind, id, ok && slices.Contains(TaggableKinds, kind)
}

const msgNoResource = "The specified resource does not exist."

// tagConfig tags or untags the configuration resource arn names; handled
// false when the ARN names none (a log group's, then).
func (s *Service) tagConfig(arn string, add map[string]string, remove []string) (handled bool, err error) {
	region, kind, id, ok := configARN(arn)
	if !ok {
		return false, nil
	}
	if !s.store.cfg.Tag(region, kind, id, add, remove) {
		return true, errResourceNotFound.New(msgNoResource)
	}
	return true, nil
}

// configTags lists the tags of the configuration resource arn names.
func (s *Service) configTags(arn string) (tags map[string]string, handled bool, err error) {
	region, kind, id, ok := configARN(arn)
	if !ok {
		return nil, false, nil
	}
	t, found := s.store.cfg.Tags(region, kind, id)
	if !found {
		return nil, true, errResourceNotFound.New(msgNoResource)
	}
	return t, true, nil
}
