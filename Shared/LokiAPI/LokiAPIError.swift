import FjordModel

/// An HTTP error answer with Loki's status code and exact text. Loki sends these as plain text
/// (`text/plain; charset=utf-8`, `X-Content-Type-Options: nosniff`) with the message as the whole body.
public struct LokiAPIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// HTTP status code.
    public var status: Int
    /// Loki's message, sent to the client as it is.
    public var message: String
    /// True when Loki writes the message with Go's `http.Error`, which appends a newline (the auth middleware's
    /// `no org id`); false for the query path's `WriteError`, which writes the message alone.
    public var appendsNewline: Bool

    public init(status: Int, message: String, appendsNewline: Bool = false) {
        self.status = status
        self.message = message
        self.appendsNewline = appendsNewline
    }

    /// The `Content-Type` of every error body.
    public static let contentType = "text/plain; charset=utf-8"

    /// The headers Loki sends with an error body.
    public static let headers: [(name: String, value: String)] = [
        ("Content-Type", contentType), ("X-Content-Type-Options", "nosniff"),
    ]

    /// The response body.
    public var body: [UInt8] {
        var bytes = Array(message.utf8)
        if appendsNewline { bytes.append(0x0A) }
        return bytes
    }

    public var description: String { "\(status) \(message)" }

    /// A 400 Bad Request with `message`.
    public static func badRequest(_ message: String) -> LokiAPIError {
        LokiAPIError(status: 400, message: message)
    }
}

// MARK: - Cross-cutting errors (http-api.md §0)

extension LokiAPIError {
    /// No `X-Scope-OrgID` while authentication is enabled: 401 `no org id` (dskit's auth middleware, `http.Error`).
    public static let noOrgID = LokiAPIError(status: 401, message: "no org id", appendsNewline: true)

    /// The client went away before the answer was ready (499).
    public static let clientCancelled = LokiAPIError(status: 499, message: "the request was cancelled by the client")

    /// The query ran past `query_timeout` (504).
    public static let timeout = LokiAPIError(
        status: 504,
        message: "request timed out, decrease the duration of the request or add more label matchers "
            + "(prefer exact match over regex match) to reduce the amount of data processed")

    /// The frontend queue is full (429).
    public static let tooManyOutstandingRequests = LokiAPIError(status: 429, message: "too many outstanding requests")

    /// `max_query_parallelism` is 0 for the tenant (429).
    public static let queryingDisabled = LokiAPIError(
        status: 429, message: "querying is disabled, please contact your Loki operator")

    /// Any error Loki does not classify: 500 with the error's own text.
    public static func internalError(_ message: String) -> LokiAPIError {
        LokiAPIError(status: 500, message: message)
    }

    /// A tenant header problem: a missing ID is 401 `no org id`; a malformed one is 400 with dskit's text.
    public static func tenant(_ error: TenantError) -> LokiAPIError {
        error == .noOrgID ? .noOrgID : .badRequest(error.message)
    }
}

// MARK: - Query errors (http-api.md §3 "Query errors")

extension LokiAPIError {
    /// A LogQL parse or validation error; `message` is the parser's full text (`parse error at line 1, col 5: …` or
    /// `parse error : …`).
    public static func parse(_ message: String) -> LokiAPIError {
        .badRequest(message)
    }

    /// The query string is longer than `max_query_length` bytes of text (default 128 KiB).
    public static func queryTooLong(bytes: Int, limit: Int = 131_072) -> LokiAPIError {
        .badRequest("parse error : input size too long (\(bytes) > \(limit))")
    }

    /// A log selector sent to `/query` (instant queries only take metric expressions).
    public static let logQueryAsInstant = LokiAPIError.badRequest(
        "log queries are not supported as an instant query type, please change your query to a range query type")

    /// `limit` above `max_entries_limit_per_query` on a log query.
    public static func maxEntriesLimitExceeded(limit: Int, max: Int) -> LokiAPIError {
        .badRequest("max entries limit per query exceeded, limit > max_entries_limit_per_query (\(limit) > \(max))")
    }

    /// More series than `max_query_series` (default 500).
    public static func maxSeriesReached(_ limit: Int = 500) -> LokiAPIError {
        .badRequest(
            "maximum number of series (\(limit)) reached for a single query; consider reducing query cardinality by "
                + "adding more specific stream selectors, reducing the time range, or aggregating results with "
                + "functions like sum(), count() or topk()")
    }

    /// `end - start` above `max_query_length` (default 721h). `length` and `limit` are nanoseconds; Loki prints the
    /// first as a Go duration (`721h0m1s`) and the second as a Prometheus duration (`30d1h`).
    public static func queryTimeRangeTooLong(length: Int64, limit: Int64) -> LokiAPIError {
        .badRequest(
            "the query time range exceeds the limit (query length: \(GoDuration.format(length)), "
                + "limit: \(PromDuration.format(limit)))")
    }

    /// A `[range]` above `max_query_range`; both in nanoseconds, printed as Prometheus durations.
    public static func rangeIntervalTooLong(range: Int64, limit: Int64) -> LokiAPIError {
        .badRequest("[interval] value exceeds limit: [\(PromDuration.format(range))] > [\(PromDuration.format(limit))]")
    }

    /// A pipeline error (`__error__`) reached a metric aggregation. `series` is the failing series' label string.
    public static func pipelineError(errorType: String, series: String) -> LokiAPIError {
        .badRequest(
            "pipeline error: '\(errorType)' for series: '\(series)'.\n"
                + "Use a label filter to intentionally skip this error. (e.g | __error__!=\"\(errorType)\").\n"
                + "To skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
                + "The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )\n")
    }

    /// The index says the query would read more than `max_query_bytes_read` (sizes in bytes, printed like
    /// go-humanize's `IBytes`).
    public static func queryReadsTooManyBytes(bytes: UInt64, limit: UInt64) -> LokiAPIError {
        .badRequest(
            "the query would read too many bytes (query: \(HumanizeIBytes.format(bytes)), "
                + "limit: \(HumanizeIBytes.format(limit))); consider adding more specific stream selectors or "
                + "reduce the time range of the query")
    }
}
