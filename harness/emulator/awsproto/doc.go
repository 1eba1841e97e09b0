// Package awsproto speaks AWS's wire protocols: awsJson 1.0/1.1, query,
// rest-xml and rest-json, SigV4, and the one error type every service uses.
// It knows no service and must not import any package under services/.
package awsproto
