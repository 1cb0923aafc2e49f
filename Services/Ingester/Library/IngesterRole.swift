import FjordConfig
import FjordRuntime
import FjordServiceAPI
import FjordStorage
import FjordWire
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The `fjord-ingester` process: the ingester (WAL, memory, flush to the shared store) behind the internal wire
/// protocol (push, select, flush, ready) plus the operational HTTP endpoints (`/ready`, `/metrics`, `/config`,
/// `/flush`).
public enum IngesterRole {
    public static func run(_ config: FjordConfiguration, version: String) async throws {
        let (logger, registry) = RoleRuntime.bootstrap(config, label: "fjord.ingester")
        let store = ChunkStore(objects: try RoleRuntime.objectStore(config))
        let ingester = try Ingester.open(options: IngesterOptions(config: config), sink: ChunkStoreSink(store: store),
                                         logger: logger, now: Int64(Date().timeIntervalSince1970 * 1e9))
        let node = RoleRuntime.nodeName(config)
        let wire = try await WireServer.bind(
            configuration: RoleRuntime.wireServerConfiguration(config, role: "ingester", node: node),
            handler: WireServices(role: "ingester", pushTarget: ingester, logSource: ingester, admin: ingester,
                                  tailTarget: ingester))
        let http = try RoleRuntime.operationsServer(
            config: config, registry: registry, logger: logger,
            readiness: { await ingester.notReadyReason() },
            routes: { router in
                for method in [HTTPRequest.Method.get, .post] {
                    router.on("/flush", method: method) { _, _ in
                        do {
                            try await ingester.flushAll()
                        } catch let error as ServiceError {
                            var headers = HTTPFields()
                            headers[.contentType] = "text/plain; charset=utf-8"
                            return Response(status: .init(code: error.status), headers: headers,
                                            body: .init(byteBuffer: ByteBuffer(string: error.message)))
                        }
                        return Response(status: .noContent)
                    }
                }
            })
        logger.info("fjord-ingester starting", metadata: ["version": "\(version)", "node": "\(node)"])
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: IngesterService(ingester: ingester)),
                .init(service: WireServerService(server: wire, logger: logger)),
                .init(service: http),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
