// Package secretsmanager emulates AWS Secrets Manager (awsJson 1.1): secrets
// with versions and staging labels, per region, scheduled deletion and restore.
// Only the api*.go files speak the wire; store*.go must not import net/http or awsproto.
package secretsmanager
