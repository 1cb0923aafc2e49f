import FjordDeletion
public import FjordModel
import FjordServiceAPI

/// The compactor's view of the delete request store: requests past their cancellation window are due; applied
/// ones are marked `processed`.
public struct StoredDeleteRequests: DeleteRequestSource {
    let store: DeleteRequestStore

    public init(store: DeleteRequestStore) { self.store = store }

    public func due(tenant: String, now: Int64) async throws -> (requests: [DeletePlanInput], filter: any DeleteLineFilter) {
        let due = try await store.all(tenant: tenant)
            .filter { $0.status == .received && $0.createdAt + store.cancelPeriod <= now }
            .compactMap { try? CompiledDeleteRequest($0) }
        let inputs = due.map {
            DeletePlanInput(id: $0.request.requestID, matchers: $0.matchers, start: $0.request.start, end: $0.request.end,
                            hasLineFilter: $0.hasLineFilter)
        }
        return (inputs, CompiledDeleteFilter(requests: due))
    }

    public func markProcessed(tenant: String, ids: [String], now: Int64) async throws {
        try await store.markProcessed(tenant: tenant, ids: ids)
    }

    public func tenants() async throws -> [String] { try await store.tenants() }
}

/// Line deletion by a set of compiled requests: a line goes when any named request matches it.
struct CompiledDeleteFilter: DeleteLineFilter {
    let requests: [CompiledDeleteRequest]

    func lineDeleter(labels: Labels, requests ids: [String]) -> (@Sendable (Int64, UnsafeRawBufferPointer, Labels) -> Bool)? {
        let wanted = Set(ids)
        let deleters = requests.filter { wanted.contains($0.request.requestID) }.compactMap { $0.lineDeleter(labels: labels) }
        guard !deleters.isEmpty else { return nil }
        return { timestamp, line, metadata in deleters.contains { $0(timestamp, line, metadata) } }
    }
}
