package logs

import (
	"encoding/json"
	"regexp"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- resource policies ----

type putResourcePolicyInput struct {
	PolicyName         string  `json:"policyName"`
	PolicyDocument     string  `json:"policyDocument" min:"1" max:"51200"`
	ResourceArn        string  `json:"resourceArn"`
	ExpectedRevisionId *string `json:"expectedRevisionId" min:"1"`
}

// Validate: a name (account scope) or a resource ARN, and a document.
func (in *putResourcePolicyInput) Validate() error {
	if in.PolicyDocument == "" {
		return awsproto.NotNull(errInvalidParameter, "policyDocument")
	}
	if in.PolicyName == "" && in.ResourceArn == "" {
		return awsproto.NotNull(errInvalidParameter, "policyName")
	}
	return nil
}

type resourcePolicyOut struct {
	PolicyName      string `json:"policyName,omitempty"`
	PolicyDocument  string `json:"policyDocument"`
	LastUpdatedTime int64  `json:"lastUpdatedTime"`
	PolicyScope     string `json:"policyScope"`
	ResourceArn     string `json:"resourceArn,omitempty"`
	RevisionId      string `json:"revisionId,omitempty"`
}

func resourcePolicyOf(p ResourcePolicy) resourcePolicyOut {
	return resourcePolicyOut{PolicyName: p.Name, PolicyDocument: p.Document, LastUpdatedTime: p.Updated, PolicyScope: p.Scope,
		ResourceArn: p.ResourceArn, RevisionId: p.Revision}
}

type putResourcePolicyOutput struct {
	ResourcePolicy resourcePolicyOut `json:"resourcePolicy"`
	RevisionId     string            `json:"revisionId,omitempty"`
}

type describeResourcePoliciesInput struct {
	NextToken   *string `json:"nextToken" min:"1"`
	Limit       *int32  `json:"limit" min:"1" max:"50"`
	ResourceArn string  `json:"resourceArn"`
	PolicyScope string  `json:"policyScope" enum:"ACCOUNT,RESOURCE"`
}

type describeResourcePoliciesOutput struct {
	ResourcePolicies []resourcePolicyOut `json:"resourcePolicies"`
	NextToken        string              `json:"nextToken,omitempty"`
}

type deleteResourcePolicyInput struct {
	PolicyName         string  `json:"policyName"`
	ResourceArn        string  `json:"resourceArn"`
	ExpectedRevisionId *string `json:"expectedRevisionId" min:"1"`
}

func (s *Service) putResourcePolicy(c *awsproto.Call, in *putResourcePolicyInput) (putResourcePolicyOutput, error) {
	p := ResourcePolicy{Name: in.PolicyName, Document: in.PolicyDocument, Scope: "ACCOUNT"}
	if in.ResourceArn != "" {
		p.Scope, p.ResourceArn = "RESOURCE", in.ResourceArn
		if region, name, ok := parseGroupARN(in.ResourceArn); ok {
			if _, err := s.store.Group(region, name); err != nil {
				return putResourcePolicyOutput{}, err
			}
		}
	}
	got, err := s.store.PutResourcePolicy(c.Region, p, deref(in.ExpectedRevisionId), c.RequestID)
	if err != nil {
		return putResourcePolicyOutput{}, err
	}
	return putResourcePolicyOutput{ResourcePolicy: resourcePolicyOf(got), RevisionId: got.Revision}, nil
}

func (s *Service) describeResourcePolicies(c *awsproto.Call, in *describeResourcePoliciesInput) (describeResourcePoliciesOutput, error) {
	ps := s.store.ResourcePolicies(c.Region, in.ResourceArn, in.PolicyScope)
	start, err := pageStart(deref(in.NextToken), len(ps))
	if err != nil {
		return describeResourcePoliciesOutput{}, err
	}
	end := min(len(ps), start+limitOr(in.Limit, 50))
	out := describeResourcePoliciesOutput{ResourcePolicies: []resourcePolicyOut{}, NextToken: pageToken(end, len(ps))}
	for _, p := range ps[start:end] {
		out.ResourcePolicies = append(out.ResourcePolicies, resourcePolicyOf(p))
	}
	return out, nil
}

func (s *Service) deleteResourcePolicy(c *awsproto.Call, in *deleteResourcePolicyInput) (struct{}, error) {
	key := in.PolicyName
	if key == "" {
		key = in.ResourceArn
	}
	return struct{}{}, s.store.DeleteResourcePolicy(c.Region, key, deref(in.ExpectedRevisionId))
}

// ---- data protection policies ----

type groupIdentRequired struct {
	LogGroupIdentifier string `json:"logGroupIdentifier" required:"true" min:"1" max:"2048" pattern:"[\\w#+=/:,.@-]*"`
}

// group finds the group the identifier (a name or an ARN) names.
func (g groupIdentRequired) group(s *Service, region string) (*Group, error) {
	name := g.LogGroupIdentifier
	if r, n, ok := parseGroupARN(name); ok {
		region, name = r, n
	}
	return s.store.Group(region, name)
}

type putDataProtectionPolicyInput struct {
	groupIdentRequired
	PolicyDocument string `json:"policyDocument" required:"true"`
}

type dataProtectionPolicyOutput struct {
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	PolicyDocument     string `json:"policyDocument,omitempty"`
	LastUpdatedTime    int64  `json:"lastUpdatedTime,omitempty"`
}

func (s *Service) putDataProtectionPolicy(c *awsproto.Call, in *putDataProtectionPolicyInput) (dataProtectionPolicyOutput, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return dataProtectionPolicyOutput{}, err
	}
	if !jsonObject(in.PolicyDocument) {
		return dataProtectionPolicyOutput{}, errInvalidParameter.New("Invalid policy document: the document is not valid JSON.")
	}
	p, err := g.SetPolicy(DataProtectionPolicy, "", in.PolicyDocument)
	if err != nil {
		return dataProtectionPolicyOutput{}, err
	}
	return dataProtectionPolicyOutput{LogGroupIdentifier: in.LogGroupIdentifier, PolicyDocument: p.Document, LastUpdatedTime: p.Updated}, nil
}

func (s *Service) getDataProtectionPolicy(c *awsproto.Call, in *groupIdentRequired) (dataProtectionPolicyOutput, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return dataProtectionPolicyOutput{}, err
	}
	out := dataProtectionPolicyOutput{LogGroupIdentifier: in.LogGroupIdentifier}
	if p, ok := g.Policy(DataProtectionPolicy); ok {
		out.PolicyDocument, out.LastUpdatedTime = p.Document, p.Updated
	}
	return out, nil
}

func (s *Service) deleteDataProtectionPolicy(c *awsproto.Call, in *groupIdentRequired) (struct{}, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	if !g.DeletePolicy(DataProtectionPolicy) {
		return struct{}{}, errResourceNotFound.New("The specified data protection policy does not exist.")
	}
	return struct{}{}, nil
}

// ---- account policies ----

type putAccountPolicyInput struct {
	PolicyName        string `json:"policyName" required:"true"`
	PolicyDocument    string `json:"policyDocument" required:"true"`
	PolicyType        string `json:"policyType" required:"true" enum:"DATA_PROTECTION_POLICY,SUBSCRIPTION_FILTER_POLICY,FIELD_INDEX_POLICY,TRANSFORMER_POLICY,METRIC_EXTRACTION_POLICY"`
	Scope             string `json:"scope" enum:"ALL"`
	SelectionCriteria string `json:"selectionCriteria"`
}

type accountPolicyOut struct {
	PolicyName        string `json:"policyName"`
	PolicyDocument    string `json:"policyDocument"`
	LastUpdatedTime   int64  `json:"lastUpdatedTime"`
	PolicyType        string `json:"policyType"`
	Scope             string `json:"scope"`
	SelectionCriteria string `json:"selectionCriteria,omitempty"`
	AccountId         string `json:"accountId"`
}

type putAccountPolicyOutput struct {
	AccountPolicy accountPolicyOut `json:"accountPolicy"`
}

type describeAccountPoliciesInput struct {
	PolicyType         string   `json:"policyType" required:"true" enum:"DATA_PROTECTION_POLICY,SUBSCRIPTION_FILTER_POLICY,FIELD_INDEX_POLICY,TRANSFORMER_POLICY,METRIC_EXTRACTION_POLICY"`
	PolicyName         string   `json:"policyName"`
	AccountIdentifiers []string `json:"accountIdentifiers" max:"20"`
	NextToken          *string  `json:"nextToken" min:"1"`
}

type describeAccountPoliciesOutput struct {
	AccountPolicies []accountPolicyOut `json:"accountPolicies"`
	NextToken       string             `json:"nextToken,omitempty"`
}

type deleteAccountPolicyInput struct {
	PolicyName string `json:"policyName" required:"true"`
	PolicyType string `json:"policyType" required:"true" enum:"DATA_PROTECTION_POLICY,SUBSCRIPTION_FILTER_POLICY,FIELD_INDEX_POLICY,TRANSFORMER_POLICY,METRIC_EXTRACTION_POLICY"`
}

func (s *Service) accountPolicyOf(p AccountPolicy) accountPolicyOut {
	return accountPolicyOut{PolicyName: p.Name, PolicyDocument: p.Document, LastUpdatedTime: p.Updated, PolicyType: p.Type,
		Scope: p.Scope, SelectionCriteria: p.Selection, AccountId: s.env.Account}
}

func (s *Service) putAccountPolicy(c *awsproto.Call, in *putAccountPolicyInput) (putAccountPolicyOutput, error) {
	if !jsonObject(in.PolicyDocument) {
		return putAccountPolicyOutput{}, errInvalidParameter.New("Invalid policy document: the document is not valid JSON.")
	}
	scope := in.Scope
	if scope == "" {
		scope = "ALL"
	}
	p, err := s.store.PutAccountPolicy(c.Region, AccountPolicy{Name: in.PolicyName, Document: in.PolicyDocument, Type: in.PolicyType,
		Scope: scope, Selection: in.SelectionCriteria})
	if err != nil {
		return putAccountPolicyOutput{}, err
	}
	return putAccountPolicyOutput{AccountPolicy: s.accountPolicyOf(p)}, nil
}

func (s *Service) describeAccountPolicies(c *awsproto.Call, in *describeAccountPoliciesInput) (describeAccountPoliciesOutput, error) {
	ps := s.store.AccountPolicies(c.Region, in.PolicyType, in.PolicyName)
	start, err := pageStart(deref(in.NextToken), len(ps))
	if err != nil {
		return describeAccountPoliciesOutput{}, err
	}
	end := min(len(ps), start+50)
	out := describeAccountPoliciesOutput{AccountPolicies: []accountPolicyOut{}, NextToken: pageToken(end, len(ps))}
	for _, p := range ps[start:end] {
		out.AccountPolicies = append(out.AccountPolicies, s.accountPolicyOf(p))
	}
	return out, nil
}

func (s *Service) deleteAccountPolicy(c *awsproto.Call, in *deleteAccountPolicyInput) (struct{}, error) {
	return struct{}{}, s.store.DeleteAccountPolicy(c.Region, in.PolicyType, in.PolicyName)
}

// ---- destinations ----

type putDestinationInput struct {
	DestinationName string            `json:"destinationName" required:"true" min:"1" max:"512" pattern:"[^:*]*"`
	TargetArn       string            `json:"targetArn" required:"true" min:"1"`
	RoleArn         string            `json:"roleArn" required:"true" min:"1"`
	Tags            map[string]string `json:"tags" min:"1" max:"50"`
}

type destinationOut struct {
	DestinationName string `json:"destinationName"`
	TargetArn       string `json:"targetArn"`
	RoleArn         string `json:"roleArn"`
	AccessPolicy    string `json:"accessPolicy,omitempty"`
	Arn             string `json:"arn"`
	CreationTime    int64  `json:"creationTime"`
}

type putDestinationOutput struct {
	Destination destinationOut `json:"destination"`
}

type putDestinationPolicyInput struct {
	DestinationName string `json:"destinationName" required:"true" min:"1" max:"512" pattern:"[^:*]*"`
	AccessPolicy    string `json:"accessPolicy" required:"true" min:"1"`
	ForceUpdate     bool   `json:"forceUpdate"`
}

type describeDestinationsInput struct {
	DestinationNamePrefix *string `json:"DestinationNamePrefix" min:"1" max:"512" pattern:"[^:*]*"`
	NextToken             *string `json:"nextToken" min:"1"`
	Limit                 *int32  `json:"limit" min:"1" max:"50"`
}

type describeDestinationsOutput struct {
	Destinations []destinationOut `json:"destinations"`
	NextToken    string           `json:"nextToken,omitempty"`
}

type destinationRef struct {
	DestinationName string `json:"destinationName" required:"true" min:"1" max:"512" pattern:"[^:*]*"`
}

func (s *Service) destinationOf(region string, d Destination) destinationOut {
	return destinationOut{DestinationName: d.Name, TargetArn: d.Target, RoleArn: d.Role, AccessPolicy: d.Policy,
		Arn: "arn:aws:logs:" + region + ":" + s.env.Account + ":destination:" + d.Name, CreationTime: d.Created}
}

func (s *Service) putDestination(c *awsproto.Call, in *putDestinationInput) (putDestinationOutput, error) {
	d, err := s.store.PutDestination(c.Region, Destination{Name: in.DestinationName, Target: in.TargetArn, Role: in.RoleArn, Tags: in.Tags})
	if err != nil {
		return putDestinationOutput{}, err
	}
	return putDestinationOutput{Destination: s.destinationOf(c.Region, d)}, nil
}

func (s *Service) putDestinationPolicy(c *awsproto.Call, in *putDestinationPolicyInput) (struct{}, error) {
	if !jsonObject(in.AccessPolicy) {
		return struct{}{}, errInvalidParameter.New("Invalid access policy: the document is not valid JSON.")
	}
	return struct{}{}, s.store.SetDestinationPolicy(c.Region, in.DestinationName, in.AccessPolicy)
}

func (s *Service) describeDestinations(c *awsproto.Call, in *describeDestinationsInput) (describeDestinationsOutput, error) {
	ds := s.store.Destinations(c.Region, deref(in.DestinationNamePrefix))
	start, err := pageStart(deref(in.NextToken), len(ds))
	if err != nil {
		return describeDestinationsOutput{}, err
	}
	end := min(len(ds), start+limitOr(in.Limit, 50))
	out := describeDestinationsOutput{Destinations: []destinationOut{}, NextToken: pageToken(end, len(ds))}
	for _, d := range ds[start:end] {
		out.Destinations = append(out.Destinations, s.destinationOf(c.Region, d))
	}
	return out, nil
}

func (s *Service) deleteDestination(c *awsproto.Call, in *destinationRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteDestination(c.Region, in.DestinationName)
}

// ---- KMS keys and deletion protection ----

type kmsKeyInput struct {
	LogGroupName       string `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	KmsKeyId           string `json:"kmsKeyId" required:"true" max:"256"`
	ResourceIdentifier string `json:"resourceIdentifier" min:"1" max:"2048" pattern:"[\\w+=/:,.@\\-\\*]*"`
}

// Validate: a group name or a resource identifier, one of the two.
func (in *kmsKeyInput) Validate() error {
	return oneTarget(in.LogGroupName, in.ResourceIdentifier)
}

type disassociateKmsKeyInput struct {
	LogGroupName       string `json:"logGroupName" min:"1" max:"512" pattern:"[\\.\\-_/#A-Za-z0-9]+"`
	ResourceIdentifier string `json:"resourceIdentifier" min:"1" max:"2048" pattern:"[\\w+=/:,.@\\-\\*]*"`
}

// Validate: a group name or a resource identifier, one of the two.
func (in *disassociateKmsKeyInput) Validate() error {
	return oneTarget(in.LogGroupName, in.ResourceIdentifier)
}

func oneTarget(group, resource string) error {
	switch {
	case group != "" && resource != "":
		return errInvalidParameter.New("LogGroupName and ResourceIdentifier are mutually exclusive parameters.")
	case group == "" && resource == "":
		return errInvalidParameter.New("Either LogGroupName or ResourceIdentifier must be specified.")
	}
	return nil
}

// kmsGroup finds the group a KMS call names; a resource identifier that is
// not a log group's ARN (a query-results ARN) has no group.
func (s *Service) kmsGroup(region, group, resource string) (*Group, bool, error) {
	if group == "" {
		r, n, ok := parseGroupARN(resource)
		if !ok {
			return nil, false, nil
		}
		region, group = r, n
	}
	g, err := s.store.Group(region, group)
	return g, true, err
}

func (s *Service) associateKmsKey(c *awsproto.Call, in *kmsKeyInput) (struct{}, error) {
	if !kmsKeyARN.MatchString(in.KmsKeyId) {
		return struct{}{}, errInvalidParameter.Errorf("Specified KMS key %s is not a valid KMS key ARN.", in.KmsKeyId)
	}
	g, ok, err := s.kmsGroup(c.Region, in.LogGroupName, in.ResourceIdentifier)
	if err != nil || !ok {
		return struct{}{}, err
	}
	return struct{}{}, g.SetKMSKey(in.KmsKeyId)
}

func (s *Service) disassociateKmsKey(c *awsproto.Call, in *disassociateKmsKeyInput) (struct{}, error) {
	g, ok, err := s.kmsGroup(c.Region, in.LogGroupName, in.ResourceIdentifier)
	if err != nil || !ok {
		return struct{}{}, err
	}
	return struct{}{}, g.SetKMSKey("")
}

type putDeletionProtectionInput struct {
	groupIdentRequired
	DeletionProtectionEnabled *bool `json:"deletionProtectionEnabled" required:"true"`
}

func (s *Service) putLogGroupDeletionProtection(c *awsproto.Call, in *putDeletionProtectionInput) (struct{}, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, g.SetDeletionProtection(*in.DeletionProtectionEnabled)
}

// kmsKeyARN is what AssociateKmsKey accepts: a KMS key's full ARN.
var kmsKeyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)

// jsonObject reports whether doc is a JSON object.
func jsonObject(doc string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(doc), &m) == nil
}
