import FjordConfig
import FjordRuntime
import FjordStorage
import Logging
import ServiceLifecycle

/// The `fjord-compactor` process: compacts the shared store's index, plus `/ready`, `/metrics`, `/config`.
public enum CompactorRole {
    public static func run(_ config: FjordConfiguration, version: String) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord.compactor")
        let store = ChunkStore(objects: try RoleRuntime.objectStore(config))
        let compactor = Compactor(store: store, logger: logger)
        let http = try RoleRuntime.operationsServer(config: config, registry: registry, logger: logger, readiness: { nil })
        logger.info("fjord-compactor starting", metadata: ["version": "\(version)"])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: CompactorService(compactor: compactor, intervalNanos: config.compactor.compactionIntervalNanos)),
                .init(service: http),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
