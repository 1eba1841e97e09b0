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
	region, name, err := tagTarget(c, *in.Resource)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Tag(region, name, in.Tags, nil)
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	region, name, err := tagTarget(c, *in.Resource)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Tag(region, name, nil, in.TagKeys)
}

func (s *Service) listTags(c *awsproto.Call, in *listTagsInput) (listTagsOutput, error) {
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
