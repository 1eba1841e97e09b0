package sns

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- data protection policies

type getDataProtectionPolicyInput struct {
	ResourceArn *string `required:"true"`
}

type getDataProtectionPolicyOutput struct {
	DataProtectionPolicy string `xml:",omitempty"`
}

func (s *Service) getDataProtectionPolicy(c *awsproto.Call, in *getDataProtectionPolicyInput) (getDataProtectionPolicyOutput, error) {
	if err := s.checkARN(c, *in.ResourceArn, "ResourceArn"); err != nil {
		return getDataProtectionPolicyOutput{}, err
	}
	p, err := s.store.DataProtectionPolicy(*in.ResourceArn)
	return getDataProtectionPolicyOutput{DataProtectionPolicy: p}, err
}

type putDataProtectionPolicyInput struct {
	ResourceArn          *string `required:"true"`
	DataProtectionPolicy *string `required:"true"`
}

func (s *Service) putDataProtectionPolicy(c *awsproto.Call, in *putDataProtectionPolicyInput) (struct{}, error) {
	if err := s.checkARN(c, *in.ResourceArn, "ResourceArn"); err != nil {
		return struct{}{}, err
	}
	if !validJSONObject(*in.DataProtectionPolicy) {
		return struct{}{}, errInvalidParameter.New("Invalid parameter: DataProtectionPolicy Reason: failed to parse JSON")
	}
	return struct{}{}, s.store.SetTopicAttribute(*in.ResourceArn, "DataProtectionPolicy", *in.DataProtectionPolicy)
}

// ---- topic permissions

type addPermissionInput struct {
	TopicArn     *string  `required:"true"`
	Label        *string  `required:"true"`
	AWSAccountId []string `required:"true"`
	ActionName   []string `required:"true"`
}

func (s *Service) addPermission(c *awsproto.Call, in *addPermissionInput) (struct{}, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return struct{}{}, err
	}
	if *in.Label == "" || len(*in.Label) > 100 || strings.ContainsFunc(*in.Label, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) {
		return struct{}{}, errInvalidParameter.New("Invalid parameter: Label")
	}
	if len(in.AWSAccountId) == 0 {
		return struct{}{}, errInvalidParameter.New("Invalid parameter: AWSAccountId")
	}
	if len(in.ActionName) == 0 {
		return struct{}{}, errInvalidParameter.New("Invalid parameter: ActionName")
	}
	for _, a := range in.ActionName {
		if !topicActions[a] {
			return struct{}{}, errInvalidParameter.New("Invalid parameter: Policy statement action out of service scope!")
		}
	}
	return struct{}{}, s.store.AddPermission(*in.TopicArn, *in.Label, in.AWSAccountId, in.ActionName)
}

// topicActions are the actions a topic policy statement may allow.
var topicActions = map[string]bool{
	"GetTopicAttributes": true, "SetTopicAttributes": true, "AddPermission": true, "RemovePermission": true,
	"DeleteTopic": true, "Subscribe": true, "ListSubscriptionsByTopic": true, "Publish": true, "Receive": true,
}

type removePermissionInput struct {
	TopicArn *string `required:"true"`
	Label    *string `required:"true"`
}

func (s *Service) removePermission(c *awsproto.Call, in *removePermissionInput) (struct{}, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.RemovePermission(*in.TopicArn, *in.Label)
}

// ---- platform applications

type createPlatformApplicationInput struct {
	Name       *string           `required:"true"`
	Platform   *string           `required:"true"`
	Attributes map[string]string `required:"true"`
}

type createPlatformApplicationOutput struct {
	PlatformApplicationArn string
}

func (s *Service) createPlatformApplication(c *awsproto.Call, in *createPlatformApplicationInput) (createPlatformApplicationOutput, error) {
	arn, err := s.store.CreatePlatformApplication(c.Region, *in.Name, *in.Platform, in.Attributes)
	return createPlatformApplicationOutput{PlatformApplicationArn: arn}, err
}

type platformAppInput struct {
	PlatformApplicationArn *string `required:"true"`
}

func (s *Service) getPlatformApplicationAttributes(c *awsproto.Call, in *platformAppInput) (attributesOutput, error) {
	attrs, err := s.store.PlatformApplicationAttributes(*in.PlatformApplicationArn)
	if err != nil {
		return attributesOutput{}, err
	}
	return attributesOutput{Attributes: entries(attrs)}, nil
}

type setPlatformApplicationAttributesInput struct {
	PlatformApplicationArn *string           `required:"true"`
	Attributes             map[string]string `required:"true"`
}

func (s *Service) setPlatformApplicationAttributes(c *awsproto.Call, in *setPlatformApplicationAttributesInput) (struct{}, error) {
	return struct{}{}, s.store.SetPlatformApplicationAttributes(*in.PlatformApplicationArn, in.Attributes)
}

func (s *Service) deletePlatformApplication(c *awsproto.Call, in *platformAppInput) (struct{}, error) {
	s.store.DeletePlatformApplication(*in.PlatformApplicationArn)
	return struct{}{}, nil
}

type platformAppMember struct {
	PlatformApplicationArn string
	Attributes             []entryXML `xml:"Attributes>entry"`
}

type listPlatformApplicationsOutput struct {
	PlatformApplications []platformAppMember `xml:"PlatformApplications>member"`
	NextToken            string              `xml:",omitempty"`
}

func (s *Service) listPlatformApplications(c *awsproto.Call, in *listInput) (listPlatformApplicationsOutput, error) {
	after := ""
	if in.NextToken != nil {
		after = *in.NextToken
	}
	apps, next := s.store.ListPlatformApplications(c.Region, after)
	out := listPlatformApplicationsOutput{PlatformApplications: make([]platformAppMember, len(apps)), NextToken: next}
	for i, a := range apps {
		out.PlatformApplications[i] = platformAppMember{a.ARN, entries(a.Attrs)}
	}
	return out, nil
}

// ---- endpoints

type createPlatformEndpointInput struct {
	PlatformApplicationArn *string `required:"true"`
	Token                  *string `required:"true"`
	CustomUserData         *string
	Attributes             map[string]string
}

type createPlatformEndpointOutput struct {
	EndpointArn string
}

func (s *Service) createPlatformEndpoint(c *awsproto.Call, in *createPlatformEndpointInput) (createPlatformEndpointOutput, error) {
	data := ""
	if in.CustomUserData != nil {
		data = *in.CustomUserData
	}
	arn, err := s.store.CreatePlatformEndpoint(*in.PlatformApplicationArn, *in.Token, data, in.Attributes)
	return createPlatformEndpointOutput{EndpointArn: arn}, err
}

type endpointInput struct {
	EndpointArn *string `required:"true"`
}

func (s *Service) getEndpointAttributes(c *awsproto.Call, in *endpointInput) (attributesOutput, error) {
	attrs, err := s.store.EndpointAttributes(*in.EndpointArn)
	if err != nil {
		return attributesOutput{}, err
	}
	return attributesOutput{Attributes: entries(attrs)}, nil
}

type setEndpointAttributesInput struct {
	EndpointArn *string           `required:"true"`
	Attributes  map[string]string `required:"true"`
}

func (s *Service) setEndpointAttributes(c *awsproto.Call, in *setEndpointAttributesInput) (struct{}, error) {
	return struct{}{}, s.store.SetEndpointAttributes(*in.EndpointArn, in.Attributes)
}

func (s *Service) deleteEndpoint(c *awsproto.Call, in *endpointInput) (struct{}, error) {
	s.store.DeleteEndpoint(*in.EndpointArn)
	return struct{}{}, nil
}

type listEndpointsInput struct {
	PlatformApplicationArn *string `required:"true"`
	NextToken              *string
}

type endpointMember struct {
	EndpointArn string
	Attributes  []entryXML `xml:"Attributes>entry"`
}

type listEndpointsOutput struct {
	Endpoints []endpointMember `xml:"Endpoints>member"`
	NextToken string           `xml:",omitempty"`
}

func (s *Service) listEndpointsByPlatformApplication(c *awsproto.Call, in *listEndpointsInput) (listEndpointsOutput, error) {
	after := ""
	if in.NextToken != nil {
		after = *in.NextToken
	}
	eps, next, err := s.store.ListEndpoints(*in.PlatformApplicationArn, after)
	if err != nil {
		return listEndpointsOutput{}, err
	}
	out := listEndpointsOutput{Endpoints: make([]endpointMember, len(eps)), NextToken: next}
	for i, e := range eps {
		out.Endpoints[i] = endpointMember{e.ARN, entries(e.Attrs)}
	}
	return out, nil
}

// isEndpointARN reports whether a Publish target is a platform endpoint.
func isEndpointARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && strings.HasPrefix(parts[5], "endpoint/")
}

// platformOf is the platform of an endpoint ARN (…:endpoint/GCM/app/id),
// the key of its body in a MessageStructure=json message.
func platformOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	p := strings.Split(parts[5], "/")
	if len(p) < 2 {
		return ""
	}
	return p[1]
}
