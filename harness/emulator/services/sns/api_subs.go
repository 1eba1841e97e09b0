package sns

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type subscribeInput struct {
	TopicArn              *string `required:"true"`
	Protocol              *string `required:"true"`
	Endpoint              *string
	Attributes            map[string]string
	ReturnSubscriptionArn *bool
}

type subscribeOutput struct {
	SubscriptionArn string
}

var (
	sqsARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$`)
	lambdaARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$`)
	phonePattern     = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)
)

// checkEndpoint refuses an endpoint its protocol cannot deliver to, with
// AWS's messages.
func checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "sqs":
		if !sqsARNPattern.MatchString(endpoint) {
			return errInvalidParameter.New(msgSQSEndpoint)
		}
	case "lambda":
		if !lambdaARNPattern.MatchString(endpoint) {
			return errInvalidParameter.New(msgLambdaEndpoint)
		}
	case "http", "https":
		if !strings.HasPrefix(strings.ToLower(endpoint), protocol+"://") {
			return errInvalidParameter.New("Invalid parameter: Endpoint must match the specified protocol")
		}
	case "email", "email-json":
		if _, err := mail.ParseAddress(endpoint); err != nil || !strings.Contains(endpoint, "@") {
			return errInvalidParameter.New("Invalid parameter: Email address")
		}
	case "sms":
		if !phonePattern.MatchString(strings.NewReplacer("-", "", " ", "").Replace(endpoint)) {
			return errInvalidParameter.New("Invalid parameter: Invalid SMS endpoint: " + endpoint)
		}
	case "application", "firehose":
		if !strings.HasPrefix(endpoint, "arn:") {
			return errInvalidParameter.New("Invalid parameter: Endpoint")
		}
	default:
		return errInvalidParameter.New("Invalid parameter: Amazon SNS does not support this protocol string: " + protocol)
	}
	return nil
}

func (s *Service) subscribe(c *awsproto.Call, in *subscribeInput) (subscribeOutput, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return subscribeOutput{}, err
	}
	endpoint := ""
	if in.Endpoint != nil {
		endpoint = *in.Endpoint
	}
	protocol := strings.ToLower(*in.Protocol)
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return subscribeOutput{}, err
	}
	if protocol == "application" && isEndpointARN(endpoint) {
		if _, err := s.store.EndpointAttributes(endpoint); err != nil {
			return subscribeOutput{}, errInvalidParameter.New("Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint arn" + endpoint)
		}
	}
	sub, _, err := s.store.Subscribe(*in.TopicArn, protocol, endpoint, in.Attributes)
	if err != nil {
		return subscribeOutput{}, err
	}
	// A pending http/https subscription subscribed again gets a new
	// confirmation message, as on AWS.
	if sub.Pending && (protocol == "http" || protocol == "https") {
		s.out.confirm(sub, s.host(c))
	}
	if sub.Pending && (in.ReturnSubscriptionArn == nil || !*in.ReturnSubscriptionArn) {
		return subscribeOutput{SubscriptionArn: "pending confirmation"}, nil
	}
	return subscribeOutput{SubscriptionArn: sub.ARN}, nil
}

type subscriptionArnInput struct {
	SubscriptionArn *string `required:"true"`
}

func (s *Service) unsubscribe(c *awsproto.Call, in *subscriptionArnInput) (struct{}, error) {
	if err := s.checkARN(c, *in.SubscriptionArn, "SubscriptionArn"); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Unsubscribe(*in.SubscriptionArn)
}

type confirmSubscriptionInput struct {
	TopicArn                  *string `required:"true"`
	Token                     *string `required:"true"`
	AuthenticateOnUnsubscribe *string
}

type confirmSubscriptionOutput struct {
	SubscriptionArn string
}

func (s *Service) confirmSubscription(c *awsproto.Call, in *confirmSubscriptionInput) (confirmSubscriptionOutput, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return confirmSubscriptionOutput{}, err
	}
	arn, err := s.store.Confirm(*in.TopicArn, *in.Token)
	if err != nil {
		return confirmSubscriptionOutput{}, err
	}
	return confirmSubscriptionOutput{SubscriptionArn: arn}, nil
}

type subscriptionMember struct {
	SubscriptionArn, Owner, Protocol, Endpoint, TopicArn string
}

type listSubscriptionsOutput struct {
	Subscriptions []subscriptionMember `xml:"Subscriptions>member"`
	NextToken     string               `xml:",omitempty"`
}

func members(subs []SubscriptionView) []subscriptionMember {
	out := make([]subscriptionMember, len(subs))
	for i, sub := range subs {
		arn := sub.ARN
		if sub.Pending {
			arn = "PendingConfirmation"
		}
		out[i] = subscriptionMember{arn, sub.Owner, sub.Protocol, sub.Endpoint, sub.TopicARN}
	}
	return out
}

func (s *Service) listSubscriptions(c *awsproto.Call, in *listInput) (listSubscriptionsOutput, error) {
	after := ""
	if in.NextToken != nil {
		after = *in.NextToken
	}
	subs, next, err := s.store.ListSubscriptions("", after)
	if err != nil {
		return listSubscriptionsOutput{}, err
	}
	return listSubscriptionsOutput{Subscriptions: members(subs), NextToken: next}, nil
}

type listByTopicInput struct {
	TopicArn  *string `required:"true"`
	NextToken *string
}

func (s *Service) listSubscriptionsByTopic(c *awsproto.Call, in *listByTopicInput) (listSubscriptionsOutput, error) {
	if err := s.checkARN(c, *in.TopicArn, "TopicArn"); err != nil {
		return listSubscriptionsOutput{}, err
	}
	after := ""
	if in.NextToken != nil {
		after = *in.NextToken
	}
	subs, next, err := s.store.ListSubscriptions(*in.TopicArn, after)
	if err != nil {
		return listSubscriptionsOutput{}, err
	}
	return listSubscriptionsOutput{Subscriptions: members(subs), NextToken: next}, nil
}

func (s *Service) getSubscriptionAttributes(c *awsproto.Call, in *subscriptionArnInput) (attributesOutput, error) {
	if err := s.checkARN(c, *in.SubscriptionArn, "SubscriptionArn"); err != nil {
		return attributesOutput{}, err
	}
	attrs, err := s.store.SubscriptionAttributes(*in.SubscriptionArn)
	if err != nil {
		return attributesOutput{}, err
	}
	return attributesOutput{Attributes: entries(attrs)}, nil
}

type setSubscriptionAttributesInput struct {
	SubscriptionArn *string `required:"true"`
	AttributeName   *string `required:"true"`
	AttributeValue  *string
}

func (s *Service) setSubscriptionAttributes(c *awsproto.Call, in *setSubscriptionAttributesInput) (struct{}, error) {
	if err := s.checkARN(c, *in.SubscriptionArn, "SubscriptionArn"); err != nil {
		return struct{}{}, err
	}
	v := ""
	if in.AttributeValue != nil {
		v = *in.AttributeValue
	}
	return struct{}{}, s.store.SetSubscriptionAttribute(*in.SubscriptionArn, *in.AttributeName, v)
}
