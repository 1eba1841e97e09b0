package lambda

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/lambda/runtime"
)

// functionInput is the input of the operations that take a FunctionName
// only (pattern: see target).
type functionInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
}

type putConcurrencyInput struct {
	FunctionName                 *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	ReservedConcurrentExecutions *int    `json:"ReservedConcurrentExecutions" required:"true" min:"0"`
}

// concurrencyWire is Concurrency (and GetFunctionConcurrency's answer,
// empty when nothing is reserved).
type concurrencyWire struct {
	ReservedConcurrentExecutions *int `json:"ReservedConcurrentExecutions,omitempty"`
}

func (s *Service) putConcurrency(c *awsproto.Call, in *putConcurrencyInput) (concurrencyWire, error) {
	region, name, q, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return concurrencyWire{}, err
	}
	if q != "" {
		return concurrencyWire{}, errInvalidParameterValue.New("Concurrency can only be set on the function, not on a version or alias.")
	}
	if err := s.store.SetReserved(region, name, *in.ReservedConcurrentExecutions); err != nil {
		return concurrencyWire{}, err
	}
	return concurrencyWire{ReservedConcurrentExecutions: in.ReservedConcurrentExecutions}, nil
}

func (s *Service) getConcurrency(c *awsproto.Call, in *functionInput) (concurrencyWire, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return concurrencyWire{}, err
	}
	f, err := s.store.Function(region, name)
	if err != nil {
		return concurrencyWire{}, err
	}
	var out concurrencyWire
	if r := f.Reserved(); r >= 0 {
		out.ReservedConcurrentExecutions = &r
	}
	return out, nil
}

func (s *Service) deleteConcurrency(c *awsproto.Call, in *functionInput) (struct{}, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetReserved(region, name, -1)
}

// --- account settings

type accountSettingsOutput struct {
	AccountLimit accountLimitWire `json:"AccountLimit"`
	AccountUsage accountUsageWire `json:"AccountUsage"`
}

type accountLimitWire struct {
	TotalCodeSize                  int64 `json:"TotalCodeSize"`
	CodeSizeUnzipped               int64 `json:"CodeSizeUnzipped"`
	CodeSizeZipped                 int64 `json:"CodeSizeZipped"`
	ConcurrentExecutions           int   `json:"ConcurrentExecutions"`
	UnreservedConcurrentExecutions int   `json:"UnreservedConcurrentExecutions"`
}

type accountUsageWire struct {
	TotalCodeSize int64 `json:"TotalCodeSize"`
	FunctionCount int   `json:"FunctionCount"`
}

func (s *Service) accountSettings(c *awsproto.Call, _ *struct{}) (accountSettingsOutput, error) {
	n, size := s.store.Count(c.Region)
	return accountSettingsOutput{
		AccountLimit: accountLimitWire{
			TotalCodeSize: 80530636800, CodeSizeUnzipped: runtime.MaxUnzippedSize, CodeSizeZipped: 52428800,
			ConcurrentExecutions: s.store.AccountConcurrency(), UnreservedConcurrentExecutions: s.store.Unreserved(c.Region),
		},
		AccountUsage: accountUsageWire{TotalCodeSize: size, FunctionCount: n},
	}, nil
}
