package sns

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// xmlns is the namespace of SNS's responses.
const xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"

// maxRequestBody bounds a request: a batch of ten messages of 256 KiB,
// form-encoded (up to three bytes per byte), with room for attributes.
const maxRequestBody = 4 << 20

// dataPlanePrefix is where the emulator serves what SNS hands out as URLs:
// the signing certificate, SubscribeURL and UnsubscribeURL.
const dataPlanePrefix = "/_aws/sns/"

// Service is Amazon SNS as the edge sees it.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
	sign  signer
	out   *deliverer

	recorded recorder

	closeOnce sync.Once
}

// New returns the SNS service.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Account, env.Now, env.NewID)}
	s.out = newDeliverer(s)
	if env.Links != nil {
		env.Links.Set(cloud.LinkSNS, cloud.Topics(link{s}))
	}
	s.api = awsproto.API{
		Model:    "sns",
		Base:     awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol: awsproto.Query,
		XMLNS:    xmlns,
		Invalid:  errValidation,
		MaxBody:  maxRequestBody,
	}
	s.api.Register(
		awsproto.Handle("CreateTopic", s.createTopic),
		awsproto.Handle("DeleteTopic", s.deleteTopic),
		awsproto.Handle("ListTopics", s.listTopics),
		awsproto.Handle("GetTopicAttributes", s.getTopicAttributes),
		awsproto.Handle("SetTopicAttributes", s.setTopicAttributes),
		awsproto.Handle("TagResource", s.tagResource),
		awsproto.Handle("UntagResource", s.untagResource),
		awsproto.Handle("ListTagsForResource", s.listTagsForResource),
		awsproto.Handle("Subscribe", s.subscribe),
		awsproto.Handle("Unsubscribe", s.unsubscribe),
		awsproto.Handle("ConfirmSubscription", s.confirmSubscription),
		awsproto.Handle("ListSubscriptions", s.listSubscriptions),
		awsproto.Handle("ListSubscriptionsByTopic", s.listSubscriptionsByTopic),
		awsproto.Handle("GetSubscriptionAttributes", s.getSubscriptionAttributes),
		awsproto.Handle("SetSubscriptionAttributes", s.setSubscriptionAttributes),
		awsproto.Handle("Publish", s.publish),
		awsproto.Handle("PublishBatch", s.publishBatch),
		awsproto.Handle("GetDataProtectionPolicy", s.getDataProtectionPolicy),
		awsproto.Handle("PutDataProtectionPolicy", s.putDataProtectionPolicy),
		awsproto.Handle("AddPermission", s.addPermission),
		awsproto.Handle("RemovePermission", s.removePermission),
		awsproto.Handle("CreatePlatformApplication", s.createPlatformApplication),
		awsproto.Handle("GetPlatformApplicationAttributes", s.getPlatformApplicationAttributes),
		awsproto.Handle("SetPlatformApplicationAttributes", s.setPlatformApplicationAttributes),
		awsproto.Handle("DeletePlatformApplication", s.deletePlatformApplication),
		awsproto.Handle("ListPlatformApplications", s.listPlatformApplications),
		awsproto.Handle("CreatePlatformEndpoint", s.createPlatformEndpoint),
		awsproto.Handle("GetEndpointAttributes", s.getEndpointAttributes),
		awsproto.Handle("SetEndpointAttributes", s.setEndpointAttributes),
		awsproto.Handle("DeleteEndpoint", s.deleteEndpoint),
		awsproto.Handle("ListEndpointsByPlatformApplication", s.listEndpointsByPlatformApplication),
		awsproto.Handle("GetSMSAttributes", s.getSMSAttributes),
		awsproto.Handle("SetSMSAttributes", s.setSMSAttributes),
		awsproto.Handle("CheckIfPhoneNumberIsOptedOut", s.checkIfPhoneNumberIsOptedOut),
		awsproto.Handle("OptInPhoneNumber", s.optInPhoneNumber),
		awsproto.Handle("ListPhoneNumbersOptedOut", s.listPhoneNumbersOptedOut),
		awsproto.Handle("CreateSMSSandboxPhoneNumber", s.createSMSSandboxPhoneNumber),
		awsproto.Handle("VerifySMSSandboxPhoneNumber", s.verifySMSSandboxPhoneNumber),
		awsproto.Handle("DeleteSMSSandboxPhoneNumber", s.deleteSMSSandboxPhoneNumber),
		awsproto.Handle("ListSMSSandboxPhoneNumbers", s.listSMSSandboxPhoneNumbers),
		awsproto.Handle("GetSMSSandboxAccountStatus", s.getSMSSandboxAccountStatus),
		awsproto.Handle("ListOriginationNumbers", s.listOriginationNumbers),
	)
	return s
}

func (s *Service) Name() string                { return "sns" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.Query }
func (s *Service) Reset()                      { s.store.Reset(); s.recorded.reset() }

// MaxRequestBody tells strict mode the largest body the service takes.
func (s *Service) MaxRequestBody() int64 { return maxRequestBody }

// Close stops HTTP deliveries in flight (after their current attempt).
func (s *Service) Close() error {
	s.closeOnce.Do(s.out.close)
	return nil
}

// Store is the service's store, for tests and in-process callers.
func (s *Service) Store() *Store { return s.store }

// Routes: the query protocol by signing name; the certificate, subscribe
// and unsubscribe URLs unsigned under /_aws/sns/.
func (s *Service) Routes() []cloud.Route {
	data := http.HandlerFunc(s.serveDataPlane)
	return []cloud.Route{
		{Kind: cloud.ByScope, Key: "sns"},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(dataPlanePrefix, "/"), Public: true, DataPlane: data},
		{Kind: cloud.ByPath, Key: strings.TrimSuffix(devPrefix, "/")},
	}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

// ServeHTTP serves the API, and the data plane under /_aws/sns/.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, dataPlanePrefix) {
		s.serveDataPlane(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, devPrefix) {
		s.serveDev(w, r)
		return
	}
	s.api.ServeHTTP(w, r)
}

// Summary counts topics and subscriptions for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	t, sub := s.store.Count()
	return map[string]any{"topics": t, "subscriptions": sub}
}

// host is the host clients reach the edge on.
func (s *Service) host(c *awsproto.Call) string {
	if s.env.Host != "" {
		return s.env.Host
	}
	if c != nil && c.Host != "" {
		return c.Host
	}
	return "localhost:4566"
}

// ---- wire shapes

type entryXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

func entries(m map[string]string) []entryXML {
	out := make([]entryXML, 0, len(m))
	for k, v := range m {
		out = append(out, entryXML{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

type tagXML struct {
	Key   *string `required:"true" min:"1" max:"128"`
	Value *string `required:"true" max:"256"`
}

func tagMap(tags []tagXML) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		if t.Key != nil && t.Value != nil {
			m[*t.Key] = *t.Value
		}
	}
	return m
}

// tagOut is a tag as ListTagsForResource writes it (entryXML's fields
// under other element names).
type tagOut struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// ---- topics

type createTopicInput struct {
	Name                 *string `required:"true"`
	Attributes           map[string]string
	Tags                 []tagXML
	DataProtectionPolicy *string `max:"30720"`
}

type createTopicOutput struct {
	TopicArn string
}

func (s *Service) createTopic(c *awsproto.Call, in *createTopicInput) (createTopicOutput, error) {
	attrs := in.Attributes
	if in.DataProtectionPolicy != nil {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["DataProtectionPolicy"] = *in.DataProtectionPolicy
	}
	t, err := s.store.CreateTopic(c.Region, *in.Name, attrs, tagMap(in.Tags))
	if err != nil {
		return createTopicOutput{}, err
	}
	return createTopicOutput{TopicArn: t.ARN}, nil
}

type topicArnInput struct {
	TopicArn *string `required:"true"`
}

func (s *Service) deleteTopic(c *awsproto.Call, in *topicArnInput) (struct{}, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return struct{}{}, err
	}
	s.store.DeleteTopic(*in.TopicArn)
	return struct{}{}, nil
}

// checkARN refuses what is not an SNS ARN, as AWS does.
func (s *Service) checkARN(c *awsproto.Call, arn, member string) error {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 {
		return errInvalidParameter.New(fmt.Sprintf("Invalid parameter: %s Reason: An ARN must have at least 6 elements, not %d", member, len(parts)))
	}
	if parts[0] != "arn" || parts[2] != "sns" {
		return errInvalidParameter.New("Invalid parameter: " + member)
	}
	return nil
}

type listInput struct {
	NextToken *string
}

type topicMember struct {
	TopicArn string
}

type listTopicsOutput struct {
	Topics    []topicMember `xml:"Topics>member"`
	NextToken string        `xml:",omitempty"`
}

func (s *Service) listTopics(c *awsproto.Call, in *listInput) (listTopicsOutput, error) {
	after := ""
	if in.NextToken != nil {
		after = *in.NextToken
	}
	arns, next := s.store.ListTopics(c.Region, after)
	out := listTopicsOutput{Topics: make([]topicMember, len(arns)), NextToken: next}
	for i, a := range arns {
		out.Topics[i].TopicArn = a
	}
	return out, nil
}

type attributesOutput struct {
	Attributes []entryXML `xml:"Attributes>entry"`
}

func (s *Service) getTopicAttributes(c *awsproto.Call, in *topicArnInput) (attributesOutput, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return attributesOutput{}, err
	}
	attrs, err := s.store.TopicAttributes(*in.TopicArn)
	if err != nil {
		return attributesOutput{}, err
	}
	return attributesOutput{Attributes: entries(attrs)}, nil
}

type setTopicAttributesInput struct {
	TopicArn       *string `required:"true"`
	AttributeName  *string `required:"true"`
	AttributeValue *string
}

func (s *Service) setTopicAttributes(c *awsproto.Call, in *setTopicAttributesInput) (struct{}, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return struct{}{}, err
	}
	v := ""
	if in.AttributeValue != nil {
		v = *in.AttributeValue
	}
	return struct{}{}, s.store.SetTopicAttribute(*in.TopicArn, *in.AttributeName, v)
}

// ---- tags

type tagResourceInput struct {
	ResourceArn *string  `required:"true" min:"1" max:"1011"`
	Tags        []tagXML `required:"true"`
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	return struct{}{}, s.store.Tag(*in.ResourceArn, tagMap(in.Tags))
}

type untagResourceInput struct {
	ResourceArn *string  `required:"true" min:"1" max:"1011"`
	TagKeys     []string `required:"true"`
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	return struct{}{}, s.store.Untag(*in.ResourceArn, in.TagKeys)
}

type resourceInput struct {
	ResourceArn *string `required:"true" min:"1" max:"1011"`
}

type listTagsOutput struct {
	Tags []tagOut `xml:"Tags>member"`
}

func (s *Service) listTagsForResource(c *awsproto.Call, in *resourceInput) (listTagsOutput, error) {
	tags, err := s.store.Tags(*in.ResourceArn)
	if err != nil {
		return listTagsOutput{}, err
	}
	out := listTagsOutput{Tags: []tagOut{}}
	for _, e := range entries(tags) {
		out.Tags = append(out.Tags, tagOut(e))
	}
	return out, nil
}
