package iam

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// XMLNS is the namespace of IAM responses.
const XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"

// Service is IAM as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.QueryService
}

// New returns the IAM service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env}
	s.store = NewStore(env.Account, s.entityID)
	s.api = awsproto.QueryService{
		Base:    awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		XMLNS:   XMLNS,
		MaxBody: 1 << 20,
		Ops: map[string]awsproto.QueryOp{
			"CreateRole":                    s.createRole,
			"GetRole":                       s.getRole,
			"ListRoles":                     s.listRoles,
			"DeleteRole":                    s.deleteRole,
			"UpdateRole":                    s.updateRole,
			"UpdateRoleDescription":         s.updateRoleDescription,
			"UpdateAssumeRolePolicy":        s.updateAssumeRolePolicy,
			"TagRole":                       s.tagRole,
			"UntagRole":                     s.untagRole,
			"ListRoleTags":                  s.listRoleTags,
			"CreatePolicy":                  s.createPolicy,
			"GetPolicy":                     s.getPolicy,
			"ListPolicies":                  s.listPolicies,
			"DeletePolicy":                  s.deletePolicy,
			"CreatePolicyVersion":           s.createPolicyVersion,
			"GetPolicyVersion":              s.getPolicyVersion,
			"ListPolicyVersions":            s.listPolicyVersions,
			"DeletePolicyVersion":           s.deletePolicyVersion,
			"SetDefaultPolicyVersion":       s.setDefaultPolicyVersion,
			"AttachRolePolicy":              s.attachRolePolicy,
			"DetachRolePolicy":              s.detachRolePolicy,
			"ListAttachedRolePolicies":      s.listAttachedRolePolicies,
			"PutRolePolicy":                 s.putRolePolicy,
			"GetRolePolicy":                 s.getRolePolicy,
			"ListRolePolicies":              s.listRolePolicies,
			"DeleteRolePolicy":              s.deleteRolePolicy,
			"CreateInstanceProfile":         s.createInstanceProfile,
			"GetInstanceProfile":            s.getInstanceProfile,
			"DeleteInstanceProfile":         s.deleteInstanceProfile,
			"AddRoleToInstanceProfile":      s.addRoleToInstanceProfile,
			"RemoveRoleFromInstanceProfile": s.removeRoleFromInstanceProfile,
			"ListInstanceProfiles":          s.listInstanceProfiles,
			"ListInstanceProfilesForRole":   s.listInstanceProfilesForRole,
		},
	}
	return s
}

func (s *Service) Name() string                { return "iam" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }
func (s *Service) Reset()                      { s.store.Reset() }
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{{Kind: cloud.ByScope, Key: "iam"}}
}
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.api.ServeHTTP(w, r) }

// Summary counts roles, customer managed policies and instance profiles.
func (s *Service) Summary() map[string]any {
	out := map[string]any{}
	for k, v := range s.store.Counts() {
		out[k] = v
	}
	return out
}

// entityID makes an IAM unique ID: a type prefix ("AROA") and 17
// characters derived from the ID source, so fixed IDs give fixed results.
func (s *Service) entityID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(s.env.NewID()))
	out := make([]byte, 17)
	for i := range out {
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return prefix + string(out)
}

// ---- wire shapes ----

// isoTime is IAM's timestamp format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// encodeDocument percent-encodes a policy document as IAM returns it:
// everything but RFC 3986 unreserved characters.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}

type tagXML struct {
	Key   string
	Value string
}

// members is the query protocol's list: <Name><member>…</member>…</Name>.
type members[T any] struct {
	Member []T `xml:"member"`
}

// membersOf renders each item with view.
func membersOf[T, X any](items []T, view func(T) X) members[X] {
	m := members[X]{Member: make([]X, len(items))}
	for i, it := range items {
		m.Member[i] = view(it)
	}
	return m
}

func tagOut(t Tag) tagXML { return tagXML(t) }

func tagsXML(tags []Tag) *members[tagXML] {
	if len(tags) == 0 {
		return nil
	}
	l := membersOf(tags, tagOut)
	return &l
}

type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

type roleLastUsed struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string           `xml:",omitempty"`
	Description              string           `xml:",omitempty"`
	MaxSessionDuration       int              `xml:",omitempty"`
	PermissionsBoundary      *boundaryXML     `xml:",omitempty"`
	Tags                     *members[tagXML] `xml:",omitempty"`
	RoleLastUsed             *roleLastUsed    `xml:",omitempty"`
}

// roleOut renders a role; full adds what only GetRole/CreateRole show.
func roleOut(r Role, full bool) roleXML {
	x := roleXML{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration,
	}
	if full {
		x.Tags = tagsXML(r.Tags)
		x.RoleLastUsed = &roleLastUsed{}
		if r.PermissionsBoundary != "" {
			x.PermissionsBoundary = &boundaryXML{"PermissionsBoundaryPolicy", r.PermissionsBoundary}
		}
	}
	return x
}

// roleSummary is a role as lists show it.
func roleSummary(r Role) roleXML { return roleOut(r, false) }

type roleResult struct {
	Role roleXML
}

type policyXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          *members[tagXML] `xml:",omitempty"`
}

func policyOut(p Policy, withDescription bool) policyXML {
	x := policyXML{
		PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: p.Attachments, IsAttachable: true,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated), Tags: tagsXML(p.Tags),
	}
	if withDescription {
		x.Description = p.Description
	}
	return x
}

type policyResult struct {
	Policy policyXML
}

type policyVersionXML struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

func versionOut(v PolicyVersion, withDoc bool) policyVersionXML {
	x := policyVersionXML{VersionId: v.ID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}
	if withDoc {
		x.Document = encodeDocument(v.Document)
	}
	return x
}

type instanceProfileXML struct {
	Path                string
	InstanceProfileName string
	InstanceProfileId   string
	Arn                 string
	CreateDate          string
	Roles               members[roleXML]
	Tags                *members[tagXML] `xml:",omitempty"`
}

func profileOut(p InstanceProfile) instanceProfileXML {
	return instanceProfileXML{Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID, Arn: p.ARN,
		CreateDate: isoTime(p.Created), Roles: membersOf(p.Roles, roleSummary), Tags: tagsXML(p.Tags)}
}

// ---- validation ----

// constraint is awsproto's wording with IAM's code (ValidationError).
func constraint(value, field, rule string) error {
	return awsproto.Constraint(errValidation, value, field, rule)
}

func required(f awsproto.Form, key, field string) (string, error) {
	if !f.Has(key) {
		return "", awsproto.NotNull(errValidation, field)
	}
	return f.Get(key), nil
}

func checkLen(v, field string, min, max int) error {
	return awsproto.CheckLength(errValidation, v, field, min, max)
}

var namePattern = awsproto.Pattern(`[\w+=,.@-]+`)

// roleName, policyName and profileName read the names most calls take.
func roleName(f awsproto.Form) (string, error)   { return name(f, "RoleName", "roleName", 64) }
func policyName(f awsproto.Form) (string, error) { return name(f, "PolicyName", "policyName", 128) }
func profileName(f awsproto.Form) (string, error) {
	return name(f, "InstanceProfileName", "instanceProfileName", 128)
}

// name reads a required IAM name (role, policy, profile) of at most max bytes.
func name(f awsproto.Form, key, field string, max int) (string, error) {
	v, err := required(f, key, field)
	if err != nil {
		return "", err
	}
	if err := checkLen(v, field, 1, max); err != nil {
		return "", err
	}
	if !validName(v, max) {
		return "", constraint(v, field, namePattern)
	}
	return v, nil
}

// path reads an optional IAM path, "/" by default.
func path(f awsproto.Form, key, field string) (string, error) {
	if !f.Has(key) {
		return "/", nil
	}
	p := f.Get(key)
	if err := checkLen(p, field, 1, 512); err != nil {
		return "", err
	}
	if !validPath(p) {
		return "", constraint(p, field, awsproto.Pattern(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`))
	}
	return p, nil
}

// pathPrefix reads an optional PathPrefix filter.
func pathPrefix(f awsproto.Form) (string, error) {
	if !f.Has("PathPrefix") {
		return "/", nil
	}
	p := f.Get("PathPrefix")
	if err := checkLen(p, "pathPrefix", 1, 512); err != nil {
		return "", err
	}
	if p[0] != '/' {
		return "", constraint(p, "pathPrefix", awsproto.Pattern(`\u002F[\u0021-\u007F]*`))
	}
	return p, nil
}

// document reads a required policy document and checks its structure.
func document(f awsproto.Form, key, field string, k docKind) (string, error) {
	doc, err := required(f, key, field)
	if err != nil {
		return "", err
	}
	if err := checkLen(doc, field, 1, 131072); err != nil {
		return "", err
	}
	if err := checkDocument(doc, k); err != nil {
		return "", wire(err)
	}
	return doc, nil
}

// policyARN reads a required managed policy ARN.
func policyARN(f awsproto.Form) (string, error) {
	arn, err := required(f, "PolicyArn", "policyArn")
	if err != nil {
		return "", err
	}
	if err := checkLen(arn, "policyArn", 20, 2048); err != nil {
		return "", err
	}
	if _, _, _, ok := splitPolicyARN(arn); !ok {
		return "", errInvalidInput.Errorf("ARN %s is not valid.", arn)
	}
	return arn, nil
}

func versionID(f awsproto.Form) (string, error) {
	v, err := required(f, "VersionId", "versionId")
	if err != nil {
		return "", err
	}
	ok := len(v) >= 2 && v[0] == 'v' && v[1] >= '1' && v[1] <= '9'
	for i := 2; ok && i < len(v); i++ {
		ok = v[i] >= '0' && v[i] <= '9'
	}
	if !ok {
		return "", constraint(v, "versionId", awsproto.Pattern(`v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`))
	}
	return v, nil
}

func description(f awsproto.Form) (*string, error) {
	if !f.Has("Description") {
		return nil, nil
	}
	d := f.Get("Description")
	if err := checkLen(d, "description", 0, 1000); err != nil {
		return nil, err
	}
	return &d, nil
}

func tags(f awsproto.Form) ([]Tag, error) {
	list := f.Structs("Tags")
	if len(list) > maxTags {
		return nil, constraint("[...]", "tags", awsproto.MaxLength(maxTags))
	}
	out := make([]Tag, 0, len(list))
	for i, t := range list {
		at := "tags." + strconv.Itoa(i+1) + ".member."
		k, err := required(t, "Key", at+"key")
		if err != nil {
			return nil, err
		}
		if err := checkLen(k, at+"key", 1, 128); err != nil {
			return nil, err
		}
		v := t.Get("Value")
		if err := checkLen(v, at+"value", 0, 256); err != nil {
			return nil, err
		}
		out = append(out, Tag{k, v})
	}
	return out, nil
}

func maxSession(f awsproto.Form) (*int, error) {
	if !f.Has("MaxSessionDuration") {
		return nil, nil
	}
	n, err := f.Int("MaxSessionDuration", 3600)
	if err != nil {
		return nil, err
	}
	if err := awsproto.CheckValue(errValidation, n, "maxSessionDuration", 3600, 43200); err != nil {
		return nil, err
	}
	return &n, nil
}

// ---- paging ----

// pagination ends every IAM list answer: is there more, and where to resume.
type pagination struct {
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

// window cuts one page out of a list for Marker/MaxItems. With keyOf the
// list is sorted by it and the marker is the last key shown; without, the
// marker is an offset.
func window[T any](items []T, keyOf func(T) string, f awsproto.Form) (page []T, more pagination, err error) {
	max, err := f.Int("MaxItems", 100)
	if err != nil {
		return nil, more, err
	}
	if err := awsproto.CheckValue(errValidation, max, "maxItems", 1, 1000); err != nil {
		return nil, more, err
	}
	start := 0
	if f.Has("Marker") {
		raw, derr := base64.RawURLEncoding.DecodeString(f.Get("Marker"))
		m := string(raw)
		switch {
		case derr != nil:
			return nil, more, errValidation.New("Invalid Marker.")
		case keyOf != nil && strings.HasPrefix(m, "k:"):
			last := m[2:]
			start = sort.Search(len(items), func(i int) bool { return keyOf(items[i]) > last })
		case keyOf == nil && strings.HasPrefix(m, "i:"):
			n, perr := strconv.Atoi(m[2:])
			if perr != nil || n < 0 {
				return nil, more, errValidation.New("Invalid Marker.")
			}
			start = min(n, len(items))
		default:
			return nil, more, errValidation.New("Invalid Marker.")
		}
	}
	page = items[start:]
	if len(page) > max {
		page = page[:max]
		more.IsTruncated = true
		if keyOf != nil {
			more.Marker = base64.RawURLEncoding.EncodeToString([]byte("k:" + keyOf(page[len(page)-1])))
		} else {
			more.Marker = base64.RawURLEncoding.EncodeToString([]byte("i:" + strconv.Itoa(start+max)))
		}
	}
	return page, more, nil
}

// ---- roles ----

func (s *Service) createRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	p, err := path(f, "Path", "path")
	if err != nil {
		return nil, err
	}
	doc, err := document(f, "AssumeRolePolicyDocument", "assumeRolePolicyDocument", trustPolicy)
	if err != nil {
		return nil, err
	}
	desc, err := description(f)
	if err != nil {
		return nil, err
	}
	ms, err := maxSession(f)
	if err != nil {
		return nil, err
	}
	tg, err := tags(f)
	if err != nil {
		return nil, err
	}
	in := Role{Name: n, Path: p, TrustPolicy: doc, MaxSessionDuration: 3600, Tags: tg}
	if desc != nil {
		in.Description = *desc
	}
	if ms != nil {
		in.MaxSessionDuration = *ms
	}
	if f.Has("PermissionsBoundary") {
		b := f.Get("PermissionsBoundary")
		if _, _, _, ok := splitPolicyARN(b); !ok {
			return nil, errInvalidInput.Errorf("ARN %s is not valid.", b)
		}
		in.PermissionsBoundary = b
	}
	r, err := s.store.CreateRole(in, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	out := roleOut(r, true)
	out.RoleLastUsed = nil // CreateRole does not report it
	return roleResult{out}, nil
}

func (s *Service) getRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(n)
	if err != nil {
		return nil, wire(err)
	}
	return roleResult{roleOut(r, true)}, nil
}

type listRolesResult struct {
	Roles members[roleXML]
	pagination
}

func (s *Service) listRoles(c *awsproto.Call, f awsproto.Form) (any, error) {
	pp, err := pathPrefix(f)
	if err != nil {
		return nil, err
	}
	page, more, err := window(s.store.ListRoles(pp), func(r Role) string { return key(r.Name) }, f)
	if err != nil {
		return nil, err
	}
	return listRolesResult{Roles: membersOf(page, roleSummary), pagination: more}, nil
}

func (s *Service) deleteRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.DeleteRole(n))
}

func (s *Service) updateRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	desc, err := description(f)
	if err != nil {
		return nil, err
	}
	ms, err := maxSession(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.UpdateRole(n, desc, ms))
}

func (s *Service) updateRoleDescription(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	if _, err := required(f, "Description", "description"); err != nil {
		return nil, err
	}
	desc, err := description(f)
	if err != nil {
		return nil, err
	}
	if err := s.store.UpdateRole(n, desc, nil); err != nil {
		return nil, wire(err)
	}
	r, err := s.store.GetRole(n)
	if err != nil {
		return nil, wire(err)
	}
	return roleResult{roleOut(r, true)}, nil
}

func (s *Service) updateAssumeRolePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	doc, err := document(f, "PolicyDocument", "policyDocument", trustPolicy)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.UpdateTrustPolicy(n, doc))
}

func (s *Service) tagRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	tg, err := tags(f)
	if err != nil {
		return nil, err
	}
	if len(tg) == 0 {
		return nil, awsproto.NotNull(errValidation, "tags")
	}
	return nil, wire(s.store.TagRole(n, tg))
}

func (s *Service) untagRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	keys := f.List("TagKeys")
	if len(keys) == 0 {
		return nil, awsproto.NotNull(errValidation, "tagKeys")
	}
	return nil, wire(s.store.UntagRole(n, keys))
}

type listTagsResult struct {
	Tags members[tagXML]
	pagination
}

func (s *Service) listRoleTags(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(n)
	if err != nil {
		return nil, wire(err)
	}
	page, more, err := window(r.Tags, nil, f)
	if err != nil {
		return nil, err
	}
	return listTagsResult{Tags: membersOf(page, tagOut), pagination: more}, nil
}

// ---- managed policies ----

func managedDocument(f awsproto.Form) (string, error) {
	doc, err := document(f, "PolicyDocument", "policyDocument", identityPolicy)
	if err != nil {
		return "", err
	}
	if policySize(doc) > maxManagedPolicySize {
		return "", errLimitExceeded.Errorf("Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return doc, nil
}

func (s *Service) createPolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := policyName(f)
	if err != nil {
		return nil, err
	}
	p, err := path(f, "Path", "path")
	if err != nil {
		return nil, err
	}
	doc, err := managedDocument(f)
	if err != nil {
		return nil, err
	}
	desc, err := description(f)
	if err != nil {
		return nil, err
	}
	tg, err := tags(f)
	if err != nil {
		return nil, err
	}
	in := Policy{Name: n, Path: p, Tags: tg}
	if desc != nil {
		in.Description = *desc
	}
	pol, err := s.store.CreatePolicy(in, doc, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return policyResult{policyOut(pol, false)}, nil
}

func (s *Service) getPolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	p, err := s.store.GetPolicy(arn)
	if err != nil {
		return nil, wire(err)
	}
	return policyResult{policyOut(p, true)}, nil
}

type listPoliciesResult struct {
	Policies members[policyXML]
	pagination
}

func (s *Service) listPolicies(c *awsproto.Call, f awsproto.Form) (any, error) {
	scope := "All"
	if f.Has("Scope") {
		scope = f.Get("Scope")
		if scope != "All" && scope != "AWS" && scope != "Local" {
			return nil, constraint(scope, "scope", awsproto.EnumSet("All", "AWS", "Local"))
		}
	}
	pp, err := pathPrefix(f)
	if err != nil {
		return nil, err
	}
	if pu := f.Get("PolicyUsageFilter"); pu != "" && pu != "PermissionsPolicy" && pu != "PermissionsBoundary" {
		return nil, constraint(pu, "policyUsageFilter", awsproto.EnumSet("PermissionsPolicy", "PermissionsBoundary"))
	}
	only := f.Get("OnlyAttached") == "true"
	list := s.store.ListPolicies(scope, pp, only)
	page, more, err := window(list, func(p Policy) string { return p.Name + "\x00" + p.ARN }, f)
	if err != nil {
		return nil, err
	}
	// ListPolicies shows neither descriptions nor tags.
	summary := func(p Policy) policyXML {
		x := policyOut(p, false)
		x.Tags = nil
		return x
	}
	return listPoliciesResult{Policies: membersOf(page, summary), pagination: more}, nil
}

func (s *Service) deletePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.DeletePolicy(arn))
}

type policyVersionResult struct {
	PolicyVersion policyVersionXML
}

func (s *Service) createPolicyVersion(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	doc, err := managedDocument(f)
	if err != nil {
		return nil, err
	}
	v, err := s.store.CreatePolicyVersion(arn, doc, f.Get("SetAsDefault") == "true", s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return policyVersionResult{versionOut(v, false)}, nil
}

func (s *Service) getPolicyVersion(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	id, err := versionID(f)
	if err != nil {
		return nil, err
	}
	v, err := s.store.GetPolicyVersion(arn, id)
	if err != nil {
		return nil, wire(err)
	}
	return policyVersionResult{versionOut(v, true)}, nil
}

type listPolicyVersionsResult struct {
	Versions members[policyVersionXML]
	pagination
}

func (s *Service) listPolicyVersions(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	vs, err := s.store.ListPolicyVersions(arn)
	if err != nil {
		return nil, wire(err)
	}
	page, more, err := window(vs, nil, f)
	if err != nil {
		return nil, err
	}
	summary := func(v PolicyVersion) policyVersionXML { return versionOut(v, false) }
	return listPolicyVersionsResult{Versions: membersOf(page, summary), pagination: more}, nil
}

func (s *Service) deletePolicyVersion(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	id, err := versionID(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.DeletePolicyVersion(arn, id))
}

func (s *Service) setDefaultPolicyVersion(c *awsproto.Call, f awsproto.Form) (any, error) {
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	id, err := versionID(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.SetDefaultPolicyVersion(arn, id, s.env.Now()))
}

// ---- attachments ----

func (s *Service) attachRolePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.AttachRolePolicy(n, arn))
}

func (s *Service) detachRolePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	arn, err := policyARN(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.DetachRolePolicy(n, arn))
}

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type listAttachedResult struct {
	AttachedPolicies members[attachedPolicyXML]
	pagination
}

func (s *Service) listAttachedRolePolicies(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := roleName(f)
	if err != nil {
		return nil, err
	}
	pp, err := pathPrefix(f)
	if err != nil {
		return nil, err
	}
	list, err := s.store.AttachedRolePolicies(n, pp)
	if err != nil {
		return nil, wire(err)
	}
	page, more, err := window(list, nil, f)
	if err != nil {
		return nil, err
	}
	attached := func(p AttachedPolicy) attachedPolicyXML { return attachedPolicyXML{p.Name, p.ARN} }
	return listAttachedResult{AttachedPolicies: membersOf(page, attached), pagination: more}, nil
}

// ---- inline role policies ----

func (s *Service) putRolePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	pn, err := policyName(f)
	if err != nil {
		return nil, err
	}
	doc, err := document(f, "PolicyDocument", "policyDocument", identityPolicy)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.PutRolePolicy(rn, pn, doc))
}

type getRolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

func (s *Service) getRolePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	pn, err := policyName(f)
	if err != nil {
		return nil, err
	}
	r, doc, err := s.store.GetRolePolicy(rn, pn)
	if err != nil {
		return nil, wire(err)
	}
	return getRolePolicyResult{RoleName: r.Name, PolicyName: pn, PolicyDocument: encodeDocument(doc)}, nil
}

type listRolePoliciesResult struct {
	PolicyNames members[string]
	pagination
}

func (s *Service) listRolePolicies(c *awsproto.Call, f awsproto.Form) (any, error) {
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	names, err := s.store.RolePolicyNames(rn)
	if err != nil {
		return nil, wire(err)
	}
	page, more, err := window(names, func(n string) string { return n }, f)
	if err != nil {
		return nil, err
	}
	return listRolePoliciesResult{PolicyNames: members[string]{page}, pagination: more}, nil
}

func (s *Service) deleteRolePolicy(c *awsproto.Call, f awsproto.Form) (any, error) {
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	pn, err := policyName(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.DeleteRolePolicy(rn, pn))
}

// ---- instance profiles ----

type instanceProfileResult struct {
	InstanceProfile instanceProfileXML
}

func (s *Service) createInstanceProfile(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := profileName(f)
	if err != nil {
		return nil, err
	}
	p, err := path(f, "Path", "path")
	if err != nil {
		return nil, err
	}
	tg, err := tags(f)
	if err != nil {
		return nil, err
	}
	ip, err := s.store.CreateInstanceProfile(InstanceProfile{Name: n, Path: p, Tags: tg}, s.env.Now())
	if err != nil {
		return nil, wire(err)
	}
	return instanceProfileResult{profileOut(ip)}, nil
}

func (s *Service) getInstanceProfile(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := profileName(f)
	if err != nil {
		return nil, err
	}
	ip, err := s.store.GetInstanceProfile(n)
	if err != nil {
		return nil, wire(err)
	}
	return instanceProfileResult{profileOut(ip)}, nil
}

func (s *Service) deleteInstanceProfile(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := profileName(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.DeleteInstanceProfile(n))
}

func (s *Service) addRoleToInstanceProfile(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := profileName(f)
	if err != nil {
		return nil, err
	}
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.AddRoleToInstanceProfile(n, rn))
}

func (s *Service) removeRoleFromInstanceProfile(c *awsproto.Call, f awsproto.Form) (any, error) {
	n, err := profileName(f)
	if err != nil {
		return nil, err
	}
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	return nil, wire(s.store.RemoveRoleFromInstanceProfile(n, rn))
}

type listProfilesResult struct {
	InstanceProfiles members[instanceProfileXML]
	pagination
}

func (s *Service) listProfiles(f awsproto.Form, pp, role string) (any, error) {
	list, err := s.store.InstanceProfiles(pp, role)
	if err != nil {
		return nil, wire(err)
	}
	page, more, err := window(list, func(p InstanceProfile) string { return key(p.Name) }, f)
	if err != nil {
		return nil, err
	}
	return listProfilesResult{InstanceProfiles: membersOf(page, profileOut), pagination: more}, nil
}

func (s *Service) listInstanceProfiles(c *awsproto.Call, f awsproto.Form) (any, error) {
	pp, err := pathPrefix(f)
	if err != nil {
		return nil, err
	}
	return s.listProfiles(f, pp, "")
}

func (s *Service) listInstanceProfilesForRole(c *awsproto.Call, f awsproto.Form) (any, error) {
	rn, err := roleName(f)
	if err != nil {
		return nil, err
	}
	return s.listProfiles(f, "/", rn)
}
