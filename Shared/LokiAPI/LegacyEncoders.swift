public import FjordModel

/// Encodes the legacy `/api/prom/*` answers (Go `encoding/json` encoder: map keys sorted, HTML escaping, trailing
/// newline).
public enum LegacyResponseEncoder {
    /// `/api/prom/query`: `{"stats":{…},"streams":[{"labels":"{…}","entries":[{"ts":"…","line":"…"}]}]}`. Metric
    /// results are rejected earlier with ``LokiAPIError/legacyMetricQuery``.
    public static func encodeQuery(_ streams: [ResultStream], statistics: QueryStatistics = QueryStatistics())
        -> EncodedBody
    {
        var out = JSONBuffer(capacity: 6_144 + streams.reduce(0) { $0 + $1.entries.count * 80 })
        out.append("{\"stats\":")
        out.append(stats: statistics, .goStandard)
        out.append(",\"streams\":")
        out.append(legacyStreams: streams)
        out.append("}\n")
        return EncodedBody(contentType: LokiContentType.queryJSON, bytes: out.bytes)
    }

    /// `/api/prom/label` and `/api/prom/label/{name}/values`: `{"values":[…]}` (`{}` when empty).
    public static func encodeLabelValues(_ values: [String]) -> EncodedBody {
        let sorted = Array(Set(values)).sorted { Labels.nameLess($0, $1) }
        var out = JSONBuffer(capacity: 32 + sorted.reduce(0) { $0 + $1.utf8.count + 3 })
        out.append(UInt8(ascii: "{"))
        if !sorted.isEmpty {
            out.append("\"values\":")
            out.append(stringArray: sorted, .goStandard)
        }
        out.append("}\n")
        return EncodedBody(contentType: LokiContentType.queryJSON, bytes: out.bytes)
    }
}

extension LokiAPIError {
    /// A metric query sent to a legacy endpoint.
    public static let legacyMetricQuery = LokiAPIError.badRequest("legacy endpoints only support streams result type")
}

extension JSONBuffer {
    /// `[{"labels":"{a=\"1\"}","entries":[{"ts":"<RFC3339Nano>","line":"…"}]}]`.
    mutating func append(legacyStreams streams: [ResultStream]) {
        append(UInt8(ascii: "["))
        for (index, stream) in streams.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            append("{\"labels\":")
            append(string: stream.labels.canonicalString, .goStandard)
            append(",\"entries\":[")
            for (entryIndex, entry) in stream.entries.enumerated() {
                if entryIndex > 0 { append(UInt8(ascii: ",")) }
                append("{\"ts\":")
                append(string: GoTime.rfc3339Nano(entry.timestamp), .goStandard)
                append(",\"line\":")
                append(string: entry.line, .goStandard)
                append(UInt8(ascii: "}"))
            }
            append("]}")
        }
        append(UInt8(ascii: "]"))
    }
}
