package secretsmanager

import (
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type tagResourceInput struct {
	SecretId *string    `json:"SecretId" required:"true" min:"1" max:"2048"`
	Tags     []tagParam `json:"Tags" required:"true"`
}

func (s *Service) tagResource(c *awsproto.Call, in *tagResourceInput) (struct{}, error) {
	tags, err := tagList(in.Tags)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Tag(c.Region, *in.SecretId, tags, s.env.Now())
}

type untagResourceInput struct {
	SecretId *string  `json:"SecretId" required:"true" min:"1" max:"2048"`
	TagKeys  []string `json:"TagKeys" required:"true"`
}

// Validate checks each key, which a tag cannot: 1 to 128 characters.
func (in *untagResourceInput) Validate() error {
	for i, k := range in.TagKeys {
		if err := awsproto.CheckLength(errValidation, k, "tagKeys."+strconv.Itoa(i+1)+".member", 1, 128); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) untagResource(c *awsproto.Call, in *untagResourceInput) (struct{}, error) {
	return struct{}{}, s.store.Untag(c.Region, *in.SecretId, in.TagKeys, s.env.Now())
}
