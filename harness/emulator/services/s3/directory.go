package s3

import (
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// The operations of S3 features directory buckets lack (AWS's "Amazon S3
// features not supported by directory buckets"): on a directory bucket
// they answer NotImplemented, as GetObjectTorrent does.
var notForDirectoryBuckets = map[string]bool{}

func init() {
	for _, op := range []string{
		// versioning and object lock
		"PutBucketVersioning", "GetBucketVersioning", "ListObjectVersions",
		"PutObjectLockConfiguration", "GetObjectLockConfiguration",
		"PutObjectRetention", "GetObjectRetention", "PutObjectLegalHold", "GetObjectLegalHold",
		// object tags and ACLs
		"PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging",
		"PutBucketAcl", "GetBucketAcl", "PutObjectAcl", "GetObjectAcl",
		// bucket features
		"PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
		"PutBucketReplication", "GetBucketReplication", "DeleteBucketReplication",
		"PutBucketRequestPayment", "GetBucketRequestPayment",
		"PutBucketOwnershipControls", "GetBucketOwnershipControls", "DeleteBucketOwnershipControls",
		"PutPublicAccessBlock", "GetPublicAccessBlock", "DeletePublicAccessBlock",
		"PutBucketLogging", "GetBucketLogging",
		"PutBucketNotificationConfiguration", "GetBucketNotificationConfiguration",
		"PutBucketAccelerateConfiguration", "GetBucketAccelerateConfiguration",
		"PutBucketAnalyticsConfiguration", "GetBucketAnalyticsConfiguration", "DeleteBucketAnalyticsConfiguration", "ListBucketAnalyticsConfigurations",
		"PutBucketInventoryConfiguration", "GetBucketInventoryConfiguration", "DeleteBucketInventoryConfiguration", "ListBucketInventoryConfigurations",
		"PutBucketMetricsConfiguration", "GetBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration", "ListBucketMetricsConfigurations",
		"PutBucketIntelligentTieringConfiguration", "GetBucketIntelligentTieringConfiguration", "DeleteBucketIntelligentTieringConfiguration", "ListBucketIntelligentTieringConfigurations",
		"PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging",
		"RestoreObject", "SelectObjectContent",
	} {
		notForDirectoryBuckets[op] = true
	}
}

// refuseForDirectoryBucket answers an operation a directory bucket does
// not support; nil for every other request. Only names that end as a
// directory bucket's do are looked up.
func (s *Service) refuseForDirectoryBucket(c *awsproto.Call, op *awsproto.Operation) *awsproto.Error {
	if op == nil || !notForDirectoryBuckets[op.Name] {
		return nil
	}
	bucket, _ := target(c.Request)
	if !strings.HasSuffix(bucket, directoryBucketSuffix) {
		return nil
	}
	if b, err := s.store.Bucket(bucket); err != nil || !b.Directory {
		return nil // the operation answers as it does for any bucket
	}
	return errNotImplemented.New(msgNotForDirectoryBuckets)
}

// checkDirectoryStorageClass refuses, in a directory bucket, a storage
// class other than the one such buckets hold.
func (s *Service) checkDirectoryStorageClass(bucket, storageClass string) error {
	if storageClass == "" || storageClass == "EXPRESS_ONEZONE" || !strings.HasSuffix(bucket, directoryBucketSuffix) {
		return nil
	}
	if b, err := s.store.Bucket(bucket); err != nil || !b.Directory {
		return nil
	}
	return errInvalidStorageClass.New("The storage class you specified is not valid").With("StorageClassRequested", storageClass)
}
