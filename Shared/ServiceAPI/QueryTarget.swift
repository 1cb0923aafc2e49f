public import FjordModel

/// A LogQL query as the querier receives it (already authenticated; parameters already parsed and validated).
public struct QueryRequest: Sendable, Hashable {
    /// One tenant, or several for a multi-tenant query (`a|b`).
    public var tenants: [String]
    public var query: String
    /// Unix nanoseconds. For an instant query `start == end == time`.
    public var start: Int64
    public var end: Int64
    /// Nanoseconds; 0 for instant queries.
    public var step: Int64
    /// Nanoseconds; log queries only.
    public var interval: Int64
    public var limit: Int
    public var direction: Direction
    public var isInstant: Bool
    /// `Cache-Control: no-cache`: the query frontend neither reads nor writes the results cache. Only the gateway's
    /// frontend looks at it, so the wire protocol does not carry it.
    public var bypassCache: Bool

    public init(tenants: [String], query: String, start: Int64, end: Int64, step: Int64, interval: Int64 = 0,
                limit: Int = 100, direction: Direction = .backward, isInstant: Bool = false,
                bypassCache: Bool = false) {
        self.tenants = tenants
        self.query = query
        self.start = start
        self.end = end
        self.step = step
        self.interval = interval
        self.limit = limit
        self.direction = direction
        self.isInstant = isInstant
        self.bypassCache = bypassCache
    }
}

/// Parameters of `/labels`, `/label/<name>/values`, `/index/stats`.
public struct MetadataRequest: Sendable, Hashable {
    public var tenants: [String]
    public var start: Int64
    public var end: Int64
    /// Optional stream selector (`query` parameter).
    public var selector: String?

    public init(tenants: [String], start: Int64, end: Int64, selector: String? = nil) {
        self.tenants = tenants
        self.start = start
        self.end = end
        self.selector = selector
    }
}

/// Parameters of `/series`.
public struct SeriesRequest: Sendable, Hashable {
    public var tenants: [String]
    public var start: Int64
    public var end: Int64
    /// `match[]` selectors (union); empty means all series.
    public var selectors: [String]

    public init(tenants: [String], start: Int64, end: Int64, selectors: [String]) {
        self.tenants = tenants
        self.start = start
        self.end = end
        self.selectors = selectors
    }
}

/// Answer of `/index/stats`.
public struct IndexStats: Sendable, Hashable {
    public var streams: Int
    public var chunks: Int
    public var bytes: Int
    public var entries: Int

    public init(streams: Int = 0, chunks: Int = 0, bytes: Int = 0, entries: Int = 0) {
        self.streams = streams
        self.chunks = chunks
        self.bytes = bytes
        self.entries = entries
    }
}

/// What the gateway asks queriers: in process for the all-in-one, over the wire in cluster mode.
public protocol QueryTarget: Sendable {
    /// Runs a log or metric query. Parse errors, limits and pipeline errors are ``ServiceError``s with Loki's text.
    func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult
    func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String]
    func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String]
    func series(_ request: SeriesRequest) async throws(ServiceError) -> [Labels]
    func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> IndexStats
}

/// Operations on ingesters exposed over HTTP (`/flush`, readiness).
public protocol IngesterAdmin: Sendable {
    /// Flushes every in-memory chunk to the store (`/flush`).
    func flushAll() async throws(ServiceError)
    /// Nil when ready; otherwise why not (`/ready` answers 503 with it).
    func notReadyReason() async -> String?
}
