package cloud

// Capabilities are what an emulator serves beyond the AWS APIs, or of them
// that not every cloud has. GET /_groundstack/health lists them, so a client
// (harness/backend's features) learns what this emulator serves instead of
// assuming it; each is declared by the part that implements it.
const (
	// CapReset: POST /_groundstack/reset empties every store.
	CapReset = "reset"
	// CapHealth: GET /_localstack/health answers in LocalStack's shape.
	CapHealth = "health"
	// CapFunctionURLPaths: function URLs also answer at /_aws/lambda-url/{id}/.
	CapFunctionURLPaths = "function-url-paths"
	// CapWebsitePaths: bucket websites also answer at /_aws/s3-website/{bucket}/.
	CapWebsitePaths = "website-paths"
	// CapWebSocketAPIs: API Gateway v2 WebSocket APIs (declared by the
	// apigatewayv2 service, which serves them).
	CapWebSocketAPIs = "websocket-apis"
	// CapEC2Hosts: RunInstances starts a machine that answers SSH and runs
	// shell commands.
	CapEC2Hosts = "ec2-hosts"
	// CapEC2Python: those machines run python3 scripts.
	CapEC2Python = "ec2-python"
	// CapFaults: /_groundstack/faults injects AWS errors, latency and
	// dropped connections.
	CapFaults = "faults"
	// CapSnapshots: POST /_groundstack/snapshot saves the emulator's state
	// and POST /_groundstack/snapshot/load loads it.
	CapSnapshots = "snapshots"
)

// Capable is a Service, or the HostLauncher, that declares capabilities.
type Capable interface {
	Capabilities() []string
}
