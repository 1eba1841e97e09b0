package backend

import (
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// Internals the external tests look at.
var (
	OwnerGoneForTest           = ownerGone
	OwnerLabelForTest          = ownerLabel
	ProcessStartForTest        = processStart
	LocalStackFeaturesForTest  = localStackFeatures
	GroundstackFeaturesForTest = groundstackFeatures
	WithDockerfileForTest      = withDockerfile
	EmulatorDockerfileForTest  = emulatorDockerfile
)

// LocalStackRequestForTest is the image, start timeout and request options
// StartLocalStack would use.
func LocalStackRequestForTest(c LocalStackConfig) (string, time.Duration, []testcontainers.ContainerCustomizer) {
	return c.request()
}

// EmulatorImageForTest is the tag and build context of the image around bin.
func EmulatorImageForTest(bin []byte) (tag string, archive []byte, err error) {
	spec := emulatorImage(bin, emulatorDockerfile, nil)
	archive, err = spec.archive()
	return spec.tag(), archive, err
}
