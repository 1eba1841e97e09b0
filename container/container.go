// Package container lets groundstack.Run start the cloud in a Docker
// container: import it for its side effect and ask for the backend.
//
//	import _ "github.com/groundstack/groundstack/container"
//	gs, err := groundstack.Run(ctx, groundstack.WithBackend(groundstack.Container))
//
// It links testcontainers-go, which the groundstack package itself does
// not, so that projects without containers do not pull it in.
package container

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/groundstack/groundstack"
	"github.com/groundstack/groundstack/harness/backend"
	"github.com/groundstack/groundstack/harness/emulator"
)

func init() { groundstack.RegisterBackend(groundstack.Container, Start) }

// ErrDockerUnavailable is wrapped by Start's error when no Docker engine
// answers.
var ErrDockerUnavailable = backend.ErrDockerUnavailable

// Start runs a groundstack container for s: its services, account and
// strict mode travel as groundstack up's environment; the container's edge
// is published on a free host port (s.Port must be 0); logs stay in the
// container (docker logs). The image is s.Image, else GROUNDSTACK_IMAGE,
// else one built from the groundstack checkout the test runs in.
func Start(ctx context.Context, s groundstack.Settings) (groundstack.Started, error) {
	if s.Port != 0 {
		return groundstack.Started{}, errors.New("groundstack: the container backend publishes the edge on a free port; drop WithPort")
	}
	env := map[string]string{}
	if len(s.Services) > 0 {
		env["GROUNDSTACK_SERVICES"] = strings.Join(s.Services, ",")
	}
	if s.Account != "" {
		env[emulator.EnvAccountID] = s.Account
	}
	opts := []backend.ContainerOption{backend.WithContainerEnv(env)}
	image := s.Image
	if image == "" {
		image = strings.TrimSpace(os.Getenv(backend.EnvImage))
	}
	if image != "" {
		opts = append(opts, backend.WithImage(image))
	} else if bin := strings.TrimSpace(os.Getenv(backend.EnvBinary)); bin != "" {
		opts = append(opts, backend.WithBinary(bin))
	}
	if s.StrictAuth {
		opts = append(opts, backend.WithStrictAuth())
	}
	c, err := backend.StartContainer(ctx, opts...)
	if err != nil {
		return groundstack.Started{}, err
	}
	return groundstack.Started{Endpoint: c.Endpoint(), Config: c.Config(), Close: c.Close}, nil
}
