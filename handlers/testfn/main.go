// Command testfn is a Lambda handler for testing the platform itself (see
// package fn for its modes), built without the AWS SDK: mode "sdk" and
// TESTFN_REPORT_QUEUE need handlers/testfn/sdk.
package main

import "github.com/groundstack/groundstack/handlers/testfn/fn"

func main() { fn.Main() }
