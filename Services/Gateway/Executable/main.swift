// fjord-gateway: the gateway role on its own (cluster mode). See docs/architecture.md.
import FjordGateway
import FjordRuntime

let version = FjordVersion.buildInfo.version
let config = RoleRuntime.loadConfiguration(program: "fjord-gateway", role: "gateway", version: version)
try await GatewayRole.run(config, version: version)
