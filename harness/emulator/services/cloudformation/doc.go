// Package cloudformation emulates AWS CloudFormation: templates (JSON and
// YAML with short-form tags) become stacks whose resources are made by
// calling the emulator's own services in-process, as a client would.
// template.go and intrinsics.go must not import net/http or awsproto.
package cloudformation
