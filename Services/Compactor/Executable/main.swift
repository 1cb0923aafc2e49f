// fjord-compactor: the compactor role on its own (cluster mode). See docs/architecture.md.
import FjordCompactor
import FjordRuntime

let version = FjordVersion.buildInfo.version
let config = RoleRuntime.loadConfiguration(program: "fjord-compactor", role: "compactor", version: version)
try await CompactorRole.run(config, version: version)
