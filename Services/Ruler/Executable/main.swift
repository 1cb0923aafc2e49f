// fjord-ruler: the ruler role on its own (cluster mode). See docs/ruler.md.
import FjordRuler
import FjordRuntime

let version = FjordVersion.buildInfo.version
let config = RoleRuntime.loadConfiguration(program: "fjord-ruler", role: "ruler", version: version)
try await RulerRole.run(config, version: version)
