// Package ec2 emulates the subset of Amazon EC2 (EC2 query protocol) that
// runs fake hosts: instances and their state machine, key pairs and tags.
// Only the api*.go files speak the wire; store*.go must not import net/http or awsproto.
package ec2
