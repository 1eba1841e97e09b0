package lambda

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Tagged resources are functions: tagTarget checks the ARN (Lambda answers
// InvalidParameterValueException for one it cannot use, not a validation
// error, so Resource has no pattern tag).

type tagResourceInput struct {
	Resource *string           `json:"-" location:"uri" name:"Resource" required:"true" min:"1" max:"256"`
	Tags     map[string]string `json:"Tags" required:"true"`
}

type untagResourceInput struct {
	Resource *string  `json:"-" location:"uri" name:"Resource" required:"true" min:"1" max:"256"`
	TagKeys  []string `json:"-" location:"querystring" name:"tagKeys" required:"true"`
}

type listTagsInput struct {
	Resource *string `json:"-" location:"uri" name:"Resource" required:"true" min:"1" max:"256"`
}

type listTagsOutput struct {
	Tags map[string]string `json:"Tags"`
}

// mappingOfARN returns the UUID of an event source mapping's ARN
// (arn:aws:lambda:region:account:event-source-mapping:UUID).
func mappingOfARN(arn string) (string, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "event-source-mapping" {
		return "", false
	}
	return parts[6], true
}

// isCodeSigningConfigARN reports whether arn names a code signing config.
func isCodeSigningConfigARN(arn string) bool {
	parts := strings.Split(arn, ":")
	return len(parts) == 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "code-signing-config"
}

// tagTarget resolves a tagging request's ARN to a function.
func tagTarget(c *awsproto.Call, arn string) (string, string, error) {
	region, name, q, ok := parseFunctionName(arn)
	if !ok || !strings.HasPrefix(arn, "arn:") || q != "" {
		return "", "", errInvalidParameterValue.Errorf("Invalid ARN: %s", arn)
	}
	if region == "" {
		region = c.Region
	}
	return region, name, nil
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	if id, ok := mappingOfARN(*in.Resource); ok {
		_, err := s.esm.tag(c.Region, id, in.Tags, nil)
		return struct{}{}, err
	}
	if isCodeSigningConfigARN(*in.Resource) {
		_, err := s.store.TagCodeSigningConfig(*in.Resource, in.Tags, nil)
		return struct{}{}, err
	}
	region, name, err := tagTarget(c, *in.Resource)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Tag(region, name, in.Tags, nil)
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	if id, ok := mappingOfARN(*in.Resource); ok {
		_, err := s.esm.tag(c.Region, id, nil, in.TagKeys)
		return struct{}{}, err
	}
	if isCodeSigningConfigARN(*in.Resource) {
		_, err := s.store.TagCodeSigningConfig(*in.Resource, nil, in.TagKeys)
		return struct{}{}, err
	}
	region, name, err := tagTarget(c, *in.Resource)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Tag(region, name, nil, in.TagKeys)
}

func (s *Service) listTags(c *awsproto.Call, in *listTagsInput) (listTagsOutput, error) {
	if id, ok := mappingOfARN(*in.Resource); ok {
		tags, err := s.esm.tag(c.Region, id, nil, nil)
		return listTagsOutput{Tags: tags}, err
	}
	if isCodeSigningConfigARN(*in.Resource) {
		tags, err := s.store.TagCodeSigningConfig(*in.Resource, nil, nil)
		return listTagsOutput{Tags: tags}, err
	}
	region, name, err := tagTarget(c, *in.Resource)
	if err != nil {
		return listTagsOutput{}, err
	}
	f, err := s.store.Function(region, name)
	if err != nil {
		return listTagsOutput{}, err
	}
	return listTagsOutput{Tags: f.Tags()}, nil
}
