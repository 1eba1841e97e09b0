package sns

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
)

// platformState is what SNS keeps for mobile push and SMS: platform
// applications and their endpoints, the account's SMS attributes, opted-out
// phone numbers and the SMS sandbox. It has its own lock; topics do not
// touch it.
type platformState struct {
	mu        sync.Mutex
	apps      map[string]*PlatformApp      // by ARN
	endpoints map[string]*PlatformEndpoint // by ARN
	smsAttrs  map[string]string
	optedOut  map[string]bool
	sandbox   map[string]*sandboxNumber // by phone number
}

// PlatformApp is a platform application (APNS, GCM…).
type PlatformApp struct {
	ARN, Name, Platform, Region string
	attrs                       map[string]string
}

// PlatformEndpoint is a device registered with a platform application.
type PlatformEndpoint struct {
	ARN, AppARN string
	attrs       map[string]string // Token, Enabled, CustomUserData
}

type sandboxNumber struct {
	phone, status, otp string
}

func (p *platformState) reset() {
	p.mu.Lock()
	p.apps = map[string]*PlatformApp{}
	p.endpoints = map[string]*PlatformEndpoint{}
	p.smsAttrs = map[string]string{}
	p.optedOut = map[string]bool{}
	p.sandbox = map[string]*sandboxNumber{}
	p.mu.Unlock()
}

// platforms SNS pushes to.
var platforms = map[string]bool{
	"ADM": true, "APNS": true, "APNS_SANDBOX": true, "APNS_VOIP": true, "APNS_VOIP_SANDBOX": true,
	"BAIDU": true, "GCM": true, "MACOS": true, "MACOS_SANDBOX": true, "MPNS": true, "WNS": true,
}

// secretAppAttributes are taken but never returned.
var secretAppAttributes = map[string]bool{"PlatformCredential": true, "PlatformPrincipal": true}

// appAttributes are the attributes a platform application takes.
var appAttributes = map[string]bool{
	"PlatformCredential": true, "PlatformPrincipal": true, "EventEndpointCreated": true, "EventEndpointDeleted": true,
	"EventEndpointUpdated": true, "EventDeliveryFailure": true, "SuccessFeedbackRoleArn": true, "FailureFeedbackRoleArn": true,
	"SuccessFeedbackSampleRate": true, "ApplePlatformTeamID": true, "ApplePlatformBundleID": true, "AuthenticationMethod": true,
	"Enabled": true,
}

var appNameOK = func(name string) bool {
	if name == "" || len(name) > 256 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

func checkAppAttributes(attrs map[string]string) error {
	for k, v := range attrs {
		if !appAttributes[k] {
			return errInvalidParameter.New("Invalid parameter: Attributes Reason: Invalid attribute name: " + k)
		}
		if k == "Enabled" && v != "true" && v != "false" {
			return errInvalidParameter.New("Invalid parameter: Attributes Reason: Enabled must be true or false")
		}
	}
	return nil
}

// CreatePlatformApplication creates a platform application. The
// credentials are stored, not checked with the platform.
func (s *Store) CreatePlatformApplication(region, name, platform string, attrs map[string]string) (string, error) {
	if !appNameOK(name) {
		return "", errInvalidParameter.New("Invalid parameter: Name Reason: must contain only uppercase and lowercase ASCII letters, numbers, underscores, hyphens, and periods, and must be between 1 and 256 characters long")
	}
	if !platforms[platform] {
		return "", errInvalidParameter.New("Invalid parameter: Platform Reason: " + platform + " is not supported")
	}
	if err := checkAppAttributes(attrs); err != nil {
		return "", err
	}
	if attrs["PlatformCredential"] == "" && platform != "MPNS" {
		return "", errInvalidParameter.New("Invalid parameter: Attributes Reason: PlatformCredential attribute is required")
	}
	arn := "arn:aws:sns:" + region + ":" + s.account + ":app/" + platform + "/" + name
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	a := &PlatformApp{ARN: arn, Name: name, Platform: platform, Region: region, attrs: map[string]string{"Enabled": "true"}}
	if old, ok := p.apps[arn]; ok {
		a = old // creating it again updates it, as AWS does
	}
	for k, v := range attrs {
		a.attrs[k] = v
	}
	p.apps[arn] = a
	return arn, nil
}

func visibleAppAttributes(a *PlatformApp) map[string]string {
	out := make(map[string]string, len(a.attrs))
	for k, v := range a.attrs {
		if !secretAppAttributes[k] {
			out[k] = v
		}
	}
	return out
}

// PlatformApplicationAttributes returns an application's attributes but its
// credentials.
func (s *Store) PlatformApplicationAttributes(arn string) (map[string]string, error) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.apps[arn]
	if !ok {
		return nil, errNotFound.New(msgAppNotFound)
	}
	return visibleAppAttributes(a), nil
}

// SetPlatformApplicationAttributes sets attributes of an application.
func (s *Store) SetPlatformApplicationAttributes(arn string, attrs map[string]string) error {
	if err := checkAppAttributes(attrs); err != nil {
		return err
	}
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.apps[arn]
	if !ok {
		return errNotFound.New(msgAppNotFound)
	}
	for k, v := range attrs {
		a.attrs[k] = v
	}
	return nil
}

// DeletePlatformApplication deletes an application and its endpoints;
// deleting one that does not exist succeeds, as AWS does.
func (s *Store) DeletePlatformApplication(arn string) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.apps, arn)
	for k, e := range p.endpoints {
		if e.AppARN == arn {
			delete(p.endpoints, k)
		}
	}
}

// listPage is how many items a List* call returns at most.
const listPage = 100

// page returns the sorted keys after the token and the next token.
func page(keys []string, after string, n int) ([]string, string) {
	sort.Strings(keys)
	i := sort.SearchStrings(keys, after)
	if after != "" && i < len(keys) && keys[i] == after {
		i++
	}
	keys = keys[i:]
	if len(keys) > n {
		return keys[:n], keys[n-1]
	}
	return keys, ""
}

// ARNAttributes is a resource and its attributes.
type ARNAttributes struct {
	ARN   string
	Attrs map[string]string
}

// ListPlatformApplications lists a region's applications.
func (s *Store) ListPlatformApplications(region, after string) ([]ARNAttributes, string) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := []string{}
	for k, a := range p.apps {
		if a.Region == region {
			keys = append(keys, k)
		}
	}
	keys, next := page(keys, after, listPage)
	out := make([]ARNAttributes, len(keys))
	for i, k := range keys {
		out[i] = ARNAttributes{k, visibleAppAttributes(p.apps[k])}
	}
	return out, next
}

// CreatePlatformEndpoint registers a device token; registering the same
// token with the same attributes returns the same endpoint.
func (s *Store) CreatePlatformEndpoint(appARN, token, userData string, attrs map[string]string) (string, error) {
	for k, v := range attrs {
		switch k {
		case "Enabled":
			if v != "true" && v != "false" {
				return "", errInvalidParameter.New("Invalid parameter: Attributes Reason: Enabled must be true or false")
			}
		case "CustomUserData", "Token":
		default:
			return "", errInvalidParameter.New("Invalid parameter: Attributes Reason: Invalid attribute name: " + k)
		}
	}
	if token == "" {
		return "", errInvalidParameter.New("Invalid parameter: Token Reason: cannot be empty")
	}
	want := map[string]string{"Enabled": "true", "Token": token}
	for k, v := range attrs {
		want[k] = v
	}
	want["Token"] = token
	if userData != "" {
		want["CustomUserData"] = userData
	}
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	a, ok := p.apps[appARN]
	if !ok {
		return "", errNotFound.New(msgAppNotFound)
	}
	for _, e := range p.endpoints {
		if e.AppARN == appARN && e.attrs["Token"] == token {
			if sameAttrs(e.attrs, want) {
				return e.ARN, nil
			}
			return "", errInvalidParameter.New("Invalid parameter: Token Reason: Endpoint " + e.ARN + " already exists with the same Token, but different attributes.")
		}
	}
	arn := strings.Replace(a.ARN, ":app/", ":endpoint/", 1) + "/" + s.newID()
	p.endpoints[arn] = &PlatformEndpoint{ARN: arn, AppARN: appARN, attrs: want}
	return arn, nil
}

func sameAttrs(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// EndpointAttributes returns an endpoint's attributes.
func (s *Store) EndpointAttributes(arn string) (map[string]string, error) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.endpoints[arn]
	if !ok {
		return nil, errNotFound.New(msgEndpointNotFound)
	}
	return copyMap(e.attrs), nil
}

// SetEndpointAttributes sets Token, Enabled or CustomUserData.
func (s *Store) SetEndpointAttributes(arn string, attrs map[string]string) error {
	for k, v := range attrs {
		switch k {
		case "Enabled":
			if v != "true" && v != "false" {
				return errInvalidParameter.New("Invalid parameter: Attributes Reason: Enabled must be true or false")
			}
		case "Token":
			if v == "" {
				return errInvalidParameter.New("Invalid parameter: Token Reason: cannot be empty")
			}
		case "CustomUserData":
		default:
			return errInvalidParameter.New("Invalid parameter: Attributes Reason: Invalid attribute name: " + k)
		}
	}
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.endpoints[arn]
	if !ok {
		return errNotFound.New(msgEndpointNotFound)
	}
	for k, v := range attrs {
		e.attrs[k] = v
	}
	return nil
}

// DeleteEndpoint deletes an endpoint; deleting one that does not exist
// succeeds, as AWS does.
func (s *Store) DeleteEndpoint(arn string) {
	p := &s.platform
	p.mu.Lock()
	delete(p.endpoints, arn)
	p.mu.Unlock()
}

// ListEndpoints lists an application's endpoints.
func (s *Store) ListEndpoints(appARN, after string) ([]ARNAttributes, string, error) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.apps[appARN]; !ok {
		return nil, "", errNotFound.New(msgAppNotFound)
	}
	keys := []string{}
	for k, e := range p.endpoints {
		if e.AppARN == appARN {
			keys = append(keys, k)
		}
	}
	keys, next := page(keys, after, listPage)
	out := make([]ARNAttributes, len(keys))
	for i, k := range keys {
		out[i] = ARNAttributes{k, copyMap(p.endpoints[k].attrs)}
	}
	return out, next, nil
}

// EndpointTarget checks that a message can go to an endpoint: it exists,
// is enabled, and so is its application.
func (s *Store) EndpointTarget(arn string) (token string, err error) {
	p := &s.platform
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.endpoints[arn]
	if !ok {
		return "", errNotFound.New(msgEndpointNotFound)
	}
	if e.attrs["Enabled"] == "false" {
		return "", errEndpointDisabled.New(msgEndpointDisabled)
	}
	if a := p.apps[e.AppARN]; a != nil && a.attrs["Enabled"] == "false" {
		return "", errAppDisabled.New(msgAppDisabled)
	}
	return e.attrs["Token"], nil
}

// ---- topic policy statements

type policyDoc struct {
	Version   string           `json:"Version,omitempty"`
	ID        string           `json:"Id,omitempty"`
	Statement []map[string]any `json:"Statement"`
}

// AddPermission adds a statement labelled label to a topic's policy.
func (s *Store) AddPermission(arn, label string, accounts, actions []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[arn]
	if !ok {
		return errNotFound.New(msgTopicNotFound)
	}
	doc, err := s.policyOf(t)
	if err != nil {
		return err
	}
	for _, st := range doc.Statement {
		if st["Sid"] == label {
			return errInvalidParameter.New(msgStatementExists)
		}
	}
	principals := make([]string, len(accounts))
	for i, a := range accounts {
		principals[i] = "arn:aws:iam::" + a + ":root"
	}
	acts := make([]string, len(actions))
	for i, a := range actions {
		acts[i] = "SNS:" + a
	}
	var principal, action any = principals, acts
	if len(principals) == 1 {
		principal = principals[0]
	}
	if len(acts) == 1 {
		action = acts[0]
	}
	doc.Statement = append(doc.Statement, map[string]any{
		"Sid": label, "Effect": "Allow", "Principal": map[string]any{"AWS": principal}, "Action": action, "Resource": arn,
	})
	b, _ := json.Marshal(doc)
	t.attrs["Policy"] = string(b)
	return nil
}

// RemovePermission removes the statement labelled label.
func (s *Store) RemovePermission(arn, label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.topics[arn]
	if !ok {
		return errNotFound.New(msgTopicNotFound)
	}
	doc, err := s.policyOf(t)
	if err != nil {
		return err
	}
	kept := doc.Statement[:0]
	for _, st := range doc.Statement {
		if st["Sid"] != label {
			kept = append(kept, st)
		}
	}
	doc.Statement = kept
	b, _ := json.Marshal(doc)
	t.attrs["Policy"] = string(b)
	return nil
}

func (s *Store) policyOf(t *Topic) (*policyDoc, error) {
	raw := t.attrs["Policy"]
	if raw == "" {
		raw = defaultTopicPolicy(t.ARN, s.account)
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return nil, errInvalidParameter.New("Invalid parameter: Policy Reason: failed to parse JSON")
	}
	return &doc, nil
}

// ---- data protection

// DataProtectionPolicy returns a topic's data protection policy ("" when
// it has none).
func (s *Store) DataProtectionPolicy(arn string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.topics[arn]
	if !ok {
		return "", errNotFound.New(msgTopicNotFound)
	}
	return t.attrs["DataProtectionPolicy"], nil
}
