package s3

import (
	"encoding/xml"
	"reflect"
	"testing"
)

// FuzzTagging: no Tagging document makes parseTagging panic, and an
// accepted tag set survives GetBucketTagging's encoding unchanged.
func FuzzTagging(f *testing.F) {
	f.Add(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b c</Key><Value></Value></Tag></TagSet></Tagging>`)
	f.Add(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet/></Tagging>`)
	f.Add(`<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>`)
	f.Add(`<Other/>`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []tagSetKind{objectTags, bucketTags} {
			tags, err := parseTagging([]byte(doc), kind)
			if err != nil {
				continue
			}
			b, err := xml.Marshal(taggingOf(tags))
			if err != nil {
				t.Fatal(err)
			}
			back, err := parseTagging(b, kind)
			if err != nil {
				t.Fatalf("our own document %s is refused: %v", b, err)
			}
			if !reflect.DeepEqual(tags, back) {
				t.Fatalf("round trip changed the tags:\n%+v\n%+v", tags, back)
			}
		}
	})
}

// FuzzTaggingHeader: no x-amz-tagging value makes parseTaggingHeader panic,
// and what it accepts passes S3's object tag rules.
func FuzzTaggingHeader(f *testing.F) {
	f.Add("a=1&b=2")
	f.Add("a%20b=c%2Bd&e")
	f.Add("a=1&a=2")
	f.Add("%zz=1")
	f.Fuzz(func(t *testing.T, h string) {
		tags, err := parseTaggingHeader(h)
		if err != nil {
			return
		}
		if err := checkTags(tags, objectTags); err != nil {
			t.Fatalf("accepted %q: %v", h, err)
		}
	})
}
