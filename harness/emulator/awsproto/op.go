package awsproto

import (
	"net/http"
	"reflect"
	"strings"
)

// Op is one typed operation. The protocol decodes the request into In,
// checks the constraints In's struct tags declare (see validate.go), calls
// the Op, then encodes Out or renders the error, the same way for every
// service. An Op sees no HTTP beyond its Call.
//
// Special inputs: In = []byte receives the raw body (awsJson hot paths with
// their own decoder); In = Form receives the query form as sent.
// Special outputs: []byte and json.RawMessage are written as they are; an
// Out that implements Responder writes its own response.
type Op[In, Out any] func(c *Call, in *In) (Out, error)

// Responder is an output that writes its own response (streamed object
// bodies, answers whose shape no model describes).
type Responder interface {
	Respond(w http.ResponseWriter, c *Call) error
}

// BodyDecoder is an awsJson input that decodes its own body: a hot path
// with a decoder faster than encoding/json. The API still checks the
// constraints its tags declare, and its Validate method, as for any input.
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

// Validator is an input with rules its tags cannot state (one member
// required when another is set). Validate runs after the tag constraints.
type Validator interface {
	Validate() error
}

// Operation is an Op with its types erased, as a service registers it.
type Operation struct {
	// Name is the operation's name in AWS's model ("CreateFunction").
	Name string
	// Method and Path bind a rest protocol operation:
	// "POST", "/2015-03-31/functions/{FunctionName}/invocations".
	// {Name...} (or the model's {Name+}) takes the rest of the path.
	Method, Path string
	// Status is the success status of a rest protocol operation (200 when 0).
	Status int
	// MaxBody bounds this operation's request body when it takes more (or
	// less) than its API's MaxBody.
	MaxBody int64

	in  reflect.Type
	run func(a *API, c *Call, body []byte, form Form) (any, error)
}

// Handle makes an Operation of a typed Op.
func Handle[In, Out any](name string, op Op[In, Out]) Operation {
	return Operation{
		Name: name,
		in:   reflect.TypeFor[In](),
		run: func(a *API, c *Call, body []byte, form Form) (any, error) {
			in := new(In)
			if err := a.decode(c, in, body, form); err != nil {
				return nil, err
			}
			if err := a.validate(in); err != nil {
				return nil, err
			}
			if err := a.inject(c, name, in); err != nil {
				return nil, err
			}
			return op(c, in)
		},
	}
}

// At binds a rest protocol operation to "METHOD /path/{Label}".
func (o Operation) At(route string) Operation {
	method, path, ok := strings.Cut(route, " ")
	if !ok {
		panic("awsproto: route " + route + " is not \"METHOD /path\"")
	}
	o.Method, o.Path = method, strings.ReplaceAll(path, "+}", "...}")
	return o
}

// WithStatus sets the success status of a rest protocol operation.
func (o Operation) WithStatus(status int) Operation {
	o.Status = status
	return o
}

// WithMaxBody bounds this operation's request body (bytes).
func (o Operation) WithMaxBody(n int64) Operation {
	o.MaxBody = n
	return o
}

// Input is the Go type of the operation's input, for tests and the
// conformance report.
func (o Operation) Input() reflect.Type { return o.in }
