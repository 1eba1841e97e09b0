package awsmodel

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// Service is one service's model as botocore ships it.
type Service struct {
	// Name is botocore's name for the service (its data directory: "s3",
	// "iot-data"); Version the model's directory ("2006-03-01").
	Name, Version string
	Metadata      Metadata              `json:"metadata"`
	Operations    map[string]*Operation `json:"operations"`
	Shapes        map[string]*Shape     `json:"shapes"`
}

// Metadata is the model's metadata block.
type Metadata struct {
	APIVersion     string   `json:"apiVersion"`
	Protocol       string   `json:"protocol"` // "json", "query", "ec2", "rest-json", "rest-xml", "smithy-rpc-v2-cbor"
	Protocols      []string `json:"protocols"`
	TargetPrefix   string   `json:"targetPrefix"`
	JSONVersion    string   `json:"jsonVersion"`
	ServiceID      string   `json:"serviceId"`
	SigningName    string   `json:"signingName"`
	EndpointPrefix string   `json:"endpointPrefix"`
	XMLNamespace   string   `json:"xmlNamespace"`
}

// Operation is one operation of a model.
type Operation struct {
	Name       string `json:"name"`
	HTTP       HTTP   `json:"http"`
	Input      *Ref   `json:"input"`
	Output     *Ref   `json:"output"`
	Deprecated bool   `json:"deprecated"`
}

// HTTP is an operation's http binding (rest protocols route by it).
type HTTP struct {
	Method       string `json:"method"`
	RequestURI   string `json:"requestUri"`
	ResponseCode int    `json:"responseCode"`
}

// Ref is a reference to a shape: an operation's input or output, a
// structure's member, a list's element, a map's key or value.
type Ref struct {
	Shape string `json:"shape"`
	// Location is where a member travels in rest protocols: "uri",
	// "querystring", "header", "headers", "statusCode"; "" is the body.
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
	QueryName    string `json:"queryName"`
	Flattened    bool   `json:"flattened"`
	XMLAttribute bool   `json:"xmlAttribute"`
	HostLabel    bool   `json:"hostLabel"`
	Deprecated   bool   `json:"deprecated"`
}

// Shape is a type of the model.
type Shape struct {
	// Type is "structure", "list", "map", "string", "integer", "long",
	// "boolean", "timestamp", "blob", "double", "float".
	Type      string          `json:"type"`
	Members   map[string]*Ref `json:"members"`
	Required  []string        `json:"required"`
	Min       *float64        `json:"min"`
	Max       *float64        `json:"max"`
	Pattern   string          `json:"pattern"`
	Enum      []string        `json:"enum"`
	Member    *Ref            `json:"member"` // a list's element
	Key       *Ref            `json:"key"`    // a map's
	Value     *Ref            `json:"value"`
	Flattened bool            `json:"flattened"`
	Sensitive bool            `json:"sensitive"`
	Exception bool            `json:"exception"`
	Payload   string          `json:"payload"`
}

// IsRequired reports whether the structure requires member.
func (s *Shape) IsRequired(member string) bool {
	for _, r := range s.Required {
		if r == member {
			return true
		}
	}
	return false
}

// MemberNames are the structure's members, sorted.
func (s *Shape) MemberNames() []string {
	out := make([]string, 0, len(s.Members))
	for n := range s.Members {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// OperationNames are the model's operations, sorted.
func (m *Service) OperationNames() []string {
	out := make([]string, 0, len(m.Operations))
	for n := range m.Operations {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Shape returns the named shape, or nil.
func (m *Service) Shape(name string) *Shape { return m.Shapes[name] }

// Input returns an operation's input structure, or nil when it takes none.
func (m *Service) Input(op string) *Shape {
	o := m.Operations[op]
	if o == nil || o.Input == nil {
		return nil
	}
	return m.Shapes[o.Input.Shape]
}

// Versions lists the model versions of service under dir, newest last.
func Versions(dir, service string) ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(dir, service))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		for _, f := range []string{"service-2.json.gz", "service-2.json"} {
			if _, err := os.Stat(filepath.Join(dir, service, e.Name(), f)); err == nil {
				out = append(out, e.Name())
				break
			}
		}
	}
	sort.Strings(out) // versions are dates: lexical order is age
	return out, nil
}

// LoadService reads the newest model of service under dir.
func LoadService(dir, service string) (*Service, error) {
	vs, err := Versions(dir, service)
	if err != nil || len(vs) == 0 {
		return nil, fmt.Errorf("awsmodel: no model of %q in %s", service, dir)
	}
	v := vs[len(vs)-1]
	base := filepath.Join(dir, service, v)
	var r io.Reader
	f, err := os.Open(filepath.Join(base, "service-2.json.gz"))
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Open(filepath.Join(base, "service-2.json"))
		r = f
	} else if err == nil {
		zr, zerr := gzip.NewReader(f)
		if zerr != nil {
			f.Close()
			return nil, fmt.Errorf("awsmodel: %s/%s: %v", service, v, zerr)
		}
		r = zr
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := Parse(r)
	if err != nil {
		return nil, fmt.Errorf("awsmodel: %s/%s: %v", service, v, err)
	}
	m.Name, m.Version = service, v
	return m, nil
}

// Parse decodes a service-2.json document.
func Parse(r io.Reader) (*Service, error) {
	var m Service
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		return nil, err
	}
	if len(m.Operations) == 0 {
		return nil, errors.New("no operations")
	}
	for name, op := range m.Operations {
		if op == nil {
			return nil, fmt.Errorf("operation %s is null", name)
		}
		if op.Name == "" {
			op.Name = name
		}
	}
	for name, s := range m.Shapes {
		if s == nil {
			return nil, fmt.Errorf("shape %s is null", name)
		}
	}
	return &m, nil
}
