/// The compiled delete requests of each tenant, re-read from the ``DeleteRequestStore`` at most every `ttl`
/// nanoseconds, for queriers. Requests whose query no longer parses are skipped (the gateway validated them).
public actor DeleteRequestCache {
    let store: DeleteRequestStore
    let ttl: Int64
    let clock: @Sendable () -> Int64
    private var entries: [String: (loadedAt: Int64, requests: [CompiledDeleteRequest])] = [:]

    public init(store: DeleteRequestStore, ttl: Int64 = 1_000_000_000) {
        self.store = store
        self.ttl = ttl
        self.clock = store.clock
    }

    /// The tenant's requests in force.
    public func requests(tenant: String) async throws -> [CompiledDeleteRequest] {
        let now = clock()
        if let entry = entries[tenant], now - entry.loadedAt < ttl { return entry.requests }
        let compiled = try await store.all(tenant: tenant).compactMap { try? CompiledDeleteRequest($0) }
        entries[tenant] = (now, compiled)
        return compiled
    }
}
