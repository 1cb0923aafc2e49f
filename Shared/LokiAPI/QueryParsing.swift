public import FjordLogQL
public import FjordModel

// Glue between the request structs and FjordLogQL's parser, with the validation level Loki uses on each endpoint.
// Loki checks parameters first and parses the query afterwards, so call these after `parse(_:now:)`.

extension LokiAPIError {
    /// A LogQL parse error as the 400 Loki answers with.
    public static func parse(_ error: LogQLParseError) -> LokiAPIError {
        .badRequest(error.message)
    }
}

/// Parses query text into the forms the endpoints need.
enum QueryText {
    static func expression(_ query: String) throws(LokiAPIError) -> Expr {
        do {
            return try LogQLParser.parse(query)
        } catch {
            throw .parse(error)
        }
    }

    static func matchers(_ query: String, validate: Bool) throws(LokiAPIError) -> [LabelMatcher] {
        do {
            return try LogQLParser.parseMatchers(query, validate: validate)
        } catch {
            throw .parse(error)
        }
    }
}

extension RangeQueryRequest {
    /// The parsed `query` (Loki's `ParseExpr`).
    public func parsedQuery() throws(LokiAPIError) -> Expr {
        try QueryText.expression(query)
    }
}

extension InstantQueryRequest {
    /// The parsed `query`; a log selector is rejected as Loki rejects instant log queries.
    public func parsedQuery() throws(LokiAPIError) -> Expr {
        let expr = try QueryText.expression(query)
        try validate(for: expr)
        return expr
    }
}

extension TailRequest {
    /// The parsed `query` (any expression parses; the tailer itself needs a log query).
    public func parsedQuery() throws(LokiAPIError) -> Expr {
        try QueryText.expression(query)
    }
}

extension LabelsRequest {
    /// The optional selector's matchers, validated like a query (`{}` alone is rejected); empty when absent.
    public func matchers() throws(LokiAPIError) -> [LabelMatcher] {
        guard let query else { return [] }
        return try QueryText.matchers(query, validate: true)
    }
}

extension LabelValuesRequest {
    /// The optional selector's matchers, validated like a query; empty when absent.
    public func matchers() throws(LokiAPIError) -> [LabelMatcher] {
        guard let query else { return [] }
        return try QueryText.matchers(query, validate: true)
    }
}

extension SeriesRequest {
    /// Each `match` group's matchers (Loki's `MatchForSeriesRequest`): parsed without the empty-matcher check, but a
    /// group with no matchers at all is `0 matchers in group: <group>`. Empty when the request means all series.
    public func matcherGroups() throws(LokiAPIError) -> [[LabelMatcher]] {
        var result: [[LabelMatcher]] = []
        for group in groups {
            let matchers = try QueryText.matchers(group, validate: false)
            if matchers.isEmpty { throw .badRequest("0 matchers in group: \(group)") }
            result.append(matchers)
        }
        return result
    }
}

extension IndexStatsRequest {
    /// The selector's matchers, validated like a query.
    public func matchers() throws(LokiAPIError) -> [LabelMatcher] {
        try QueryText.matchers(query, validate: true)
    }
}

extension VolumeRequest {
    /// The selector's matchers, validated like a query.
    public func matchers() throws(LokiAPIError) -> [LabelMatcher] {
        try QueryText.matchers(query, validate: true)
    }
}
