package lambda

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- event invoke configs: retries, event age and destinations of
// asynchronous invocations (the queue honouring them is async.go, the
// sending destination.go)

type destinationInput struct {
	Destination *string `json:"Destination" min:"0" max:"350" pattern:"$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"`
}

type destinationConfigInput struct {
	OnSuccess *destinationInput `json:"OnSuccess"`
	OnFailure *destinationInput `json:"OnFailure"`
}

// invokeConfigInput is the input of PutFunctionEventInvokeConfig and
// UpdateFunctionEventInvokeConfig.
type invokeConfigInput struct {
	FunctionName             *string                 `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Qualifier                *string                 `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128" pattern:"\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+"`
	MaximumRetryAttempts     *int                    `json:"MaximumRetryAttempts" min:"0" max:"2"`
	MaximumEventAgeInSeconds *int                    `json:"MaximumEventAgeInSeconds" min:"60" max:"21600"`
	DestinationConfig        *destinationConfigInput `json:"DestinationConfig"`
}

type listInvokeConfigsInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"256"`
	Marker       *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems     *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"50"`
}

// --- outputs

type destinationWire struct {
	Destination string `json:"Destination,omitempty"`
}

type destinationConfigWire struct {
	OnSuccess destinationWire `json:"OnSuccess"`
	OnFailure destinationWire `json:"OnFailure"`
}

// invokeConfigWire is FunctionEventInvokeConfig. LastModified is a
// timestamp: epoch seconds in rest-json.
type invokeConfigWire struct {
	LastModified             float64               `json:"LastModified"`
	FunctionArn              string                `json:"FunctionArn"`
	MaximumRetryAttempts     *int                  `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int                  `json:"MaximumEventAgeInSeconds,omitempty"`
	DestinationConfig        destinationConfigWire `json:"DestinationConfig"`
}

type listInvokeConfigsOutput struct {
	FunctionEventInvokeConfigs []invokeConfigWire `json:"FunctionEventInvokeConfigs"`
	NextMarker                 string             `json:"NextMarker,omitempty"`
}

func (s *Service) invokeConfigWire(region, fn string, c EventInvokeConfig) invokeConfigWire {
	return invokeConfigWire{
		LastModified: float64(c.Modified.UnixMilli()) / 1000, FunctionArn: s.store.FunctionARN(region, fn) + ":" + c.Qualifier,
		MaximumRetryAttempts: c.MaxRetries, MaximumEventAgeInSeconds: c.MaxAge,
		DestinationConfig: destinationConfigWire{OnSuccess: destinationWire{c.OnSuccess}, OnFailure: destinationWire{c.OnFailure}},
	}
}

// arnService is the service part of an ARN ("" when s is not one).
func arnService(s string) string {
	parts := strings.SplitN(s, ":", 4)
	if len(parts) < 4 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// checkDestinations applies the rules on destinations the pattern cannot
// state, in AWS's words, and returns them (OnSuccess, OnFailure).
func (s *Service) checkDestinations(region, fn string, dc *destinationConfigInput) (*[2]string, error) {
	if dc == nil {
		return nil, nil
	}
	var out [2]string
	if dc.OnSuccess != nil {
		out[0] = str(dc.OnSuccess.Destination)
	}
	if dc.OnFailure != nil {
		out[1] = str(dc.OnFailure.Destination)
	}
	invalid := false
	for _, d := range out {
		if d == "" {
			continue
		}
		switch arnService(d) {
		case "sqs", "sns", "events":
		case "lambda":
			r, name, _, ok := parseFunctionName(d)
			if !ok {
				return nil, errInvalidParameterValue.Errorf("The destination ARN %s is invalid.", d)
			}
			if r == "" {
				r = region
			}
			if name == fn {
				return nil, errInvalidParameterValue.New("You can't specify the function as a destination for itself.")
			}
			if _, err := s.store.Function(r, name); err != nil {
				return nil, errInvalidParameterValue.Errorf("The destination ARN %s is invalid.", d)
			}
		default:
			// S3 buckets and Kafka topics: not destinations groundstack
			// delivers to.
			invalid = true
		}
	}
	if invalid {
		part := func(kind, d string) string {
			if d == "" {
				return "null"
			}
			return kind + "(destination=" + d + ")"
		}
		return nil, errInvalidParameterValue.Errorf("The provided destination config DestinationConfig(onSuccess=%s, onFailure=%s) is invalid.",
			part("OnSuccess", out[0]), part("OnFailure", out[1]))
	}
	return &out, nil
}

// --- operations

func (s *Service) putInvokeConfig(c *awsproto.Call, in *invokeConfigInput) (invokeConfigWire, error) {
	return s.setInvokeConfig(c, in, false)
}

func (s *Service) updateInvokeConfig(c *awsproto.Call, in *invokeConfigInput) (invokeConfigWire, error) {
	return s.setInvokeConfig(c, in, true)
}

func (s *Service) setInvokeConfig(c *awsproto.Call, in *invokeConfigInput, update bool) (invokeConfigWire, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return invokeConfigWire{}, err
	}
	if in.MaximumRetryAttempts == nil && in.MaximumEventAgeInSeconds == nil && in.DestinationConfig == nil {
		return invokeConfigWire{}, errInvalidParameterValue.New("You must specify at least one of error handling or destination setting.")
	}
	if _, err := s.store.Function(region, name); err != nil {
		return invokeConfigWire{}, errResourceNotFound.New(msgNoFunction)
	}
	dests, err := s.checkDestinations(region, name, in.DestinationConfig)
	if err != nil {
		return invokeConfigWire{}, err
	}
	ch := InvokeConfigChange{MaxRetries: in.MaximumRetryAttempts, MaxAge: in.MaximumEventAgeInSeconds, Destinations: dests}
	if !update && dests == nil {
		dests = &[2]string{}
		ch.Destinations = dests
	}
	cfg, err := s.store.PutInvokeConfig(region, name, q, ch, update, s.env.Now())
	if err != nil {
		return invokeConfigWire{}, err
	}
	return s.invokeConfigWire(region, name, cfg), nil
}

func (s *Service) getInvokeConfig(c *awsproto.Call, in *qualifiedFunctionInput) (invokeConfigWire, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return invokeConfigWire{}, err
	}
	cfg, err := s.store.InvokeConfig(region, name, q)
	if err != nil {
		return invokeConfigWire{}, err
	}
	return s.invokeConfigWire(region, name, cfg), nil
}

func (s *Service) deleteInvokeConfig(c *awsproto.Call, in *qualifiedFunctionInput) (struct{}, error) {
	region, name, q, err := target(*in.FunctionName, str(in.Qualifier), c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.DeleteInvokeConfig(region, name, q)
}

func (s *Service) listInvokeConfigs(c *awsproto.Call, in *listInvokeConfigsInput) (listInvokeConfigsOutput, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return listInvokeConfigsOutput{}, err
	}
	cfgs, err := s.store.InvokeConfigs(region, name)
	if err != nil {
		return listInvokeConfigsOutput{}, err
	}
	wire := func(x EventInvokeConfig) invokeConfigWire { return s.invokeConfigWire(region, name, x) }
	items, next := page(cfgs, func(x EventInvokeConfig) string { return x.Qualifier }, in.Marker, in.MaxItems, wire)
	return listInvokeConfigsOutput{FunctionEventInvokeConfigs: items, NextMarker: next}, nil
}
