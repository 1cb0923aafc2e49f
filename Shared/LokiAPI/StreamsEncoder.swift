public import FjordModel

/// Encodes `/query` and `/query_range` answers exactly as Loki writes them.
///
/// Log results (`streams`) follow Loki's own jsoniter writer: `status`, `warnings` (if any), `data{resultType,
/// encodingFlags (if any), result, stats}`, trailing newline; lines HTML-escaped, labels not. Metric results
/// (`matrix`, `vector`, `scalar`) follow the query frontend's Go `encoding/json` re-encoding: `status`,
/// `data{resultType, result, stats}`, then `warnings`; every string HTML-escaped; no trailing newline.
public enum QueryResponseEncoder {
    /// Encodes any query result. `direction` orders merged entries when `categorize-labels` regroups streams.
    public static func encode(
        _ result: QueryResult, flags: EncodingFlags = EncodingFlags(), direction: Direction = .backward
    ) -> EncodedBody {
        switch result.data {
        case .streams(let streams):
            return encodeStreams(
                streams, statistics: result.statistics, warnings: result.warnings, flags: flags, direction: direction)
        case .matrix, .vector, .scalar:
            return encodeMetric(result.data, statistics: result.statistics, warnings: result.warnings)
        }
    }

    /// A log query's answer (`resultType` `streams`).
    public static func encodeStreams(
        _ streams: [ResultStream], statistics: QueryStatistics = QueryStatistics(), warnings: [String] = [],
        flags: EncodingFlags = EncodingFlags(), direction: Direction = .backward
    ) -> EncodedBody {
        var out = JSONBuffer(capacity: estimatedSize(streams))
        out.append("{\"status\":\"success\"")
        if !warnings.isEmpty {
            out.append(",\"warnings\":")
            out.append(stringArray: warnings, .plain)
        }
        out.append(",\"data\":{\"resultType\":\"streams\"")
        if !flags.isEmpty {
            out.append(",\"encodingFlags\":")
            out.append(stringArray: flags.flags, .plain)
        }
        out.append(",\"result\":")
        out.append(streams: streams, flags: flags, direction: direction)
        out.append(",\"stats\":")
        out.append(stats: statistics, .jsoniterLossy)
        out.append("}}\n")
        return EncodedBody(contentType: LokiContentType.queryJSON, bytes: out.bytes)
    }

    /// A metric query's answer as the query frontend re-encodes it. Passing `.streams` here is a programming error.
    public static func encodeMetric(
        _ data: QueryResultData, statistics: QueryStatistics = QueryStatistics(), warnings: [String] = []
    ) -> EncodedBody {
        var out = JSONBuffer(capacity: 8192)
        out.append("{\"status\":\"success\",\"data\":{\"resultType\":")
        switch data {
        case .matrix(let series):
            out.append("\"matrix\",\"result\":[")
            for (index, one) in series.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append("{\"metric\":")
                out.append(labels: one.labels, .goStandard)
                out.append(",\"values\":[")
                for (pointIndex, point) in one.points.enumerated() {
                    if pointIndex > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(samplePair: point.timestampMillis, point.value)
                }
                out.append("]}")
            }
            out.append(UInt8(ascii: "]"))
        case .vector(let samples):
            out.append("\"vector\",\"result\":[")
            for (index, sample) in samples.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append("{\"metric\":")
                out.append(labels: sample.labels, .goStandard)
                out.append(",\"value\":")
                out.append(samplePair: sample.timestampMillis, sample.value)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        case .scalar(let timestampMillis, let value):
            out.append("\"scalar\",\"result\":")
            out.append(samplePair: timestampMillis, value)
        case .streams:
            preconditionFailure("QueryResponseEncoder.encodeMetric called with a streams result; use encodeStreams")
        }
        out.append(",\"stats\":")
        out.append(stats: statistics, .goStandard)
        out.append(UInt8(ascii: "}"))
        if !warnings.isEmpty {
            out.append(",\"warnings\":")
            out.append(stringArray: warnings, .goStandard)
        }
        out.append(UInt8(ascii: "}"))
        return EncodedBody(contentType: LokiContentType.json, bytes: out.bytes)
    }

    private static func estimatedSize(_ streams: [ResultStream]) -> Int {
        var size = 6_144
        for stream in streams {
            size += 64 + stream.labels.count * 32
            for entry in stream.entries { size += entry.line.count + 48 }
        }
        return size
    }
}

extension JSONBuffer {
    /// `[<seconds>,"<value>"]`.
    mutating func append(samplePair timestampMillis: Int64, _ value: Double) {
        append(UInt8(ascii: "["))
        append(secondsFromMillis: timestampMillis)
        append(UInt8(ascii: ","))
        append(sampleValue: value)
        append(UInt8(ascii: "]"))
    }

    /// The `result` array of a log answer (also used by tail frames): without `categorize-labels` each stream's
    /// `stream` object is its full label set; with it, streams are regrouped by their stream labels and every
    /// entry gets a third element with its `structuredMetadata` and `parsed` labels (each omitted when empty).
    mutating func append(streams: [ResultStream], flags: EncodingFlags, direction: Direction) {
        append(UInt8(ascii: "["))
        if flags.categorizesLabels {
            for (index, group) in StreamRegrouping.byStreamLabels(streams, direction: direction).enumerated() {
                if index > 0 { append(UInt8(ascii: ",")) }
                appendStream(labels: group.labels, entries: group.entries, categorized: true)
            }
        } else {
            for (index, stream) in streams.enumerated() {
                if index > 0 { append(UInt8(ascii: ",")) }
                appendStream(labels: stream.labels, entries: stream.entries, categorized: false)
            }
        }
        append(UInt8(ascii: "]"))
    }

    private mutating func appendStream(labels: Labels, entries: [ResultEntry], categorized: Bool) {
        append("{\"stream\":")
        append(labels: labels, .plain, replacingReplacementCharacter: true)
        append(",\"values\":[")
        for (index, entry) in entries.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            append("[\"")
            append(decimal: entry.timestamp)
            append("\",")
            append(string: entry.line, .htmlEscaped)
            if categorized {
                append(",{")
                if !entry.structuredMetadata.isEmpty {
                    append("\"structuredMetadata\":")
                    append(labels: entry.structuredMetadata, .plain)
                }
                if !entry.parsed.isEmpty {
                    if !entry.structuredMetadata.isEmpty { append(UInt8(ascii: ",")) }
                    append("\"parsed\":")
                    append(labels: entry.parsed, .plain)
                }
                append(UInt8(ascii: "}"))
            }
            append(UInt8(ascii: "]"))
        }
        append("]}")
    }
}

/// Regrouping of log results for `categorize-labels`: streams that differ only in structured metadata or parsed
/// labels become one stream keyed by their stream labels.
enum StreamRegrouping {
    /// Groups sorted by stream label string; entries of merged streams in `direction` order (ties keep input order).
    static func byStreamLabels(_ streams: [ResultStream], direction: Direction) -> [(labels: Labels, entries: [ResultEntry])] {
        var positions: [Labels: Int] = [:]
        var groups: [(labels: Labels, key: String, parts: [[ResultEntry]])] = []
        for stream in streams {
            if let position = positions[stream.streamLabels] {
                groups[position].parts.append(stream.entries)
            } else {
                positions[stream.streamLabels] = groups.count
                groups.append((stream.streamLabels, stream.streamLabels.canonicalString, [stream.entries]))
            }
        }
        groups.sort { Labels.nameLess($0.key, $1.key) }
        return groups.map { group in
            guard group.parts.count > 1 else { return (group.labels, group.parts.first ?? []) }
            let merged = group.parts.flatMap { $0 }
            let order = merged.indices.sorted { lhs, rhs in
                let left = merged[lhs].timestamp
                let right = merged[rhs].timestamp
                if left != right { return direction == .forward ? left < right : left > right }
                return lhs < rhs
            }
            return (group.labels, order.map { merged[$0] })
        }
    }
}
