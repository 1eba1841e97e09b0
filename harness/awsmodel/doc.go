// Package awsmodel reads AWS's service models (the service-2.json.gz files
// botocore ships as data) from the installed botocore: operations, shapes,
// constraints, http bindings. It imports only the standard library.
package awsmodel
