import FjordConfig
import FjordRing
import FjordRuntime
import FjordWire
import Logging
import ServiceLifecycle

/// The `fjord-gateway` process in cluster mode: Loki's HTTP API; pushes are validated here and distributed to
/// ingesters through the ring; queries go to queriers.
public enum GatewayRole {
    public static func run(_ config: FjordConfiguration, version: String) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord.gateway")
        let node = RoleRuntime.nodeName(config)
        let watcher = try MembershipFile.watcher(config)
        let health = HealthMonitor()
        let clients = WireClientCache(configuration: RoleRuntime.wireClientConfiguration(config, role: "gateway", node: node))
        let distributor = RingDistributor(watcher: watcher, health: health, clients: clients, logger: logger)
        let frontend = try QueryFrontendSetup.make(
            config: config, downstream: QuerierPool(watcher: watcher, health: health, clients: clients),
            logger: logger)
        let tenantLimits = try TenantLimits.load(config)
        var deps = GatewayDependencies(
            config: config, push: PushHandler(config: config, target: distributor, limits: tenantLimits),
            query: frontend,
            admin: ClusterAdmin(watcher: watcher, clients: clients),
            metricsText: { registry.emitToBuffer() })
        // Live tails get wire clients of their own: each holds a request slot for as long as it runs.
        deps.tail = RingTailSource(
            watcher: watcher,
            clients: WireClientCache(configuration: RoleRuntime.wireClientConfiguration(config, role: "gateway", node: node)),
            logger: logger, tailMaxDurationNanos: config.querier.tailMaxDurationNanos)
        if !config.common.compactorGRPCAddress.isEmpty {
            deps.deletes = RemoteDeleteRequestTarget(
                client: try clients.client(for: try MemberAddress(parsing: config.common.compactorGRPCAddress)))
        }
        let http = try GatewayHTTP.services(deps, config: config, logger: logger)
        logger.info("fjord-gateway starting", metadata: [
            "version": "\(version)", "ingesters": "\(watcher.snapshot.membership.ingesters.count)",
            "replication_factor": "\(config.ring.replicationFactor)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: MembershipReloader(watcher: watcher, clients: clients, logger: logger)),
                .init(service: RuntimeConfigReloader(config: config, limits: tenantLimits, logger: logger)),
            ] + http.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
