// Package ec2host is the fake EC2 instance: an SSH server (public-key auth,
// pinned host key, exec in a sandbox directory, SFTP confined to it) that
// the emulator's EC2 service starts and stops. It imports only the emulator's
// cloud package (for the HostLauncher contract), never services or handlers.
package ec2host
