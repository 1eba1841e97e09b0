package s3

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// codeOf is the S3 code a store error carries ("" for none).
func codeOf(err error) string {
	if e, ok := err.(*awsproto.Error); ok {
		return e.Code
	}
	return ""
}

func sealed(key, data string) *Object {
	o := &Object{Key: key, Body: BytesBody([]byte(data))}
	o.Seal(time.Unix(0, 0))
	return o
}

// TestDeleteBucketRace: a put racing DeleteBucket either lands in a bucket
// that then cannot be deleted, or fails; an acknowledged put is never lost.
func TestDeleteBucketRace(t *testing.T) {
	for i := 0; i < 300; i++ {
		s := NewStore()
		s.CreateBucket(bg, "race", "us-east-1", time.Unix(0, 0))
		var putErr, delErr error
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); putErr = s.PutObject(bg, "race", sealed("k", "v"), PutCondition{}, "Put") }()
		go func() { defer wg.Done(); delErr = s.DeleteBucket(bg, "race") }()
		wg.Wait()
		switch {
		case putErr == nil && delErr == nil:
			t.Fatalf("iteration %d: put acknowledged and bucket deleted", i)
		case putErr == nil:
			if o, err := s.Object("race", "k"); err != nil || string(bodyBytes(o.Body)) != "v" {
				t.Fatalf("iteration %d: acknowledged put lost: %v", i, err)
			}
		case codeOf(putErr) != "NoSuchBucket":
			t.Fatalf("iteration %d: put failed with %v", i, putErr)
		}
	}
}

// TestStoreConcurrency exercises every store path at once under -race and
// checks the final counts.
func TestStoreConcurrency(t *testing.T) {
	s := NewStore()
	const buckets, workers, keys = 3, 6, 200
	for b := 0; b < buckets; b++ {
		s.CreateBucket(bg, fmt.Sprint("b", b), "us-east-1", time.Unix(0, 0))
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			bucket := fmt.Sprint("b", w%buckets)
			for i := 0; i < keys; i++ {
				key := fmt.Sprintf("w%d/%03d", w, i)
				if err := s.PutObject(bg, bucket, sealed(key, key), PutCondition{}, "Put"); err != nil {
					t.Error(err)
					return
				}
				if o, err := s.Object(bucket, key); err != nil || string(bodyBytes(o.Body)) != key {
					t.Errorf("read back %s: %v", key, err)
				}
				if i%10 == 0 {
					if _, err := s.List(bucket, ListQuery{Prefix: fmt.Sprintf("w%d/", w), MaxKeys: 1000}); err != nil {
						t.Error(err)
					}
				}
				if i%3 == 0 {
					s.DeleteObjects(bg, bucket, []ObjectID{{Key: key}}, time.Unix(0, 0))
				}
			}
		}(w)
	}
	wg.Wait()
	_, objects, _ := s.Summary()
	want := workers * (keys - (keys+2)/3)
	if objects != want {
		t.Errorf("objects = %d, want %d", objects, want)
	}
	total := 0
	for b := 0; b < buckets; b++ {
		page, _ := s.List(fmt.Sprint("b", b), ListQuery{MaxKeys: 1000})
		total += len(page.Objects)
		for i := 1; i < len(page.Objects); i++ {
			if page.Objects[i-1].Key >= page.Objects[i].Key {
				t.Fatalf("listing out of order: %s, %s", page.Objects[i-1].Key, page.Objects[i].Key)
			}
		}
	}
	if total != want {
		t.Errorf("listed %d, want %d", total, want)
	}
}

// The store's errors carry S3's code, status and the members AWS adds.
func TestStoreErrors(t *testing.T) {
	s := NewStore()
	now := time.Unix(0, 0)
	s.CreateBucket(bg, "b", "us-east-1", now)
	s.PutObject(bg, "b", sealed("k", "v"), PutCondition{}, "Put")
	s.CreateUpload(bg, "b", &Upload{ID: "u1", Key: "mp", Template: &Object{}})
	s.PutPart(bg, "b", "mp", "u1", memPart(1, []byte("small")))
	s.PutPart(bg, "b", "mp", "u1", memPart(2, []byte("tail")))
	_, errObject := s.Object("b", "nope")
	_, errBucket := s.Object("nob", "k")
	_, _, errUpload := s.Parts("b", "mp", "u2")
	_, errWebsite := s.Website("b")
	big := memPart(3, make([]byte, MinPartSize))
	s.PutPart(bg, "b", "mp", "u1", big)
	_, errOrder := s.CompleteUpload(bg, "b", "mp", "u1", []PartRef{{3, big.ETag}, {1, "y"}}, now)
	_, errPart := s.CompleteUpload(bg, "b", "mp", "u1", []PartRef{{1, `"00"`}}, now)
	_, errSmall := s.CompleteUpload(bg, "b", "mp", "u1", []PartRef{{1, sealed("", "small").ETag}, {2, sealed("", "tail").ETag}}, now)
	_, errNoParts := s.CompleteUpload(bg, "b", "mp", "u1", nil, now)
	cases := []struct {
		err    error
		code   string
		status int
		fields string
	}{
		{errObject, "NoSuchKey", 404, "map[Key:nope]"},
		{errBucket, "NoSuchBucket", 404, "map[BucketName:nob]"},
		{errUpload, "NoSuchUpload", 404, "map[UploadId:u2]"},
		{errWebsite, "NoSuchWebsiteConfiguration", 404, "map[BucketName:b]"},
		{s.CreateBucket(bg, "b", "eu-west-1", now), "BucketAlreadyOwnedByYou", 409, "map[BucketName:b]"},
		{s.DeleteBucket(bg, "b"), "BucketNotEmpty", 409, "map[BucketName:b]"},
		{s.PutObject(bg, "b", sealed("k", "w"), PutCondition{IfNoneMatchAny: true}, "Put"), "PreconditionFailed", 412, "map[Condition:If-None-Match]"},
		{s.PutObject(bg, "b", sealed("k", "w"), PutCondition{IfMatch: `"0"`}, "Put"), "PreconditionFailed", 412, "map[Condition:If-Match]"},
		{s.PutObject(bg, "b", sealed("new", "w"), PutCondition{IfMatch: `"0"`}, "Put"), "NoSuchKey", 404, "map[Key:new]"},
		{errOrder, "InvalidPartOrder", 400, "map[UploadId:u1]"},
		{errPart, "InvalidPart", 400, "map[ETag:00 PartNumber:1 UploadId:u1]"},
		{errSmall, "EntityTooSmall", 400, "map[ETag:" + sealed("", "small").ETag[1:33] + " MinSizeAllowed:5242880 PartNumber:1 ProposedSize:5]"},
		{errNoParts, "MalformedXML", 400, "map[]"},
		{s.AbortUpload(bg, "b", "other-key", "u1"), "NoSuchUpload", 404, "map[UploadId:u1]"},
	}
	for i, c := range cases {
		e, ok := c.err.(*awsproto.Error)
		if !ok {
			t.Errorf("case %d: %T %v is not an S3 error", i, c.err, c.err)
			continue
		}
		if e.Code != c.code || e.Status != c.status || fmt.Sprint(e.Fields) != c.fields || e.Message == "" {
			t.Errorf("case %d: %s %d %v %q, want %s %d %s", i, e.Code, e.Status, e.Fields, e.Message, c.code, c.status, c.fields)
		}
	}
}
