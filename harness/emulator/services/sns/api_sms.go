package sns

import (
	"regexp"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type getSMSAttributesInput struct {
	Attributes []string `query:"attributes"`
}

type smsAttributesOutput struct {
	Attributes []entryXML `xml:"attributes>entry"`
}

func (s *Service) getSMSAttributes(c *awsproto.Call, in *getSMSAttributesInput) (smsAttributesOutput, error) {
	return smsAttributesOutput{Attributes: entries(s.store.SMSAttributes(in.Attributes))}, nil
}

type setSMSAttributesInput struct {
	Attributes map[string]string `query:"attributes" required:"true"`
}

func (s *Service) setSMSAttributes(c *awsproto.Call, in *setSMSAttributesInput) (struct{}, error) {
	return struct{}{}, s.store.SetSMSAttributes(in.Attributes)
}

type phoneNumberInput struct {
	PhoneNumber *string `query:"phoneNumber" required:"true" sensitive:"true"`
}

// checkPhone refuses what is not an E.164 number.
func checkPhone(phone string) error {
	if !phonePattern.MatchString(phone) {
		return errInvalidParameter.New("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
	}
	return nil
}

type checkOptedOutOutput struct {
	IsOptedOut bool `xml:"isOptedOut"`
}

func (s *Service) checkIfPhoneNumberIsOptedOut(c *awsproto.Call, in *phoneNumberInput) (checkOptedOutOutput, error) {
	if err := checkPhone(*in.PhoneNumber); err != nil {
		return checkOptedOutOutput{}, err
	}
	return checkOptedOutOutput{IsOptedOut: s.store.OptedOut(*in.PhoneNumber)}, nil
}

func (s *Service) optInPhoneNumber(c *awsproto.Call, in *phoneNumberInput) (struct{}, error) {
	if err := checkPhone(*in.PhoneNumber); err != nil {
		return struct{}{}, err
	}
	s.store.OptIn(*in.PhoneNumber)
	return struct{}{}, nil
}

type listOptedOutInput struct {
	NextToken *string `query:"nextToken"`
}

type listOptedOutOutput struct {
	PhoneNumbers []string `xml:"phoneNumbers>member"`
	NextToken    string   `xml:"nextToken,omitempty"`
}

func (s *Service) listPhoneNumbersOptedOut(c *awsproto.Call, in *listOptedOutInput) (listOptedOutOutput, error) {
	after := ""
	if in.NextToken != nil {
		after = *in.NextToken
	}
	nums, next := s.store.ListOptedOut(after)
	return listOptedOutOutput{PhoneNumbers: nums, NextToken: next}, nil
}

// ---- the SMS sandbox

type sandboxNumberInput struct {
	PhoneNumber  *string `required:"true" max:"20" pattern:"^(\\+[0-9]{8,}|[0-9]{0,9})$" sensitive:"true"`
	LanguageCode *string `enum:"en-US,en-GB,es-419,es-ES,de-DE,fr-CA,fr-FR,it-IT,ja-JP,pt-BR,kr-KR,zh-CN,zh-TW"`
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

func (s *Service) createSMSSandboxPhoneNumber(c *awsproto.Call, in *sandboxNumberInput) (struct{}, error) {
	phone := *in.PhoneNumber
	if !e164.MatchString(phone) {
		return struct{}{}, errInvalidParameter.New("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")
	}
	otp, err := s.store.CreateSandboxNumber(phone)
	if err != nil {
		return struct{}{}, err
	}
	// The one-time password is texted: recorded, like every SMS.
	s.recorded.add(Recorded{Protocol: "sms", Endpoint: phone, MessageID: s.env.NewID(),
		Message: "Your Amazon SNS verification code is: " + otp, Timestamp: s.env.Now().UTC().Format(timestampLayout)})
	return struct{}{}, nil
}

type verifySandboxInput struct {
	PhoneNumber     *string `required:"true" max:"20" pattern:"^(\\+[0-9]{8,}|[0-9]{0,9})$" sensitive:"true"`
	OneTimePassword *string `required:"true" min:"5" max:"8" pattern:"^[0-9]+$"`
}

func (s *Service) verifySMSSandboxPhoneNumber(c *awsproto.Call, in *verifySandboxInput) (struct{}, error) {
	return struct{}{}, s.store.VerifySandboxNumber(*in.PhoneNumber, *in.OneTimePassword)
}

type deleteSandboxInput struct {
	PhoneNumber *string `required:"true" max:"20" pattern:"^(\\+[0-9]{8,}|[0-9]{0,9})$" sensitive:"true"`
}

func (s *Service) deleteSMSSandboxPhoneNumber(c *awsproto.Call, in *deleteSandboxInput) (struct{}, error) {
	return struct{}{}, s.store.DeleteSandboxNumber(*in.PhoneNumber)
}

type listSandboxInput struct {
	NextToken  *string
	MaxResults *int `min:"1" max:"100"`
}

type sandboxMember struct {
	PhoneNumber string
	Status      string
}

type listSandboxOutput struct {
	PhoneNumbers []sandboxMember `xml:"PhoneNumbers>member"`
	NextToken    string          `xml:",omitempty"`
}

func (s *Service) listSMSSandboxPhoneNumbers(c *awsproto.Call, in *listSandboxInput) (listSandboxOutput, error) {
	after, n := "", listPage
	if in.NextToken != nil {
		after = *in.NextToken
	}
	if in.MaxResults != nil {
		n = *in.MaxResults
	}
	nums, next := s.store.SandboxNumbers(after, n)
	out := listSandboxOutput{PhoneNumbers: make([]sandboxMember, len(nums)), NextToken: next}
	for i, p := range nums {
		out.PhoneNumbers[i] = sandboxMember{p[0], p[1]}
	}
	return out, nil
}

type sandboxStatusOutput struct {
	IsInSandbox bool
}

// getSMSSandboxAccountStatus: the emulated account is in the sandbox, as
// every new AWS account is.
func (s *Service) getSMSSandboxAccountStatus(c *awsproto.Call, in *struct{}) (sandboxStatusOutput, error) {
	return sandboxStatusOutput{IsInSandbox: true}, nil
}

type listOriginationNumbersInput struct {
	NextToken  *string
	MaxResults *int `min:"1" max:"30"`
}

type listOriginationNumbersOutput struct {
	PhoneNumbers []struct{} `xml:"PhoneNumbers>member"`
	NextToken    string     `xml:",omitempty"`
}

// listOriginationNumbers: the emulated account owns no origination numbers
// (AWS sells them through the console; there is no API to buy one).
func (s *Service) listOriginationNumbers(c *awsproto.Call, in *listOriginationNumbersInput) (listOriginationNumbersOutput, error) {
	return listOriginationNumbersOutput{PhoneNumbers: []struct{}{}}, nil
}
