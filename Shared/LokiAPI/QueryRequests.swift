public import FjordLogQL
public import FjordModel

/// `GET|POST /loki/api/v1/query_range` parameters after Loki's checks (`ParseRangeQuery`). Times in Unix
/// nanoseconds, `step` and `interval` in nanoseconds.
public struct RangeQueryRequest: Sendable, Hashable {
    public var query: String
    public var start: Int64
    public var end: Int64
    public var step: Int64
    /// Log queries only: minimum spacing between returned entries (0 = all).
    public var interval: Int64
    public var limit: Int
    public var direction: Direction
    /// `shards` values as sent (internal sharding hints; usually empty).
    public var shards: [String]

    public init(
        query: String, start: Int64, end: Int64, step: Int64, interval: Int64 = 0, limit: Int = 100,
        direction: Direction = .backward, shards: [String] = []
    ) {
        self.query = query
        self.start = start
        self.end = end
        self.step = step
        self.interval = interval
        self.limit = limit
        self.direction = direction
        self.shards = shards
    }

    /// Parses and checks the parameters in Loki's order: bounds, `end` ≥ `start`, `limit`, `direction`, `step`
    /// (sign, 11,000 points), `interval`. `now` is the request's arrival time in Unix nanoseconds.
    public static func parse(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> RangeQueryRequest {
        let query = parameters.first("query")
        let (start, end) = try ParameterRules.bounds(parameters, now: now)
        try ParameterRules.requireOrdered(start: start, end: end)
        let limit = try ParameterRules.limit(parameters)
        let direction = try ParameterRules.direction(parameters)
        let step = try ParameterRules.step(parameters, start: start, end: end)
        let interval = try ParameterRules.interval(parameters)
        return RangeQueryRequest(
            query: query, start: start, end: end, step: step, interval: interval, limit: limit, direction: direction,
            shards: parameters.all("shards"))
    }

    /// Same as ``parse(_:now:)`` for a plain parameter dictionary.
    public static func parse(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> RangeQueryRequest {
        try parse(FormParameters(parameters), now: now)
    }

    /// The frontend's `max_entries_limit_per_query` check, applied to log queries only (Loki's default 5000; 0
    /// disables it).
    public func validateEntriesLimit(for expr: Expr, maxEntriesLimitPerQuery: Int = 5000) throws(LokiAPIError) {
        guard case .log = expr else { return }
        try EntriesLimit.check(limit: limit, max: maxEntriesLimitPerQuery)
    }
}

/// `GET|POST /loki/api/v1/query` parameters after Loki's checks (`ParseInstantQuery`).
public struct InstantQueryRequest: Sendable, Hashable {
    public var query: String
    /// Evaluation time, Unix nanoseconds.
    public var time: Int64
    public var limit: Int
    public var direction: Direction
    public var shards: [String]

    public init(query: String, time: Int64, limit: Int = 100, direction: Direction = .backward, shards: [String] = []) {
        self.query = query
        self.time = time
        self.limit = limit
        self.direction = direction
        self.shards = shards
    }

    /// Parses in Loki's order: `limit`, `time` (default `now`; its error has no parameter-name prefix), `direction`.
    public static func parse(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> InstantQueryRequest {
        let query = parameters.first("query")
        let limit = try ParameterRules.limit(parameters)
        let time = try TimeParameters.parseTimestamp(parameters.first("time"), default: now)
        let direction = try ParameterRules.direction(parameters)
        return InstantQueryRequest(
            query: query, time: time, limit: limit, direction: direction, shards: parameters.all("shards"))
    }

    /// Same as ``parse(_:now:)`` for a plain parameter dictionary.
    public static func parse(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> InstantQueryRequest {
        try parse(FormParameters(parameters), now: now)
    }

    /// Instant queries take metric expressions only; a log selector is a 400.
    public func validate(for expr: Expr) throws(LokiAPIError) {
        if case .log = expr { throw LokiAPIError.logQueryAsInstant }
    }
}

/// The `max_entries_limit_per_query` rule.
enum EntriesLimit {
    static func check(limit: Int, max: Int) throws(LokiAPIError) {
        if max != 0, limit > max { throw LokiAPIError.maxEntriesLimitExceeded(limit: limit, max: max) }
    }
}
