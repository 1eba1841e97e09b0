// Package events measures event freshness: for each path an event can take
// through the cloud (S3 PUT → Lambda, S3 PUT → SQS, SNS → SQS, SNS →
// Lambda, SQS → Lambda, DynamoDB → Streams → Lambda, SQS long polling),
// the time from the producing call's acknowledgement to the consumer's
// handler start, as HDR histograms with losses and duplicates counted, one
// event at a time and open-loop at a stated rate. Lambda consumers are the
// handlers/eventprobe function, reporting to a Collector on loopback; queue
// consumers are long-polling SDK clients here. It reaches the cloud only
// through the AWS SDK and harness/deploy, never harness/emulator.
package events
