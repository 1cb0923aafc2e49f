import FjordCompactor
import FjordConfig
import FjordDeletion
import FjordGateway
import FjordIngester
import FjordQuerier
import FjordRuler
import FjordRuntime
import FjordStorage
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// Wires every role into one process: the ingester (WAL + flush loop), the querier over the ingester's memory and
/// the local chunk store, the ruler evaluating every rule group through that querier, and the gateway's HTTP API
/// (with the rule API) in front of them.
enum AllInOne {
    static let version = FjordVersion.buildInfo.version

    static func run(_ config: FjordConfiguration) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord")

        let objects = try RoleRuntime.objectStore(config)
        let store = ChunkStore(objects: objects)
        let ingester = try Ingester.open(
            options: IngesterOptions(config: config), sink: ChunkStoreSink(store: store),
            logger: Logger(label: "fjord.ingester"), now: Int64(Date().timeIntervalSince1970 * 1e9))
        let tenantLimits = try TenantLimits.load(config)
        let deleteRequests = DeleteRequestStore(objects: objects, cancelPeriod: config.compactor.deleteRequestCancelPeriodNanos)
        let querier = Querier(ingesters: ingester, store: store, config: config, logger: Logger(label: "fjord.querier"),
                              ingestersInProcess: true,
                              deletes: config.compactor.retentionEnabled ? DeleteRequestCache(store: deleteRequests) : nil)
        let push = PushHandler(config: config, target: ingester, limits: tenantLimits)
        let frontend = try QueryFrontendSetup.make(config: config, downstream: querier,
                                                   logger: Logger(label: "fjord.frontend"))
        let ruler = try Ruler(config: config, query: querier, logger: Logger(label: "fjord.ruler"))
        var gateway = GatewayDependencies(config: config, push: push, query: frontend, admin: ingester,
                                          metricsText: { registry.emitToBuffer() })
        gateway.deletes = deleteRequests
        gateway.tail = ingester
        let http = try GatewayHTTP.services(gateway, config: config, logger: logger,
            listening: "fjord listening", metadata: ["version": "\(version)"]) { router in
            RulerRoutes.register(on: router, ruler: ruler, config: config)
        }
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: IngesterService(ingester: ingester)),
                .init(service: CompactorService(
                    compactor: Compactor.make(config: config, store: store, logger: Logger(label: "fjord.compactor"),
                                              limits: { tenantLimits.limits($0) },
                                              deletes: StoredDeleteRequests(store: deleteRequests),
                                              lockOwner: RoleRuntime.nodeName(config)),
                    intervalNanos: config.compactor.compactionIntervalNanos)),
                .init(service: ruler.service),
                .init(service: RuntimeConfigReloader(config: config, limits: tenantLimits, logger: logger)),
            ] + http.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
