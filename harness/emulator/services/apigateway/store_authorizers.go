package apigateway

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/services/execapi"
)

// Authorizer is a Lambda (TOKEN or REQUEST) or Cognito authorizer of an
// API. Deployments copy them: a change takes effect at the next deployment.
type Authorizer struct {
	ID                           string
	Name                         string
	Type                         string // TOKEN, REQUEST, COGNITO_USER_POOLS
	ProviderARNs                 []string
	AuthType                     string
	URI                          string
	Credentials                  string
	IdentitySource               string
	IdentityValidationExpression string
	TTL                          int // authorizerResultTtlInSeconds; 0 disables the cache

	validation *regexp.Regexp // IdentityValidationExpression, compiled
}

// DefaultAuthorizerTTL is authorizerResultTtlInSeconds when not given.
const DefaultAuthorizerTTL = 300

var authorizerTypes = []string{"TOKEN", "REQUEST", "COGNITO_USER_POOLS"}

var errAuthorizerNotFound = ErrNotFound.New("Invalid Authorizer identifier specified")

// check applies CreateAuthorizer's rules (UpdateAuthorizer's result must
// pass them too) and compiles the validation expression.
func (z *Authorizer) check() error {
	if z.Name == "" {
		return ErrBadRequest.New("Authorizer name must be non-empty")
	}
	if !slices.Contains(authorizerTypes, z.Type) {
		return ErrBadRequest.New("Invalid authorizer type specified. Valid options are TOKEN,REQUEST,COGNITO_USER_POOLS")
	}
	if z.TTL < 0 || z.TTL > 3600 {
		return ErrBadRequest.New("Invalid authorizer TTL specified: must be between 0 and 3600 seconds")
	}
	z.validation = nil
	switch z.Type {
	case "COGNITO_USER_POOLS":
		if len(z.ProviderARNs) == 0 {
			return ErrBadRequest.New("ProviderARNs need to be specified for the COGNITO_USER_POOLS authorizer type")
		}
		return nil
	case "TOKEN":
		if _, ok := strings.CutPrefix(z.IdentitySource, "method.request.header."); !ok || strings.Contains(z.IdentitySource, ",") {
			return ErrBadRequest.New("Invalid identity source specified: a TOKEN authorizer takes one method.request.header.{name}")
		}
		if z.IdentityValidationExpression != "" {
			re, err := regexp.Compile("^(?:" + z.IdentityValidationExpression + ")$")
			if err != nil {
				return ErrBadRequest.New("Invalid identity validation expression specified: " + z.IdentityValidationExpression)
			}
			z.validation = re
		}
	case "REQUEST":
		if z.IdentitySource == "" && z.TTL > 0 {
			return ErrBadRequest.New("Identity source is required when authorizer caching is enabled")
		}
		for _, src := range identitySources(z.IdentitySource) {
			if !validIdentitySource(src) {
				return ErrBadRequest.New("Invalid identity source specified: " + src)
			}
		}
	}
	if _, ok := execapi.LambdaFunctionOf(z.URI); !ok {
		return ErrBadRequest.New("Invalid Authorizer URI specified: " + z.URI)
	}
	return nil
}

// identitySources splits a REQUEST authorizer's comma-separated sources.
func identitySources(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func validIdentitySource(src string) bool {
	for _, prefix := range []string{"method.request.header.", "method.request.querystring.", "method.request.multivalueheader.", "method.request.multivaluequerystring.", "stageVariables.", "context."} {
		if rest, ok := strings.CutPrefix(src, prefix); ok && rest != "" {
			return true
		}
	}
	return false
}

// CreateAuthorizer adds an authorizer to the API.
func (a *API) CreateAuthorizer(s *Store, z *Authorizer) error {
	if err := z.check(); err != nil {
		return err
	}
	for {
		z.ID = s.shortID(6)
		if a.authorizers[z.ID] == nil {
			break
		}
	}
	a.authorizers[z.ID] = z
	return nil
}

// Authorizer returns an authorizer.
func (a *API) Authorizer(id string) (*Authorizer, error) {
	z := a.authorizers[id]
	if z == nil {
		return nil, errAuthorizerNotFound
	}
	return z, nil
}

// Authorizers lists the API's authorizers by name, then id.
func (a *API) Authorizers() []*Authorizer {
	out := make([]*Authorizer, 0, len(a.authorizers))
	for _, z := range a.authorizers {
		out = append(out, z)
	}
	sortByNameThenID(out, func(z *Authorizer) (string, string) { return z.Name, z.ID })
	return out
}

// PatchAuthorizer applies UpdateAuthorizer's operations, all or none.
func (a *API) PatchAuthorizer(id string, ops []PatchOp) (*Authorizer, error) {
	z, err := a.Authorizer(id)
	if err != nil {
		return nil, err
	}
	next := *z
	next.ProviderARNs = slices.Clone(z.ProviderARNs)
	for _, op := range ops {
		if err := next.patch(op); err != nil {
			return nil, err
		}
	}
	if err := next.check(); err != nil {
		return nil, err
	}
	*z = next
	return z, nil
}

func (z *Authorizer) patch(op PatchOp) error {
	if op.Path == "/providerARNs" {
		return patchSet(&z.ProviderARNs, op.Value, op, "add")
	}
	if op.Op != "replace" {
		return badPatch(op)
	}
	switch op.Path {
	case "/name":
		z.Name = op.Value
	case "/type":
		z.Type = op.Value
	case "/authType":
		z.AuthType = op.Value
	case "/authorizerUri":
		z.URI = op.Value
	case "/authorizerCredentials":
		z.Credentials = op.Value
	case "/identitySource":
		z.IdentitySource = op.Value
	case "/identityValidationExpression":
		z.IdentityValidationExpression = op.Value
	case "/authorizerResultTtlInSeconds":
		n, err := strconv.Atoi(op.Value)
		if err != nil {
			return ErrBadRequest.Errorf("Invalid value '%s' for path %s", op.Value, op.Path)
		}
		z.TTL = n
	default:
		return badPatch(op)
	}
	return nil
}

// DeleteAuthorizer deletes an authorizer no method uses.
func (a *API) DeleteAuthorizer(id string) error {
	z, err := a.Authorizer(id)
	if err != nil {
		return err
	}
	for _, r := range a.Resources() {
		for _, verb := range sortedKeys(r.Methods) {
			if m := r.Methods[verb]; m.AuthorizerID == id && (m.AuthorizationType == "CUSTOM" || m.AuthorizationType == "COGNITO_USER_POOLS") {
				return ErrConflict.Errorf("Cannot delete authorizer '%s', is referenced in method: %s %s", z.Name, verb, r.Path)
			}
		}
	}
	delete(a.authorizers, id)
	return nil
}

// checkMethodAuth checks a method's authorization settings: CUSTOM and
// COGNITO_USER_POOLS need an authorizer of the API of the matching kind.
func (a *API) checkMethodAuth(m *Method) error {
	switch m.AuthorizationType {
	case "CUSTOM", "COGNITO_USER_POOLS":
		z := a.authorizers[m.AuthorizerID]
		if z == nil || (z.Type == "COGNITO_USER_POOLS") != (m.AuthorizationType == "COGNITO_USER_POOLS") {
			return ErrBadRequest.New("Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
		}
	}
	if m.RequestValidatorID != "" && a.validators[m.RequestValidatorID] == nil {
		return ErrBadRequest.New("Invalid Request Validator identifier specified")
	}
	return nil
}

// --- the authorizer result cache ---------------------------------------------

// authCache remembers Lambda authorizers' verdicts per API, stage,
// authorizer and identity for the authorizer's TTL. It is bounded: past
// maxAuthCache entries, expired ones are swept, then arbitrary ones go.
type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry
}

type authEntry struct {
	result  *authResult
	expires time.Time
}

const maxAuthCache = 10000

func newAuthCache() authCache { return authCache{entries: map[string]authEntry{}} }

func (c *authCache) reset() {
	c.mu.Lock()
	c.entries = map[string]authEntry{}
	c.mu.Unlock()
}

func (c *authCache) get(key string, now time.Time) (*authResult, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	return e.result, true
}

func (c *authCache) put(key string, r *authResult, expires time.Time, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= maxAuthCache {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < maxAuthCache {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = authEntry{result: r, expires: expires}
}
