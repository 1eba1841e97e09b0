package backend

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/groundstack/groundstack/harness/emulator"
)

// Embedded is the emulator running in this process on a loopback port.
type Embedded struct {
	emu      *emulator.Emulator
	cfg      aws.Config
	features Features
}

// StartEmbedded starts an in-process emulator; options are the emulator's.
func StartEmbedded(ctx context.Context, opts ...emulator.Option) (*Embedded, error) {
	e := emulator.New(opts...)
	if err := e.Start(); err != nil {
		return nil, err
	}
	return &Embedded{emu: e, cfg: SDKConfig(e.URL(), ""), features: groundstackFeatures(e.Capabilities())}, nil
}

// StartStrictEmbedded starts an in-process emulator in strict SigV4 mode
// (GROUNDSTACK_STRICT_AUTH=1) with a key pair made now, which Config signs
// with: anything else, test credentials included, is refused as AWS
// refuses it.
func StartStrictEmbedded(ctx context.Context, opts ...emulator.Option) (*Embedded, error) {
	id, secret := "AKIA"+strings.ToUpper(rand.Text()[:16]), rand.Text()+rand.Text()
	b, err := StartEmbedded(ctx, append(opts, emulator.WithStrictAuth(map[string]string{id: secret}))...)
	if err != nil {
		return nil, err
	}
	b.cfg.Credentials = credentials.NewStaticCredentialsProvider(id, secret, "")
	return b, nil
}

func (b *Embedded) Name() string       { return "embedded" }
func (b *Embedded) Endpoint() string   { return b.emu.URL() }
func (b *Embedded) Config() aws.Config { return b.cfg.Copy() }
func (b *Embedded) Close() error       { return b.emu.Close() }

// Reset empties every store in place.
func (b *Embedded) Reset(ctx context.Context) error {
	b.emu.Reset()
	return nil
}

// Emulator exposes the running emulator (for the CLI; suites must not use it).
func (b *Embedded) Emulator() *emulator.Emulator { return b.emu }

// Supports answers from the capabilities the emulator declared when it
// started (its services, and what its EC2 hosts can run).
func (b *Embedded) Supports(f Feature) bool { return b.features.Has(f) }
