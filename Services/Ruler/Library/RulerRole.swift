import FjordConfig
import FjordRing
import FjordRules
import FjordRuntime
import Logging
import ServiceLifecycle

/// The `fjord-ruler` process: evaluates the rule groups the ruler ring gives it, running their LogQL on the queriers
/// of the membership file (round robin with failover, like the gateway), and serves the rule API plus `/ready`,
/// `/metrics`, `/config` on its HTTP port.
public enum RulerRole {
    public static func run(_ config: FjordConfiguration, version: String) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord.ruler")
        let node = RoleRuntime.nodeName(config)
        let watcher = try MembershipFile.watcher(config)
        let health = HealthMonitor()
        let clients = WireClientCache(configuration: RoleRuntime.wireClientConfiguration(config, role: "ruler", node: node))
        let queriers = QuerierPool(watcher: watcher, health: health, clients: clients)
        let ruler = try Ruler(config: config, query: queriers, sharding: {
            RuleSharding(rulers: watcher.snapshot.membership.rulers, instanceID: node,
                         tokensPerRuler: watcher.snapshot.membership.tokensPerIngester)
        }, logger: logger)
        let rulers = watcher.snapshot.membership.rulers
        if !rulers.isEmpty, !rulers.contains(where: { $0.id == node }) {
            logger.warning("this ruler is not listed under rulers: in the membership file and evaluates no group",
                           metadata: ["node": "\(node)"])
        }
        let (authenticator, authServices) = try APIAuthentication.make(config, logger: logger)
        let http = try RoleRuntime.operationsServer(config: config, registry: registry, logger: logger, readiness: { nil },
                                                    authenticator: authenticator) { router in
            RulerRoutes.register(on: router, ruler: ruler, config: config)
        }
        logger.info("fjord-ruler starting", metadata: [
            "version": "\(version)", "node": "\(node)", "rules": "\(config.rulesDirectory)",
            "rulers": "\(rulers.count)", "queriers": "\(watcher.snapshot.membership.queriers.count)",
        ])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: MembershipReloader(watcher: watcher, clients: clients, logger: logger)),
                .init(service: ruler.service),
                .init(service: http),
            ] + authServices.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
