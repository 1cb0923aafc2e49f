// fjord: every Fjord role in one process with local disk (the embedded default). `-target=<role>` runs one role
// instead, exactly like the `fjord-<role>` executables. `fjord credentials …` makes credentials-file entries.
import FjordCompactor
import Foundation
import FjordGateway
import FjordIngester
import FjordQuerier
import FjordRuler
import FjordRuntime

if CommandLine.arguments.dropFirst().first == "credentials" {
    exit(CredentialsCommand.run(Array(CommandLine.arguments.dropFirst(2))))
}
let version = FjordVersion.buildInfo.version
let config = RoleRuntime.loadConfiguration(program: "fjord", role: nil, version: version)
switch config.target {
case "gateway": try await GatewayRole.run(config, version: version)
case "ingester": try await IngesterRole.run(config, version: version)
case "querier": try await QuerierRole.run(config, version: version)
case "compactor": try await CompactorRole.run(config, version: version)
case "ruler": try await RulerRole.run(config, version: version)
default: try await AllInOne.run(config)
}
