package emulator

import (
	"github.com/groundstack/groundstack/harness/emulator/cloud"
	"github.com/groundstack/groundstack/harness/emulator/services/logs"
	"github.com/groundstack/groundstack/harness/emulator/services/secretsmanager"
)

// builtins constructs every service the emulator serves. Adding a service is
// one line here.
func builtins(env *cloud.Env) []cloud.Service {
	return []cloud.Service{
		secretsmanager.New(env),
		logs.New(env),
	}
}
