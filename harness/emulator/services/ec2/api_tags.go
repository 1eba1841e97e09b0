package ec2

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- CreateTags ----

type createTagsInput struct {
	Request
	Resources []string `query:"ResourceId" required:"true"`
	Tags      []Tag    `query:"Tag" required:"true"`
}

func (s *Service) createTags(c *awsproto.Call, in *createTagsInput) (returnResult, error) {
	if err := s.store.CreateTags(c.Region, in.Resources, in.Tags); err != nil {
		return returnResult{}, err
	}
	return returnResult{true}, nil
}

// ---- DeleteTags ----

// tagToDelete is one Tag.N of DeleteTags: without a value it deletes the
// key whatever its value.
type tagToDelete struct {
	Key   string
	Value *string
}

type deleteTagsInput struct {
	Request
	Resources []string      `query:"ResourceId" required:"true"`
	Tags      []tagToDelete `query:"Tag"`
}

func (in *deleteTagsInput) Validate() error {
	for _, t := range in.Tags {
		if t.Key == "" {
			return errInvalidParameter.New("Tag key must not be empty")
		}
	}
	return nil
}

func (s *Service) deleteTags(c *awsproto.Call, in *deleteTagsInput) (returnResult, error) {
	dels := make([]TagDelete, len(in.Tags))
	for i, t := range in.Tags {
		dels[i] = TagDelete{Key: t.Key, HasValue: t.Value != nil}
		if t.Value != nil {
			dels[i].Value = *t.Value
		}
	}
	if err := s.store.DeleteTags(c.Region, in.Resources, dels); err != nil {
		return returnResult{}, err
	}
	return returnResult{true}, nil
}

// ---- DescribeTags ----

type describeTagsInput struct {
	Request
	Filters    []Filter `query:"Filter"`
	MaxResults *string
	NextToken  string
}

func (in *describeTagsInput) Validate() error { return validFilters(in.Filters) }

type tagDescriptionXML struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type describeTagsResult struct {
	TagSet    []tagDescriptionXML `xml:"tagSet>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

func (s *Service) describeTags(c *awsproto.Call, in *describeTagsInput) (describeTagsResult, error) {
	max, err := pageSize(in.MaxResults, nil, "")
	if err != nil {
		return describeTagsResult{}, err
	}
	pos, err := decodeToken(in.NextToken, "DescribeTags")
	if err != nil {
		return describeTagsResult{}, err
	}
	afterID, afterKey, _ := strings.Cut(pos, "\x00")
	tags, more, err := s.store.DescribeTags(c.Region, in.Filters, max, afterID, afterKey)
	if err != nil {
		return describeTagsResult{}, err
	}
	out := describeTagsResult{TagSet: make([]tagDescriptionXML, len(tags))}
	for i, t := range tags {
		out.TagSet[i] = tagDescriptionXML(t)
	}
	if more {
		last := tags[len(tags)-1]
		out.NextToken = encodeToken("DescribeTags", last.ResourceID+"\x00"+last.Key)
	}
	return out, nil
}
