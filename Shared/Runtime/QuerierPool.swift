import FjordModel
public import FjordRing
public import FjordServiceAPI
import FjordWire
import Synchronization

/// Sends queries to the queriers of the membership file, round robin, skipping unhealthy ones and trying the next
/// querier when one cannot be reached. Errors the querier returns (bad query, limits) go to the client unchanged.
public final class QuerierPool: QueryTarget, Sendable {
    let watcher: MembershipWatcher
    let health: HealthMonitor
    let clients: WireClientCache
    private let next = Atomic<Int>(0)

    public init(watcher: MembershipWatcher, health: HealthMonitor, clients: WireClientCache) {
        self.watcher = watcher
        self.health = health
        self.clients = clients
    }

    /// Calls `body` on queriers in turn until one answers (or fails with its own error).
    private func call<T: Sendable>(_ body: (WireClient) async throws(WireError) -> T) async throws(ServiceError) -> T {
        let queriers = watcher.snapshot.membership.queriers
        guard !queriers.isEmpty else { throw ServiceError.unavailable("no querier in the membership file") }
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        let ordered = (0..<queriers.count).map { queriers[(start + $0) % queriers.count] }
        let healthyFirst = ordered.filter { health.status(of: $0.address).isUsable }
            + ordered.filter { !health.status(of: $0.address).isUsable }
        var lastError: ServiceError?
        for querier in healthyFirst {
            let client: WireClient
            do {
                client = try clients.client(for: querier.address)
            } catch {
                lastError = ServiceError(status: 500, message: "\(querier.id): \(error)")
                continue
            }
            do {
                let answer = try await body(client)
                health.record(.success, for: querier.address)
                return answer
            } catch {
                health.record(error.healthObservation, for: querier.address)
                if error.code == .service || error.code == .timeout || error.code == .cancelled {
                    throw error.serviceError(peer: querier.id)
                }
                lastError = error.serviceError(peer: querier.id)
            }
        }
        throw lastError ?? ServiceError.unavailable("no querier answered")
    }

    public func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult {
        try await call { client throws(WireError) in try await client.query(request) }
    }

    public func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String] {
        try await call { client throws(WireError) in try await client.labelNames(request) }
    }

    public func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String] {
        try await call { client throws(WireError) in try await client.labelValues(name: name, request) }
    }

    public func series(_ request: SeriesRequest) async throws(ServiceError) -> [Labels] {
        try await call { client throws(WireError) in try await client.series(request) }
    }

    public func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> IndexStats {
        try await call { client throws(WireError) in try await client.indexStats(request) }
    }
}
