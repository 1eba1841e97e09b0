package lab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The stand-in for image processing: the thumbnail is the first
// ThumbnailBytes bytes of the image, labelled ThumbnailSize.
const (
	ThumbnailBytes = 1024
	ThumbnailSize  = "150x150"
	// maxImageBytes bounds what one invocation reads into memory.
	maxImageBytes = 64 << 20
)

// ImageEvent is a direct call ({"bucket","key"}) or an S3 notification.
type ImageEvent struct {
	Bucket  string `json:"bucket"`
	Key     string `json:"key"`
	Records []struct {
		S3 struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

// ProcessedImage is one image's result, as the Python handler answers it.
type ProcessedImage struct {
	ImageID      string `json:"imageId"`
	OriginalKey  string `json:"originalKey"`
	ProcessedKey string `json:"processedKey"`
	ThumbnailKey string `json:"thumbnailKey"`
	Size         int    `json:"size"`
	Status       string `json:"status"`
}

// ImageID is the id of an image: the same bucket and key, the same id.
func ImageID(bucket, key string) string {
	sum := sha256.Sum256([]byte(bucket + "/" + key))
	return hex.EncodeToString(sum[:])[:16]
}

// uploads are the event's (bucket, key) pairs; notification keys are
// URL-encoded with '+' for spaces, as S3 sends them.
func (e ImageEvent) uploads() ([][2]string, error) {
	if e.Records == nil {
		if e.Bucket == "" || e.Key == "" {
			return nil, fmt.Errorf("%w: want {\"bucket\", \"key\"} or an S3 notification", ErrBadEvent)
		}
		return [][2]string{{e.Bucket, e.Key}}, nil
	}
	var out [][2]string
	for _, r := range e.Records {
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: object key %q: %v", ErrBadEvent, r.S3.Object.Key, err)
		}
		out = append(out, [2]string{r.S3.Bucket.Name, key})
	}
	return out, nil
}

// ProcessImages handles the image function's event; it answers
// {"statusCode": 200, "body": "{\"processed\": [...]}"} like the Python one.
func (l *Lab) ProcessImages(ctx context.Context, e ImageEvent) (map[string]any, error) {
	ups, err := e.uploads()
	if err != nil {
		return nil, err
	}
	results := []ProcessedImage{}
	for _, u := range ups {
		r, err := l.processImage(ctx, u[0], u[1])
		if err != nil {
			return nil, err
		}
		results = append(results, r)
	}
	body, err := json.Marshal(map[string]any{"processed": results})
	if err != nil {
		return nil, err
	}
	return map[string]any{"statusCode": 200, "body": string(body)}, nil
}

func (l *Lab) processImage(ctx context.Context, bucket, key string) (ProcessedImage, error) {
	s := l.Settings
	head, err := l.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return ProcessedImage{}, fmt.Errorf("head s3://%s/%s: %w", bucket, key, err)
	}
	obj, err := l.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return ProcessedImage{}, fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	body, err := io.ReadAll(io.LimitReader(obj.Body, maxImageBytes+1))
	obj.Body.Close()
	if err != nil {
		return ProcessedImage{}, err
	}
	if len(body) > maxImageBytes {
		return ProcessedImage{}, fmt.Errorf("s3://%s/%s is larger than %d bytes", bucket, key, maxImageBytes)
	}
	contentType := aws.ToString(head.ContentType)
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	var uploaded int64
	if head.LastModified != nil {
		uploaded = head.LastModified.Unix()
	}
	id := ImageID(bucket, key)
	processedKey, thumbnailKey := "processed/"+key, "thumbnails/"+key
	if _, err := l.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.ProcessedBucket, Key: &processedKey, Body: bytes.NewReader(body), ContentType: &contentType,
		Metadata: map[string]string{"original-bucket": bucket, "original-key": key, "image-id": id, "processed": "true"},
	}); err != nil {
		return ProcessedImage{}, fmt.Errorf("put the processed copy: %w", err)
	}
	thumb := body[:min(len(body), ThumbnailBytes)]
	if _, err := l.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.ThumbnailsBucket, Key: &thumbnailKey, Body: bytes.NewReader(thumb), ContentType: &contentType,
		Metadata: map[string]string{"original-key": key, "image-id": id, "thumbnail-size": ThumbnailSize},
	}); err != nil {
		return ProcessedImage{}, fmt.Errorf("put the thumbnail: %w", err)
	}
	item := map[string]dtypes.AttributeValue{
		"ImageId":         str(id),
		"UploadTimestamp": num(uploaded),
		"OriginalBucket":  str(bucket),
		"OriginalKey":     str(key),
		"ProcessedKey":    str(processedKey),
		"ThumbnailKey":    str(thumbnailKey),
		"ContentType":     str(contentType),
		"Size":            num(int64(len(body))),
		"Status":          str("processed"),
		"ProcessedAt":     str(l.isoNow()),
	}
	if _, err := l.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.ImagesTable, Item: item}); err != nil {
		return ProcessedImage{}, fmt.Errorf("record the image: %w", err)
	}
	fmt.Printf("processed s3://%s/%s (%d bytes) as image %s\n", bucket, key, len(body), id)
	return ProcessedImage{ImageID: id, OriginalKey: key, ProcessedKey: processedKey, ThumbnailKey: thumbnailKey,
		Size: len(body), Status: "processed"}, nil
}

func str(s string) dtypes.AttributeValue { return &dtypes.AttributeValueMemberS{Value: s} }
func num(n int64) dtypes.AttributeValue {
	return &dtypes.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
