package apigateway

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type tagsPath struct {
	ResourceARN string `json:"-" location:"uri" name:"resource_arn"`
}

type tagsOut struct {
	Tags map[string]string `json:"tags"`
}

func (s *Service) getTags(c *awsproto.Call, in *tagsPath) (tagsOut, error) {
	tags, err := s.store.EditTags(in.ResourceARN, nil, nil)
	if tags == nil {
		tags = map[string]string{}
	}
	return tagsOut{tags}, err
}

type tagResourceInput struct {
	tagsPath
	Tags map[string]string `json:"tags" required:"true"`
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	_, err := s.store.EditTags(in.ResourceARN, in.Tags, nil)
	return struct{}{}, err
}

type untagResourceInput struct {
	tagsPath
	TagKeys []string `json:"-" location:"querystring" name:"tagKeys" required:"true"`
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	_, err := s.store.EditTags(in.ResourceARN, nil, in.TagKeys)
	return struct{}{}, err
}
