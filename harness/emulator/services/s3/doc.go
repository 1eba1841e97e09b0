// Package s3 emulates Amazon S3 (rest-xml): buckets, objects, listing,
// multipart uploads, presigned URLs, path-style and virtual-hosted requests,
// static website hosting (api_website.go, website.go), and event
// notifications to SQS, SNS and Lambda through cloud.Links (api_notify.go,
// notify.go). api.go routes each request by S3's dispatch table (method,
// bucket and key, sub-resource) to a typed operation on an awsproto.API;
// api_buckets.go, api_objects.go, api_multipart.go, api_website.go and
// api_notify.go hold the operations.
// Only api*.go see HTTP; store*.go must not import net/http or awsproto.
//
// Written by hand rather than on gofakes3 v1.2.0 (evaluated, see the
// package's first commit): gofakes3 stores the aws-chunked framing of the
// SDK's default STREAMING-UNSIGNED-PAYLOAD-TRAILER uploads as object data,
// its s3mem backend and multipart uploader each hold one global lock, its
// errors are its own type (a second table of codes), and presign expiry,
// dotted virtual-host buckets and notification hooks would all have to be
// wrapped around it. The store here locks per bucket and keeps object
// bodies immutable, so readers and copies share them: small ones in memory,
// larger ones in files of a private directory, a multipart object as its
// parts' extents (body.go), reference-counted so no reader loses bytes to
// an overwrite and no file outlives its last reader.
package s3
