// fjord-querier: the querier role on its own (cluster mode). See docs/architecture.md.
import FjordQuerier
import FjordRuntime

let version = FjordVersion.buildInfo.version
let config = RoleRuntime.loadConfiguration(program: "fjord-querier", role: "querier", version: version)
try await QuerierRole.run(config, version: version)
