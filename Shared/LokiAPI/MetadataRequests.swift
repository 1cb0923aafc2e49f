import FjordModel

/// `GET|POST /loki/api/v1/labels` (and `/label`) parameters (`ParseLabelQuery`): bounds and an optional selector.
/// Loki does not compare `start` and `end` here.
public struct LabelsRequest: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    /// Optional stream selector (nil when absent or empty); the gateway validates it like a query.
    public var query: String?

    public init(start: Int64, end: Int64, query: String? = nil) {
        self.start = start
        self.end = end
        self.query = query
    }

    public static func parse(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> LabelsRequest {
        let (start, end) = try ParameterRules.bounds(parameters, now: now)
        let query = parameters.first("query")
        return LabelsRequest(start: start, end: end, query: query.isEmpty ? nil : query)
    }

    public static func parse(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> LabelsRequest {
        try parse(FormParameters(parameters), now: now)
    }
}

/// `GET|POST /loki/api/v1/label/{name}/values` parameters: the label name from the path plus ``LabelsRequest``'s.
public struct LabelValuesRequest: Sendable, Hashable {
    public var name: String
    public var start: Int64
    public var end: Int64
    /// Optional stream selector (nil when absent or empty).
    public var query: String?

    public init(name: String, start: Int64, end: Int64, query: String? = nil) {
        self.name = name
        self.start = start
        self.end = end
        self.query = query
    }

    public static func parse(name: String, _ parameters: FormParameters, now: Int64) throws(LokiAPIError)
        -> LabelValuesRequest
    {
        let labels = try LabelsRequest.parse(parameters, now: now)
        return LabelValuesRequest(name: name, start: labels.start, end: labels.end, query: labels.query)
    }

    public static func parse(name: String, _ parameters: [String: [String]], now: Int64) throws(LokiAPIError)
        -> LabelValuesRequest
    {
        try parse(name: name, FormParameters(parameters), now: now)
    }
}

/// `GET|POST /loki/api/v1/series` parameters (`ParseSeriesQuery`): bounds and the union of `match[]` and `match`.
public struct SeriesRequest: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    /// Selectors, de-duplicated and sorted; empty means "all series" (no `match`, or a single `{}`).
    public var groups: [String]

    public init(start: Int64, end: Int64, groups: [String]) {
        self.start = start
        self.end = end
        self.groups = groups
    }

    public static func parse(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> SeriesRequest {
        let (start, end) = try ParameterRules.bounds(parameters, now: now)
        var groups = Array(Set(parameters.all("match") + parameters.all("match[]"))).sorted { Labels.nameLess($0, $1) }
        if groups.count == 1, groups[0].filter({ $0 != " " }) == "{}" { groups = [] }
        return SeriesRequest(start: start, end: end, groups: groups)
    }

    public static func parse(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> SeriesRequest {
        try parse(FormParameters(parameters), now: now)
    }
}

/// `GET|POST /loki/api/v1/index/stats` parameters. Loki parses them with the full range-query rules
/// (`ParseIndexStatsQuery`), so `limit`, `direction` and `step` errors apply here too.
public struct IndexStatsRequest: Sendable, Hashable {
    /// The matchers (a stream selector).
    public var query: String
    public var start: Int64
    public var end: Int64

    public init(query: String, start: Int64, end: Int64) {
        self.query = query
        self.start = start
        self.end = end
    }

    public static func parse(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> IndexStatsRequest {
        let range = try RangeQueryRequest.parse(parameters, now: now)
        return IndexStatsRequest(query: range.query, start: range.start, end: range.end)
    }

    public static func parse(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> IndexStatsRequest {
        try parse(FormParameters(parameters), now: now)
    }
}

/// `GET|POST /loki/api/v1/index/volume` and `/index/volume_range` parameters (`ParseVolumeInstantQuery`,
/// `ParseVolumeRangeQuery`).
public struct VolumeRequest: Sendable, Hashable {
    /// How volumes are grouped.
    public enum Aggregation: String, Sendable, Hashable {
        case series
        case labels
    }

    public var query: String
    public var start: Int64
    public var end: Int64
    /// Bucket width for `volume_range`; nil for the instant `volume` endpoint.
    public var step: Int64?
    /// Maximum number of results (default 100; `0` means 100).
    public var limit: Int
    /// `targetLabels`, split on commas; empty when absent.
    public var targetLabels: [String]
    public var aggregateBy: Aggregation

    public init(
        query: String, start: Int64, end: Int64, step: Int64? = nil, limit: Int = 100, targetLabels: [String] = [],
        aggregateBy: Aggregation = .series
    ) {
        self.query = query
        self.start = start
        self.end = end
        self.step = step
        self.limit = limit
        self.targetLabels = targetLabels
        self.aggregateBy = aggregateBy
    }

    /// `/index/volume`: `limit` (0 → 100, negative → error), the instant-query rules (`time`, `direction`),
    /// `aggregateBy`, then bounds with `end` ≥ `start`.
    public static func parseInstant(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> VolumeRequest {
        let parameters = try withVolumeLimit(parameters)
        let instant = try InstantQueryRequest.parse(parameters, now: now)
        let aggregateBy = try aggregation(parameters)
        let (start, end) = try ParameterRules.bounds(parameters, now: now)
        try ParameterRules.requireOrdered(start: start, end: end)
        return VolumeRequest(
            query: instant.query, start: start, end: end, step: nil, limit: instant.limit,
            targetLabels: targetLabels(parameters), aggregateBy: aggregateBy)
    }

    /// `/index/volume_range`: `limit` as for ``parseInstant(_:now:)``, then the range-query rules, then
    /// `aggregateBy`.
    public static func parseRange(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> VolumeRequest {
        let parameters = try withVolumeLimit(parameters)
        let range = try RangeQueryRequest.parse(parameters, now: now)
        let aggregateBy = try aggregation(parameters)
        return VolumeRequest(
            query: range.query, start: range.start, end: range.end, step: range.step, limit: range.limit,
            targetLabels: targetLabels(parameters), aggregateBy: aggregateBy)
    }

    public static func parseInstant(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> VolumeRequest {
        try parseInstant(FormParameters(parameters), now: now)
    }

    public static func parseRange(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> VolumeRequest {
        try parseRange(FormParameters(parameters), now: now)
    }

    /// Loki's `volumeLimit`: a `limit` of 0 is replaced by the default before the query rules see it.
    private static func withVolumeLimit(_ parameters: FormParameters) throws(LokiAPIError) -> FormParameters {
        let value = try ParameterRules.integer(parameters.first("limit"), default: ParameterRules.defaultLimit)
        if value == 0 {
            var copy = parameters
            copy.values["limit"] = [String(ParameterRules.defaultLimit)]
            return copy
        }
        if value < 0 { throw .badRequest("limit must be a positive value") }
        return parameters
    }

    private static func aggregation(_ parameters: FormParameters) throws(LokiAPIError) -> Aggregation {
        let text = parameters.first("aggregateBy")
        if text.isEmpty { return .series }
        guard let value = Aggregation(rawValue: text) else { throw .badRequest("invalid aggregation option") }
        return value
    }

    private static func targetLabels(_ parameters: FormParameters) -> [String] {
        let text = parameters.first("targetLabels")
        if text.isEmpty { return [] }
        return text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}

/// `GET /loki/api/v1/tail` (WebSocket) parameters (`ParseTailQuery`), checked before the upgrade.
public struct TailRequest: Sendable, Hashable {
    /// Longest `delay_for` Loki accepts, in seconds.
    public static let maxDelayForSeconds = 5

    public var query: String
    /// Legacy `regexp` parameter; when non-empty Loki appends it to the selector as a `|~` filter.
    public var regexp: String
    public var limit: Int
    /// Where tailing starts, Unix nanoseconds (default `now - 1h`, `since` rules).
    public var start: Int64
    /// `delay_for` in seconds (0…5).
    public var delayForSeconds: Int

    public init(query: String, regexp: String = "", limit: Int = 100, start: Int64, delayForSeconds: Int = 0) {
        self.query = query
        self.regexp = regexp
        self.limit = limit
        self.start = start
        self.delayForSeconds = delayForSeconds
    }

    /// Parses in Loki's order (after the gateway has parsed `query`): `limit`, bounds (an unparsable `end` is still
    /// an error), `delay_for` (`delay_for can't be greater than 5`).
    public static func parse(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> TailRequest {
        let limit = try ParameterRules.limit(parameters)
        let (start, _) = try ParameterRules.bounds(parameters, now: now)
        let delay = try ParameterRules.integer(parameters.first("delay_for"), default: 0)
        let delayFor = Int(UInt32(truncatingIfNeeded: delay))
        if delayFor > maxDelayForSeconds {
            throw .badRequest("delay_for can't be greater than \(maxDelayForSeconds)")
        }
        return TailRequest(
            query: parameters.first("query"), regexp: parameters.first("regexp"), limit: limit, start: start,
            delayForSeconds: delayFor)
    }

    public static func parse(_ parameters: [String: [String]], now: Int64) throws(LokiAPIError) -> TailRequest {
        try parse(FormParameters(parameters), now: now)
    }
}

/// `GET|POST /loki/api/v1/format_query` parameters: just `query` (empty when absent; the parser rejects it).
public struct FormatQueryRequest: Sendable, Hashable {
    public var query: String

    public init(query: String) {
        self.query = query
    }

    public static func parse(_ parameters: FormParameters) -> FormatQueryRequest {
        FormatQueryRequest(query: parameters.first("query"))
    }

    public static func parse(_ parameters: [String: [String]]) -> FormatQueryRequest {
        parse(FormParameters(parameters))
    }
}
