package s3

import (
	"encoding/xml"
	"reflect"
	"testing"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// FuzzNotificationConfiguration: no document makes ParseNotification
// panic or fail with anything but an S3 error, and an accepted
// configuration survives GetBucketNotificationConfiguration's encoding
// unchanged.
func FuzzNotificationConfiguration(f *testing.F) {
	f.Add(`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule><FilterRule><Name>Suffix</Name><Value>.txt</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>`)
	f.Add(`<NotificationConfiguration><TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic><Event>s3:ObjectRemoved:Delete</Event></TopicConfiguration><CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectCreated:Put</Event><Event>s3:ObjectCreated:Copy</Event></CloudFunctionConfiguration><EventBridgeConfiguration/></NotificationConfiguration>`)
	f.Add(`<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:0:q</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:0:r</Queue><Event>s3:ObjectCreated:Put</Event></QueueConfiguration></NotificationConfiguration>`)
	f.Add(`<NotificationConfiguration/>`)
	f.Add(`<NotificationConfiguration><QueueConfiguration><Filter><S3Key><FilterRule/></S3Key></Filter></QueueConfiguration></NotificationConfiguration>`)
	n := 0
	newID := func() string { n++; return "generated" }
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := ParseNotification([]byte(doc), newID)
		if err != nil {
			if _, ok := err.(*awsproto.Error); !ok {
				t.Fatalf("%q: not an S3 error: %v", doc, err)
			}
			return
		}
		b, err := xml.Marshal(notificationWire(cfg))
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseNotification(b, newID)
		if err != nil {
			t.Fatalf("our own document %s is refused: %v", b, err)
		}
		if !reflect.DeepEqual(cfg, back) {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", doc, back, cfg)
		}
	})
}
