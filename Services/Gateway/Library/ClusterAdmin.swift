import FjordRing
import FjordRuntime
public import FjordServiceAPI
import FjordWire

/// `/flush` and readiness for a gateway in cluster mode: flush asks every ingester of the membership file.
public struct ClusterAdmin: IngesterAdmin {
    let watcher: MembershipWatcher
    let clients: WireClientCache

    public init(watcher: MembershipWatcher, clients: WireClientCache) {
        self.watcher = watcher
        self.clients = clients
    }

    public func flushAll() async throws(ServiceError) {
        let ingesters = watcher.snapshot.membership.ingesters
        let failures = await withTaskGroup(of: String?.self) { group in
            for ingester in ingesters {
                group.addTask { [clients] in
                    do {
                        try await clients.client(for: ingester.address).flush(timeout: .seconds(600))
                        return nil
                    } catch {
                        return "\(ingester.id): \(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if !failures.isEmpty { throw ServiceError.internalError("flush failed on \(failures.sorted().joined(separator: "; "))") }
    }

    public func notReadyReason() async -> String? { nil }
}
