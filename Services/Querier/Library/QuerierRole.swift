import FjordConfig
import FjordDeletion
import FjordRing
import FjordRuntime
import FjordStorage
import FjordWire
import Logging
import ServiceLifecycle

/// The `fjord-querier` process: LogQL over the ingesters (through the ring) and the shared chunk store, served on
/// the internal wire protocol to gateways, plus `/ready`, `/metrics`, `/config`.
public enum QuerierRole {
    public static func run(_ config: FjordConfiguration, version: String) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord.querier")
        let node = RoleRuntime.nodeName(config)
        let watcher = try MembershipFile.watcher(config)
        let health = HealthMonitor()
        let clients = WireClientCache(configuration: RoleRuntime.wireClientConfiguration(config, role: "querier", node: node))
        let ingesters = RingIngesterSource(watcher: watcher, health: health, clients: clients, logger: logger)
        let objects = try RoleRuntime.objectStore(config)
        let store = ChunkStore(objects: objects)
        let deletes = DeleteRequestStore(objects: objects, cancelPeriod: config.compactor.deleteRequestCancelPeriodNanos)
        let querier = Querier(ingesters: ingesters, store: store, config: config, logger: logger,
                              deletes: config.compactor.retentionEnabled ? DeleteRequestCache(store: deletes) : nil)
        let wire = try await WireServer.bind(
            configuration: RoleRuntime.wireServerConfiguration(config, role: "querier", node: node),
            handler: WireServices(role: "querier", queryTarget: querier))
        let http = try RoleRuntime.operationsServer(config: config, registry: registry, logger: logger, readiness: { nil })
        logger.info("fjord-querier starting", metadata: ["version": "\(version)", "node": "\(node)"])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: MembershipReloader(watcher: watcher, clients: clients, logger: logger)),
                .init(service: WireServerService(server: wire, logger: logger)),
                .init(service: http),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
