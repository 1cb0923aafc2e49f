// fjord-ingester: the ingester role on its own (cluster mode). See docs/architecture.md.
import FjordIngester
import FjordRuntime

let version = FjordVersion.buildInfo.version
let config = RoleRuntime.loadConfiguration(program: "fjord-ingester", role: "ingester", version: version)
try await IngesterRole.run(config, version: version)
