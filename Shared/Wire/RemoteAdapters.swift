public import FjordModel
public import FjordServiceAPI

// The role interfaces over one server's WireClient. The ring module combines several of them (replication,
// quorum, read merge); these only translate calls and errors.

/// A ``PushTarget`` that is one remote ingester.
public struct RemotePushTarget: PushTarget {
    public let client: WireClient

    public init(client: WireClient) { self.client = client }

    public func push(tenant: String, streams: [PushStream]) async throws(ServiceError) {
        do {
            try await client.push(tenant: tenant, streams: streams)
        } catch {
            throw error.serviceError(peer: client.address)
        }
    }
}

/// A ``LogSource`` over one remote ingester's memory: blocks arrive as stored bytes or batches and decode locally.
/// Throws ``WireError``.
public struct RemoteLogSource: LogSource {
    public let client: WireClient

    public init(client: WireClient) { self.client = client }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        try await client.select(tenant: tenant, matchers: matchers, start: start, end: end)
    }
}

/// A ``QueryTarget`` that is one remote querier.
public struct RemoteQueryTarget: QueryTarget {
    public let client: WireClient

    public init(client: WireClient) { self.client = client }

    public func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult {
        do { return try await client.query(request) } catch { throw error.serviceError(peer: client.address) }
    }

    public func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String] {
        do { return try await client.labelNames(request) } catch { throw error.serviceError(peer: client.address) }
    }

    public func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String] {
        do { return try await client.labelValues(name: name, request) } catch { throw error.serviceError(peer: client.address) }
    }

    public func series(_ request: SeriesRequest) async throws(ServiceError) -> [Labels] {
        do { return try await client.series(request) } catch { throw error.serviceError(peer: client.address) }
    }

    public func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> IndexStats {
        do { return try await client.indexStats(request) } catch { throw error.serviceError(peer: client.address) }
    }
}

/// An ``IngesterAdmin`` that is one remote ingester. An unreachable ingester is not ready, with the reason.
public struct RemoteIngesterAdmin: IngesterAdmin {
    public let client: WireClient

    public init(client: WireClient) { self.client = client }

    public func flushAll() async throws(ServiceError) {
        do { try await client.flush() } catch { throw error.serviceError(peer: client.address) }
    }

    public func notReadyReason() async -> String? {
        do { return try await client.notReadyReason() } catch { return "\(client.address): \(error.message)" }
    }
}
