package s3_test

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 sends user metadata headers in lower case (x-amz-meta-who), and
// clients that keep the case they read (boto3's Metadata dict) depend on
// it: X-Amz-Meta-Who came back as {"Who": …}. botocore reads only header
// maps (S3's Metadata on GetObject and HeadObject) with their case; every
// other header it looks up case-insensitively.
func TestMetadataHeadersAreLowerCaseOnTheWire(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("meta")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("meta"), Key: aws.String("k"),
		Body: strings.NewReader("x"), Metadata: map[string]string{"Who": "me", "long-name": "v", "My-Meta": "m"}}); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(e.URL())
	for _, method := range []string{"HEAD", "GET"} {
		t.Run(method, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := conn.Write([]byte(method + " /meta/k HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			var metaLines []string
			sc := bufio.NewScanner(conn)
			for sc.Scan() {
				line := sc.Text()
				if line == "" {
					break
				}
				if strings.HasPrefix(strings.ToLower(line), "x-amz-meta-") {
					metaLines = append(metaLines, line)
				}
			}
			want := map[string]bool{"x-amz-meta-who: me": true, "x-amz-meta-long-name: v": true, "x-amz-meta-my-meta: m": true}
			if len(metaLines) != len(want) {
				t.Fatalf("metadata headers %q, want %v", metaLines, want)
			}
			for _, l := range metaLines {
				if !want[l] {
					t.Errorf("metadata header %q, want lower-case names as S3 sends them", l)
				}
			}
		})
	}
}
