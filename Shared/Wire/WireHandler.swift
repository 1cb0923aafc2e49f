public import FjordModel
public import FjordServiceAPI

/// What a role offers over the wire: one method per RPC. ``WireServer`` decodes requests, calls these and
/// encodes the answers. Throw ``ServiceError`` for failures the gateway passes to clients (status and text
/// travel unchanged), ``WireError`` with code `unsupported` for RPCs the role does not serve.
public protocol WireHandler: Sendable {
    func push(tenant: String, streams: [PushStream]) async throws
    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData]
    func query(_ request: QueryRequest) async throws -> QueryResult
    func labelNames(_ request: MetadataRequest) async throws -> [String]
    func labelValues(name: String, _ request: MetadataRequest) async throws -> [String]
    func series(_ request: SeriesRequest) async throws -> [Labels]
    func indexStats(_ request: MetadataRequest) async throws -> IndexStats
    func flush() async throws
    func notReadyReason() async -> String?
    /// Delete-request calls (the compactor); the default answers `unsupported`.
    func deleteRequests(_ call: DeleteRequestCall) async throws -> [DeleteRequest]
    /// Live tail: a subscription whose batches are streamed until the client cancels.
    func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws -> any TailSubscription
}

extension WireHandler {
    public func deleteRequests(_ call: DeleteRequestCall) async throws -> [DeleteRequest] {
        throw WireError(.unsupported, "this node does not serve delete requests")
    }

    public func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws -> any TailSubscription {
        throw WireError(.unsupported, "this node does not serve tail")
    }
}

/// A ``WireHandler`` over the role interfaces a process has: an ingester passes its ``PushTarget``,
/// ``LogSource`` and ``IngesterAdmin``; a querier its ``QueryTarget``. RPCs without a component answer
/// `unsupported` (HTTP 501); `ready` without an admin answers ready.
public struct WireServices: WireHandler {
    public var pushTarget: (any PushTarget)?
    public var logSource: (any LogSource)?
    public var queryTarget: (any QueryTarget)?
    public var admin: (any IngesterAdmin)?
    /// The compactor's delete requests.
    public var deleteTarget: (any DeleteRequestTarget)?
    /// The ingester's live tails.
    public var tailTarget: (any TailTarget)?
    /// Named in `unsupported` errors, e.g. `querier`.
    public var role: String

    public init(role: String, pushTarget: (any PushTarget)? = nil, logSource: (any LogSource)? = nil,
                queryTarget: (any QueryTarget)? = nil, admin: (any IngesterAdmin)? = nil,
                deleteTarget: (any DeleteRequestTarget)? = nil, tailTarget: (any TailTarget)? = nil) {
        self.role = role
        self.tailTarget = tailTarget
        self.deleteTarget = deleteTarget
        self.pushTarget = pushTarget
        self.logSource = logSource
        self.queryTarget = queryTarget
        self.admin = admin
    }

    private func missing(_ what: String) -> WireError {
        WireError(.unsupported, "\(role) does not serve \(what)")
    }

    public func push(tenant: String, streams: [PushStream]) async throws {
        guard let pushTarget else { throw missing("push") }
        try await pushTarget.push(tenant: tenant, streams: streams)
    }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        guard let logSource else { throw missing("select") }
        return try await logSource.select(tenant: tenant, matchers: matchers, start: start, end: end)
    }

    public func query(_ request: QueryRequest) async throws -> QueryResult {
        guard let queryTarget else { throw missing("query") }
        return try await queryTarget.query(request)
    }

    public func labelNames(_ request: MetadataRequest) async throws -> [String] {
        guard let queryTarget else { throw missing("labelNames") }
        return try await queryTarget.labelNames(request)
    }

    public func labelValues(name: String, _ request: MetadataRequest) async throws -> [String] {
        guard let queryTarget else { throw missing("labelValues") }
        return try await queryTarget.labelValues(name: name, request)
    }

    public func series(_ request: SeriesRequest) async throws -> [Labels] {
        guard let queryTarget else { throw missing("series") }
        return try await queryTarget.series(request)
    }

    public func indexStats(_ request: MetadataRequest) async throws -> IndexStats {
        guard let queryTarget else { throw missing("indexStats") }
        return try await queryTarget.indexStats(request)
    }

    public func deleteRequests(_ call: DeleteRequestCall) async throws -> [DeleteRequest] {
        guard let deleteTarget else { throw missing("deleteRequests") }
        return try await call.perform(on: deleteTarget)
    }

    public func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws -> any TailSubscription {
        guard let tailTarget else { throw missing("tail") }
        return try await tailTarget.tail(tenant: tenant, matchers: matchers, bufferEntries: bufferEntries)
    }

    public func flush() async throws {
        guard let admin else { throw missing("flush") }
        try await admin.flushAll()
    }

    public func notReadyReason() async -> String? {
        await admin?.notReadyReason()
    }
}
