import FjordConfig
import FjordDeletion
import FjordRuntime
import FjordStorage
import FjordWire
import Logging
import ServiceLifecycle

/// The `fjord-compactor` process: compaction, retention and deletes on the shared store, the delete-request calls of
/// gateways on its wire listener, plus `/ready`, `/metrics`, `/config`.
public enum CompactorRole {
    public static func run(_ config: FjordConfiguration, version: String) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord.compactor")
        let objects = try RoleRuntime.objectStore(config)
        let store = ChunkStore(objects: objects)
        let deleteRequests = DeleteRequestStore(objects: objects, cancelPeriod: config.compactor.deleteRequestCancelPeriodNanos)
        if let problem = Compactor.validateRetention(config.limits) {
            logger.critical("\(problem)")
            throw ConfigError(problem)
        }
        let limits = try TenantLimits.load(config)
        let compactor = Compactor.make(config: config, store: store, logger: logger, limits: { limits.limits($0) },
                                       deletes: StoredDeleteRequests(store: deleteRequests),
                                       lockOwner: RoleRuntime.nodeName(config))
        let http = try RoleRuntime.operationsServer(config: config, registry: registry, logger: logger, readiness: { nil })
        let wire = try await WireServer.bind(
            configuration: RoleRuntime.wireServerConfiguration(config, role: "compactor", node: RoleRuntime.nodeName(config)),
            handler: WireServices(role: "compactor", deleteTarget: deleteRequests))
        logger.info("fjord-compactor starting", metadata: ["version": "\(version)"])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: CompactorService(compactor: compactor, intervalNanos: config.compactor.compactionIntervalNanos)),
                .init(service: WireServerService(server: wire, logger: logger)),
                .init(service: RuntimeConfigReloader(config: config, limits: limits, logger: logger)),
                .init(service: http),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
