package s3_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestVersioning runs versioning against one emulator.
func TestVersioning(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	b := aws.String

	getBody := func(t *testing.T, bucket, key, version string) (string, error) {
		t.Helper()
		in := &s3.GetObjectInput{Bucket: b(bucket), Key: b(key)}
		if version != "" {
			in.VersionId = b(version)
		}
		out, err := c.GetObject(ctx, in)
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		data, _ := io.ReadAll(out.Body)
		if version != "" && aws.ToString(out.VersionId) != version {
			t.Errorf("GetObject version %s answered version %s", version, aws.ToString(out.VersionId))
		}
		return string(data), nil
	}

	t.Run("versions and delete markers", func(t *testing.T) {
		t.Parallel()
		const bk = "ver-basic"
		mustCreateBucket(t, c, bk)
		mustPut(t, c, bk, "k", []byte("before")) // the null version
		st, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b(bk)})
		if err != nil || st.Status != "" {
			t.Fatalf("GetBucketVersioning of a new bucket = %q, %v", st.Status, err)
		}
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(bk),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		if st, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b(bk)}); err != nil || st.Status != types.BucketVersioningStatusEnabled {
			t.Fatalf("GetBucketVersioning = %q, %v", st.Status, err)
		}
		v1 := aws.ToString(mustPut(t, c, bk, "k", []byte("one")).VersionId)
		v2 := aws.ToString(mustPut(t, c, bk, "k", []byte("two")).VersionId)
		if v1 == "" || v2 == "" || v1 == v2 {
			t.Fatalf("version IDs %q, %q", v1, v2)
		}
		for version, want := range map[string]string{"": "two", v2: "two", v1: "one", "null": "before"} {
			if got, err := getBody(t, bk, "k", version); err != nil || got != want {
				t.Errorf("GetObject version %q = %q, %v; want %q", version, got, err, want)
			}
		}
		// A delete without a version ID makes a delete marker.
		del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b(bk), Key: b("k")})
		if err != nil || !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) == "" {
			t.Fatalf("DeleteObject = %+v, %v", del, err)
		}
		marker := aws.ToString(del.VersionId)
		_, err = getBody(t, bk, "k", "")
		wantAPIError(t, err, "NoSuchKey", 404)
		_, err = getBody(t, bk, "k", marker)
		wantAPIError(t, err, "MethodNotAllowed", 405)
		if got, err := getBody(t, bk, "k", v1); err != nil || got != "one" {
			t.Errorf("old version after the marker = %q, %v", got, err)
		}
		list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b(bk)})
		if err != nil || len(list.Contents) != 0 {
			t.Errorf("ListObjectsV2 under a delete marker = %+v, %v", list.Contents, err)
		}
		vers, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b(bk)})
		if err != nil || len(vers.Versions) != 3 || len(vers.DeleteMarkers) != 1 || !aws.ToBool(vers.DeleteMarkers[0].IsLatest) ||
			aws.ToString(vers.Versions[0].VersionId) != v2 || aws.ToString(vers.Versions[2].VersionId) != "null" || aws.ToBool(vers.Versions[0].IsLatest) {
			t.Fatalf("ListObjectVersions = %+v, %v", vers, err)
		}
		// Removing the marker brings the object back.
		if del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b(bk), Key: b("k"), VersionId: b(marker)}); err != nil || !aws.ToBool(del.DeleteMarker) {
			t.Fatalf("DeleteObject of the marker = %+v, %v", del, err)
		}
		if got, err := getBody(t, bk, "k", ""); err != nil || got != "two" {
			t.Errorf("after removing the marker = %q, %v", got, err)
		}
		// Deleting the current version makes the previous one current.
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b(bk), Key: b("k"), VersionId: b(v2)}); err != nil {
			t.Fatal(err)
		}
		if got, err := getBody(t, bk, "k", ""); err != nil || got != "one" {
			t.Errorf("after deleting the current version = %q, %v", got, err)
		}
		_, err = getBody(t, bk, "k", v2)
		wantAPIError(t, err, "NoSuchVersion", 404)
		// CopyObject from a version.
		cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b(bk), Key: b("copy"), CopySource: b(bk + "/k?versionId=null")})
		if err != nil || aws.ToString(cp.CopySourceVersionId) != "null" || aws.ToString(cp.VersionId) == "" {
			t.Fatalf("CopyObject from the null version = %+v, %v", cp, err)
		}
		if got, _ := getBody(t, bk, "copy", ""); got != "before" {
			t.Errorf("copy of the null version = %q", got)
		}
		// A versioned bucket is not empty while it has versions.
		_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b(bk)})
		wantAPIError(t, err, "BucketNotEmpty", 409)
		// Empty it as Terraform's force_destroy does: every version, in batches.
		var ids []types.ObjectIdentifier
		vers, _ = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b(bk)})
		for _, v := range vers.Versions {
			ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range vers.DeleteMarkers {
			ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if _, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b(bk), Delete: &types.Delete{Objects: ids}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b(bk)}); err != nil {
			t.Fatalf("DeleteBucket after deleting every version: %v", err)
		}
	})

	t.Run("suspended", func(t *testing.T) {
		t.Parallel()
		const bk = "ver-suspended"
		mustCreateBucket(t, c, bk)
		set := func(s types.BucketVersioningStatus) {
			if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(bk), VersioningConfiguration: &types.VersioningConfiguration{Status: s}}); err != nil {
				t.Fatal(err)
			}
		}
		set(types.BucketVersioningStatusEnabled)
		v1 := aws.ToString(mustPut(t, c, bk, "k", []byte("one")).VersionId)
		set(types.BucketVersioningStatusSuspended)
		if v := aws.ToString(mustPut(t, c, bk, "k", []byte("n1")).VersionId); v != "null" {
			t.Errorf("a suspended bucket's version = %q", v)
		}
		mustPut(t, c, bk, "k", []byte("n2")) // replaces the null version
		vers, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b(bk)})
		if err != nil || len(vers.Versions) != 2 || aws.ToString(vers.Versions[1].VersionId) != v1 {
			t.Fatalf("ListObjectVersions = %+v, %v", vers.Versions, err)
		}
		if got, _ := getBody(t, bk, "k", "null"); got != "n2" {
			t.Errorf("null version = %q", got)
		}
		del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b(bk), Key: b("k")})
		if err != nil || aws.ToString(del.VersionId) != "null" || !aws.ToBool(del.DeleteMarker) {
			t.Errorf("DeleteObject in a suspended bucket = %+v, %v", del, err)
		}
		vers, _ = c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b(bk)})
		if len(vers.Versions) != 1 || len(vers.DeleteMarkers) != 1 {
			t.Errorf("after a suspended delete: %d versions, %d markers", len(vers.Versions), len(vers.DeleteMarkers))
		}
		_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(bk), VersioningConfiguration: &types.VersioningConfiguration{Status: "Sometimes"}})
		wantAPIError(t, err, "MalformedXML", 400)
	})

	t.Run("list paging", func(t *testing.T) {
		t.Parallel()
		const bk = "ver-paging"
		mustCreateBucket(t, c, bk)
		if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b(bk), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, k := range []string{"a", "dir/x", "dir/y", "z"} {
			for i := range 3 {
				v := aws.ToString(mustPut(t, c, bk, k, []byte(fmt.Sprint(i))).VersionId)
				if !strings.HasPrefix(k, "dir/") {
					want = append(want, k+"@"+v)
				}
			}
		}
		// Newest first within a key.
		for i := 0; i+2 < len(want); i += 3 {
			want[i], want[i+2] = want[i+2], want[i]
		}
		var got, prefixes []string
		p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: b(bk), Delimiter: b("/"), MaxKeys: aws.Int32(2)})
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, v := range page.Versions {
				got = append(got, aws.ToString(v.Key)+"@"+aws.ToString(v.VersionId))
			}
			for _, cp := range page.CommonPrefixes {
				prefixes = append(prefixes, aws.ToString(cp.Prefix))
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") || strings.Join(prefixes, ",") != "dir/" || pages != 4 {
			t.Errorf("paged versions (%d pages):\n got %v %v\nwant %v [dir/]", pages, got, prefixes, want)
		}
	})

	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		ep := e.URL()
		mustCreateBucket(t, c, "ver-cli")
		cli(t, ep, "s3api", "put-bucket-versioning", "--bucket", "ver-cli", "--versioning-configuration", "Status=Enabled")
		mustPut(t, c, "ver-cli", "k", []byte("k"))
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b("ver-cli"), Key: b("k")}); err != nil {
			t.Fatal(err)
		}
		if out := cli(t, ep, "s3api", "list-object-versions", "--bucket", "ver-cli"); !strings.Contains(out, `"DeleteMarkers"`) || !strings.Contains(out, `"Versions"`) {
			t.Errorf("list-object-versions: %s", out)
		}
	})
}
