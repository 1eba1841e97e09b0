// Package eventpattern is AWS's event-pattern language, one engine for the
// services that filter with it: SNS subscription filter policies and
// Lambda event source mapping filter criteria (exact, prefix, suffix,
// equals-ignore-case, anything-but, numeric, exists, cidr, $or, nested
// objects). It imports no service and no wire protocol.
package eventpattern
