package awsproto

import (
	"net/http"
	"net/url"
	"sync"

	"github.com/groundstack/groundstack/harness/awsmodel"
)

// ErrNotImplemented answers an operation of a service's AWS model that
// groundstack does not serve: 501, naming it.
var ErrNotImplemented = Code{"NotImplemented", http.StatusNotImplemented}

// msgNotImplemented names an operation of the model the API does not serve.
const msgNotImplemented = "The operation %s of service %s is not implemented by groundstack"

// The models are read only for a request no operation serves: the data
// directory is located on the first such request (never at start-up,
// which must stay fast; the emulator may run with no botocore at all) and
// each service's model is loaded once, then only what routing needs is kept.
var (
	modelsDir = sync.OnceValues(awsmodel.Locate)
	indexes   sync.Map // model name → *modelIndex
)

// modelIndex is what a model says about routing: its operations and, for
// rest protocols, the model itself for matching (the rest models, S3's
// and Lambda's, are the small ones).
type modelIndex struct {
	failed  bool // no model: asked once, not again
	version string
	ops     map[string]bool
	rest    *awsmodel.Service
}

// model returns the index of the API's model, or nil when it cannot be read.
func (a *API) model() *modelIndex {
	if a.Model == "" {
		return nil
	}
	if v, ok := indexes.Load(a.Model); ok {
		if idx := v.(*modelIndex); !idx.failed {
			return idx
		}
		return nil
	}
	dir, err := modelsDir()
	if err != nil {
		return nil
	}
	m, err := awsmodel.LoadService(dir, a.Model)
	if err != nil {
		if a.Log != nil {
			a.Log.Warn("awsproto: no model to name an operation groundstack does not serve", "service", a.Model, "err", err)
		}
		indexes.Store(a.Model, &modelIndex{failed: true})
		return nil
	}
	idx := &modelIndex{version: m.Metadata.APIVersion, ops: make(map[string]bool, len(m.Operations))}
	for name := range m.Operations {
		idx.ops[name] = true
	}
	if a.Protocol == RestJSON || a.Protocol == RestXML {
		idx.rest = m
	}
	v, _ := indexes.LoadOrStore(a.Model, idx)
	return v.(*modelIndex)
}

// unknownAction is the query protocols' error for an Action in no model.
func (a *API) unknownAction(action, version string) *Error {
	if a.Protocol == EC2Query {
		return ErrInvalidAction.Errorf("The action %s is not valid for this web service.", action)
	}
	if version == "" {
		if m := a.model(); m != nil {
			version = m.version
		}
	}
	return ErrInvalidAction.Errorf("Could not find operation %s for version %s", action, version)
}

// unservedOp is the error for an operation the API does not serve, named
// by a request (awsJson target, query Action, RPC v2 CBOR path):
// NotImplemented when the API's model has it, else nil.
func (a *API) unservedOp(name string) *Error {
	if m := a.model(); m != nil && m.ops[name] {
		return a.NotImplemented(name)
	}
	return nil
}

// NotImplemented is the error for op, an operation of the API's model it
// does not serve.
func (a *API) NotImplemented(op string) *Error {
	return ErrNotImplemented.Errorf(msgNotImplemented, op, a.Model)
}

// ModelOperation names the operation of the API's rest model a request
// addresses (method, path as the model sees it, query, headers); found is
// false when no model can be read or none of its operations matches. S3,
// which routes itself, asks it for the requests it refuses; path then puts
// a bucket named in Host first.
func (a *API) ModelOperation(r *http.Request, path string) (name string, found bool) {
	m := a.model()
	if m == nil || m.rest == nil {
		return "", false
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	op, ok := m.rest.MatchREST(r.Method, path, q, r.Header)
	if !ok {
		return "", false
	}
	return op.Name, true
}

// unservedRest is the error for a rest request no served route takes:
// NotImplemented naming the model's operation for it; or, when no model
// can be read (no botocore where the emulator runs), NotImplemented naming
// its method and path. nil when the model has no such operation (or names
// one the API serves, on a path its routes do not take): the request is
// then the API's to refuse as AWS does.
func (a *API) unservedRest(r *http.Request) *Error {
	if a.Model == "" {
		return nil
	}
	if m := a.model(); m == nil || m.rest == nil {
		return ErrNotImplemented.Errorf("The request %s %s of service %s is not implemented by groundstack", r.Method, r.URL.EscapedPath(), a.Model)
	}
	name, ok := a.ModelOperation(r, r.URL.EscapedPath())
	if !ok || a.ops[name] != nil {
		return nil
	}
	return a.NotImplemented(name)
}
