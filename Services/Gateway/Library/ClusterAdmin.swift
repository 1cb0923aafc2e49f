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
                group.addTask { [clients] in await ClusterAdmin.flush(ingester, clients: clients) }
            }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if !failures.isEmpty { throw ServiceError.internalError("flush failed on \(failures.sorted().joined(separator: "; "))") }
    }

    /// One ingester's flush; its failure as text. The untyped `client(for:)` and the typed-throwing `flush` are caught
    /// apart: one `do` around both made Swift 6.3.1 crash with -O (signal 11 while splitting the coroutine).
    private static func flush(_ ingester: Member, clients: WireClientCache) async -> String? {
        let client: WireClient
        do { client = try clients.client(for: ingester.address) } catch { return "\(ingester.id): \(error)" }
        do { try await client.flush(timeout: .seconds(600)) } catch { return "\(ingester.id): \(error.message)" }
        return nil
    }

    public func notReadyReason() async -> String? { nil }
}
