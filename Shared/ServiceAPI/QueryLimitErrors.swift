public import FjordModel

/// Loki's texts for per-tenant query limits that both the query frontend and the querier enforce.
extension ServiceError {
    /// `max_query_length` exceeded (`the query time range exceeds the limit (query length: 722h0m0s, limit: 721h0m0s)`).
    public static func queryTooLong(length: Int64, limit: Int64) -> ServiceError {
        .badRequest("the query time range exceeds the limit (query length: \(GoDuration.format(length)), limit: "
            + "\(GoDuration.format(limit)))")
    }

    /// `max_query_parallelism: 0` (Loki's frontend answers 429).
    public static let queryingDisabled = ServiceError.tooManyRequests(
        "querying is disabled, please contact your Loki operator")
}
