package ec2_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

func TestCreateDeleteDescribeTags(t *testing.T) {
	f := start(t)
	in := ids(f.run(t, 2))
	kp := must[*ec2.CreateKeyPairOutput](t)(f.c.CreateKeyPair(ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("k"), KeyType: types.KeyTypeEd25519}))
	key := aws.ToString(kp.KeyPairId)
	must[*ec2.CreateTagsOutput](t)(f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: append([]string{key}, in...), Tags: []types.Tag{tag("Name", "a"), tag("env", "prod"), tag("empty", "")}}))
	must[*ec2.CreateTagsOutput](t)(f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: in[:1], Tags: []types.Tag{tag("Name", "b")}}))
	if tags := tagsOf(f.describe(t, in[0]).Tags); tags["Name"] != "b" || tags["env"] != "prod" || len(tags) != 3 {
		t.Fatalf("overwritten tags %v", tags)
	}

	cases := []struct {
		name    string
		filters []types.Filter
		want    int
	}{
		{"all", nil, 9},
		{"resource-type", []types.Filter{{Name: aws.String("resource-type"), Values: []string{"key-pair"}}}, 3},
		{"resource-id", []types.Filter{{Name: aws.String("resource-id"), Values: in[1:]}}, 3},
		{"key", []types.Filter{{Name: aws.String("key"), Values: []string{"Name"}}}, 3},
		{"value", []types.Filter{{Name: aws.String("value"), Values: []string{"b"}}}, 1},
		{"tag:", []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"a"}}}, 2},
		{"key and value", []types.Filter{{Name: aws.String("key"), Values: []string{"env"}}, {Name: aws.String("value"), Values: []string{"p?od"}}}, 3},
	}
	for _, tc := range cases {
		out := must[*ec2.DescribeTagsOutput](t)(f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: tc.filters}))
		if len(out.Tags) != tc.want {
			t.Fatalf("%s: %d tags: %+v", tc.name, len(out.Tags), out.Tags)
		}
	}
	out := must[*ec2.DescribeTagsOutput](t)(f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("resource-id"), Values: []string{key}}, {Name: aws.String("key"), Values: []string{"Name"}}}}))
	if d := out.Tags[0]; aws.ToString(d.ResourceId) != key || d.ResourceType != types.ResourceTypeKeyPair || aws.ToString(d.Value) != "a" {
		t.Fatalf("tag description %+v", d)
	}

	// Delete with a value deletes only on a match; without one, whatever the value.
	must[*ec2.DeleteTagsOutput](t)(f.c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: in, Tags: []types.Tag{tag("Name", "a"), {Key: aws.String("env")}}}))
	if tags := tagsOf(f.describe(t, in[0]).Tags); len(tags) != 2 || tags["Name"] != "b" {
		t.Fatalf("after delete: %v", tags)
	}
	if tags := tagsOf(f.describe(t, in[1]).Tags); len(tags) != 1 {
		t.Fatalf("after delete: %v", tags)
	}
	// No tags named: every tag goes.
	must[*ec2.DeleteTagsOutput](t)(f.c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: in[:1]}))
	if tags := f.describe(t, in[0]).Tags; len(tags) != 0 {
		t.Fatalf("after delete all: %v", tags)
	}
}

func TestTagErrors(t *testing.T) {
	f := start(t)
	id := ids(f.run(t, 1))[0]
	cases := []struct {
		name      string
		resources []string
		tags      []types.Tag
		code, msg string
	}{
		{"unknown instance", []string{"i-0123456789abcdef0"}, []types.Tag{tag("a", "b")}, "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"},
		{"malformed instance", []string{"i-zz"}, []types.Tag{tag("a", "b")}, "InvalidInstanceID.Malformed", ""},
		{"unknown resource kind", []string{"thing-1"}, []types.Tag{tag("a", "b")}, "InvalidID", "The ID 'thing-1' is not valid"},
		{"unknown key pair", []string{"key-0123456789abcdef0"}, []types.Tag{tag("a", "b")}, "InvalidKeyPair.NotFound", ""},
		{"reserved prefix", []string{id}, []types.Tag{tag("aws:cloudformation", "b")}, "InvalidParameterValue", ""},
		{"long key", []string{id}, []types.Tag{tag(strings.Repeat("k", 128), "b")}, "InvalidParameterValue", ""},
		{"long value", []string{id}, []types.Tag{tag("k", strings.Repeat("v", 257))}, "InvalidParameterValue", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: tc.resources, Tags: tc.tags})
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
	var many []types.Tag
	for i := range 51 {
		many = append(many, tag(fmt.Sprint("k", i), "v"))
	}
	_, err := f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: many})
	wantAPIError(t, err, "TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
	if len(f.describe(t, id).Tags) != 0 {
		t.Fatal("a refused CreateTags tagged anyway")
	}
	_, err = f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("owner"), Values: []string{"x"}}}})
	wantAPIError(t, err, "InvalidParameterValue", "The filter 'owner' is invalid")
}

func TestDescribeTagsPaging(t *testing.T) {
	f := start(t)
	in := ids(f.run(t, 3))
	var tags []types.Tag
	for i := range 4 {
		tags = append(tags, tag(fmt.Sprint("k", i), "v"))
	}
	must[*ec2.CreateTagsOutput](t)(f.c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: in, Tags: tags}))
	seen := map[string]bool{}
	p := ec2.NewDescribeTagsPaginator(f.c, &ec2.DescribeTagsInput{MaxResults: aws.Int32(5)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Tags) > 5 {
			t.Fatalf("page of %d", len(out.Tags))
		}
		for _, d := range out.Tags {
			k := aws.ToString(d.ResourceId) + "/" + aws.ToString(d.Key)
			if seen[k] {
				t.Fatalf("%s twice", k)
			}
			seen[k] = true
		}
	}
	if len(seen) != 12 || pages != 3 {
		t.Fatalf("%d tags in %d pages", len(seen), pages)
	}
	_, err := f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{MaxResults: aws.Int32(2)})
	wantAPIError(t, err, "InvalidParameterValue", "")
	_, err = f.c.DescribeTags(ctx, &ec2.DescribeTagsInput{NextToken: aws.String("%%%")})
	wantAPIError(t, err, "InvalidPaginationToken", "")
}
