package s3_test

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// An archived object (GLACIER, DEEP_ARCHIVE) cannot be read until it is
// restored: GetObject answers InvalidObjectState 403, as S3 does.
// RestoreObject restores it at once (202, then 200 for a copy already
// restored) and HeadObject/GetObject then show x-amz-restore. Objects in
// other classes cannot be restored.
func TestArchivedObjectsAndRestore(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	mustCreateBucket(t, c, "cold")
	for _, sc := range []types.StorageClass{types.StorageClassGlacier, types.StorageClassDeepArchive, types.StorageClassStandard, types.StorageClassGlacierIr} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cold"), Key: aws.String(string(sc)),
			Body: strings.NewReader("bytes of " + string(sc)), StorageClass: sc}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(key string) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("cold"), Key: aws.String(key)})
		if err == nil {
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
		return err
	}
	for _, tc := range []struct {
		key      types.StorageClass
		readable bool
	}{{types.StorageClassGlacier, false}, {types.StorageClassDeepArchive, false}, {types.StorageClassStandard, true}, {types.StorageClassGlacierIr, true}} {
		err := get(string(tc.key))
		if tc.readable {
			if err != nil {
				t.Errorf("%s: %v", tc.key, err)
			}
			continue
		}
		wantAPIError(t, err, "InvalidObjectState", 403)
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorMessage() != "The operation is not valid for the object's storage class" {
			t.Errorf("%s: message %q", tc.key, ae.ErrorMessage())
		}
		if h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cold"), Key: aws.String(string(tc.key))}); err != nil || h.StorageClass != tc.key || h.Restore != nil {
			t.Errorf("%s: HeadObject before restore: %+v %v", tc.key, h, err)
		}
	}

	status := func(key string, days int32) (int, error) {
		_, err := c.RestoreObject(ctx, &s3.RestoreObjectInput{Bucket: aws.String("cold"), Key: aws.String(key),
			RestoreRequest: &types.RestoreRequest{Days: aws.Int32(days)}})
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			return re.HTTPStatusCode(), err
		}
		return 0, err
	}
	// The SDK hides the status of a success: a raw request shows it.
	restore := func(key string, days int) int {
		body := `<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>` + strconv.Itoa(days) + `</Days></RestoreRequest>`
		resp, err := http.Post(e.URL()+"/cold/"+key+"?restore", "application/xml", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := restore("GLACIER", 2); got != 202 {
		t.Errorf("first restore: %d, want 202", got)
	}
	if got := restore("GLACIER", 3); got != 200 {
		t.Errorf("second restore: %d, want 200", got)
	}
	if err := get("GLACIER"); err != nil {
		t.Errorf("GetObject after restore: %v", err)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cold"), Key: aws.String("GLACIER")})
	if err != nil || !strings.HasPrefix(aws.ToString(h.Restore), `ongoing-request="false", expiry-date="`) || !strings.HasSuffix(aws.ToString(h.Restore), ` 00:00:00 GMT"`) {
		t.Errorf("HeadObject after restore: Restore %q %v", aws.ToString(h.Restore), err)
	}
	if err := get("DEEP_ARCHIVE"); err == nil {
		t.Error("DEEP_ARCHIVE readable though only GLACIER was restored")
	}
	code, err := status("STANDARD", 1)
	if code != 403 {
		t.Errorf("restore of a STANDARD object: %d %v", code, err)
	}
	wantAPIError(t, err, "InvalidObjectState", 403)
	_, err = status("missing", 1)
	wantAPIError(t, err, "NoSuchKey", 404)
}
