package s3_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func tags(kv ...string) []types.Tag {
	out := make([]types.Tag, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func manyTags(n int) []types.Tag {
	var kv []string
	for i := range n {
		kv = append(kv, fmt.Sprintf("k%d", i), "v")
	}
	return tags(kv...)
}

func tagString(ts []types.Tag) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s=%s;", aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return b.String()
}

// wantMessage asserts an API error's message, word for word.
func wantMessage(t *testing.T, err error, msg string) {
	t.Helper()
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != msg {
		t.Errorf("message = %q, want %q", ae.ErrorMessage(), msg)
	}
}

// TestTagging runs the tagging operations against one emulator.
func TestTagging(t *testing.T) {
	t.Parallel()
	e, c := start(t)

	t.Run("bucket", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "tag-bucket")
		_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tag-bucket")})
		wantAPIError(t, err, "NoSuchTagSet", 404)
		wantMessage(t, err, "The TagSet does not exist")
		if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tag-bucket"),
			Tagging: &types.Tagging{TagSet: tags("team", "data", "cost center", "42 + ñ")}}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tag-bucket")})
		if err != nil || tagString(got.TagSet) != "team=data;cost center=42 + ñ;" {
			t.Fatalf("GetBucketTagging = %v, %v", got, err)
		}
		// 50 tags are allowed on a bucket.
		if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("tag-bucket"),
			Tagging: &types.Tagging{TagSet: manyTags(50)}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("tag-bucket")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tag-bucket")})
		wantAPIError(t, err, "NoSuchTagSet", 404)
		_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tag-missing")})
		wantAPIError(t, err, "NoSuchBucket", 404)
	})

	t.Run("object", func(t *testing.T) {
		t.Parallel()
		mustCreateBucket(t, c, "tag-objects")
		mustPut(t, c, "tag-objects", "plain", []byte("x"))
		got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tag-objects"), Key: aws.String("plain")})
		if err != nil || len(got.TagSet) != 0 {
			t.Fatalf("GetObjectTagging of an untagged object = %v, %v", got, err)
		}
		if _, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tag-objects"), Key: aws.String("plain"),
			Tagging: &types.Tagging{TagSet: tags("a", "1", "b", "")}}); err != nil {
			t.Fatal(err)
		}
		got, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tag-objects"), Key: aws.String("plain")})
		if err != nil || tagString(got.TagSet) != "a=1;b=;" {
			t.Fatalf("GetObjectTagging = %v, %v", got, err)
		}
		if data, out := mustGet(t, c, "tag-objects", "plain"); string(data) != "x" || aws.ToInt32(out.TagCount) != 2 {
			t.Errorf("GetObject after tagging: %q, tag count %d", data, aws.ToInt32(out.TagCount))
		}
		if _, err := c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tag-objects"), Key: aws.String("plain")}); err != nil {
			t.Fatal(err)
		}
		if _, out := mustGet(t, c, "tag-objects", "plain"); out.TagCount != nil {
			t.Errorf("tag count after DeleteObjectTagging: %d", aws.ToInt32(out.TagCount))
		}
		_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tag-objects"), Key: aws.String("missing")})
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tag-objects"), Key: aws.String("missing"),
			Tagging: &types.Tagging{TagSet: tags("a", "1")}})
		wantAPIError(t, err, "NoSuchKey", 404)
	})

	t.Run("header", func(t *testing.T) {
		t.Parallel()
		const b = "tag-header"
		mustCreateBucket(t, c, b)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("src"), Body: strings.NewReader("s"),
			Tagging: aws.String("env=prod&note=a%20b%2Bc")}); err != nil {
			t.Fatal(err)
		}
		tagsOf := func(key string) string {
			t.Helper()
			got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(b), Key: aws.String(key)})
			if err != nil {
				t.Fatal(err)
			}
			return tagString(got.TagSet)
		}
		if got := tagsOf("src"); got != "env=prod;note=a b+c;" {
			t.Errorf("PutObject x-amz-tagging: %s", got)
		}
		// CopyObject copies the tags by default, replaces them with REPLACE.
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("copy"), CopySource: aws.String(b + "/src")}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("copy"); got != "env=prod;note=a b+c;" {
			t.Errorf("CopyObject COPY: %s", got)
		}
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("replaced"), CopySource: aws.String(b + "/src"),
			TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("x=y")}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("replaced"); got != "x=y;" {
			t.Errorf("CopyObject REPLACE: %s", got)
		}
		if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("none"), CopySource: aws.String(b + "/src"),
			TaggingDirective: types.TaggingDirectiveReplace}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("none"); got != "" {
			t.Errorf("CopyObject REPLACE without tags: %s", got)
		}
		// A multipart upload's object gets CreateMultipartUpload's tags.
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), Tagging: aws.String("part=yes")})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("p")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
			t.Fatal(err)
		}
		if got := tagsOf("mp"); got != "part=yes;" {
			t.Errorf("multipart object: %s", got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		const b = "tag-errors"
		mustCreateBucket(t, c, b)
		mustPut(t, c, b, "o", []byte("o"))
		long := func(n int) string { return strings.Repeat("k", n) }
		for _, tc := range []struct {
			name      string
			bucket    bool
			tags      []types.Tag
			header    string // PutObject x-amz-tagging instead
			code, msg string
			status    int
		}{
			{name: "11 object tags", tags: manyTags(11), code: "BadRequest", status: 400, msg: "Object tags cannot be greater than 10"},
			{name: "51 bucket tags", bucket: true, tags: manyTags(51), code: "BadRequest", status: 400, msg: "Object tags cannot be greater than 50"},
			{name: "duplicate key", tags: tags("a", "1", "a", "2"), code: "InvalidTag", status: 400, msg: "Cannot provide multiple Tags with the same key"},
			{name: "key too long", tags: tags(long(129), "v"), code: "InvalidTag", status: 400, msg: "The TagKey you have provided is invalid"},
			{name: "empty key", bucket: true, tags: tags("", "v"), code: "InvalidTag", status: 400, msg: "The TagKey you have provided is invalid"},
			{name: "value too long", tags: tags("k", long(257)), code: "InvalidTag", status: 400, msg: "The TagValue you have provided is invalid"},
			{name: "bad character", tags: tags("k", "a*b"), code: "InvalidTag", status: 400, msg: "The TagValue you have provided is invalid"},
			{name: "aws: object tag", tags: tags("aws:x", "v"), code: "InvalidTag", status: 400, msg: "Your TagKey cannot be prefixed with aws:"},
			{name: "aws: bucket tag", bucket: true, tags: tags("aws:x", "v"), code: "InvalidTag", status: 400, msg: "System tags cannot be added/updated by requester"},
			{name: "header duplicate", header: "a=1&a=2", code: "InvalidArgument", status: 400, msg: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."},
			{name: "header 11 tags", header: "a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1", code: "BadRequest", status: 400, msg: "Object tags cannot be greater than 10"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var err error
				switch {
				case tc.header != "":
					_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("h"), Body: strings.NewReader("h"), Tagging: aws.String(tc.header)})
				case tc.bucket:
					_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(b), Tagging: &types.Tagging{TagSet: tc.tags}})
				default:
					_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(b), Key: aws.String("o"), Tagging: &types.Tagging{TagSet: tc.tags}})
				}
				wantAPIError(t, err, tc.code, tc.status)
				wantMessage(t, err, tc.msg)
			})
		}
		// Nothing was stored by the failures.
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(b), Key: aws.String("h")}); err == nil {
			t.Error("PutObject with bad tags stored the object")
		}
		_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(b)})
		wantAPIError(t, err, "NoSuchTagSet", 404)
		// A document that is not a Tagging document.
		req, _ := http.NewRequest("PUT", e.URL()+"/"+b+"?tagging", bytes.NewReader([]byte("<Other/>")))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>MalformedXML</Code>") {
			t.Errorf("PUT ?tagging <Other/>: %d %s", resp.StatusCode, body)
		}
	})

	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		ep := e.URL()
		mustCreateBucket(t, c, "tag-cli")
		cli(t, ep, "s3api", "put-bucket-tagging", "--bucket", "tag-cli", "--tagging", "TagSet=[{Key=team,Value=data}]")
		var got struct{ TagSet []struct{ Key, Value string } }
		if err := json.Unmarshal([]byte(cli(t, ep, "s3api", "get-bucket-tagging", "--bucket", "tag-cli")), &got); err != nil || len(got.TagSet) != 1 || got.TagSet[0].Key != "team" {
			t.Errorf("get-bucket-tagging: %+v %v", got, err)
		}
		cli(t, ep, "s3api", "put-object", "--bucket", "tag-cli", "--key", "k", "--tagging", "a=1&b=2")
		got.TagSet = nil
		if err := json.Unmarshal([]byte(cli(t, ep, "s3api", "get-object-tagging", "--bucket", "tag-cli", "--key", "k")), &got); err != nil || len(got.TagSet) != 2 || got.TagSet[1].Value != "2" {
			t.Errorf("get-object-tagging: %+v %v", got, err)
		}
	})
}
