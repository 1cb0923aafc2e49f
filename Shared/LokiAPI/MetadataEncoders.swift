public import FjordModel

/// Encodes the answers of the metadata and operational endpoints exactly as Loki writes them.
public enum MetadataResponseEncoder {
    /// `/labels` and `/label/{name}/values`: `{"status":"success","data":[…]}` with the values de-duplicated and
    /// sorted; `data` is omitted when there are none (Go `omitempty`). Trailing newline.
    public static func encodeLabelValues(_ values: [String]) -> EncodedBody {
        let sorted = Array(Set(values)).sorted { Labels.nameLess($0, $1) }
        var out = JSONBuffer(capacity: 64 + sorted.reduce(0) { $0 + $1.utf8.count + 3 })
        out.append("{\"status\":\"success\"")
        if !sorted.isEmpty {
            out.append(",\"data\":")
            out.append(stringArray: sorted, .plain)
        }
        out.append("}\n")
        return EncodedBody(contentType: LokiContentType.queryJSON, bytes: out.bytes)
    }

    /// `/series`: `{"status":"success","data":[{…},…]}`; `data` is always present (`[]` when empty). Each label set
    /// is written with its names sorted. Trailing newline.
    public static func encodeSeries(_ series: [Labels]) -> EncodedBody {
        var out = JSONBuffer(capacity: 64 + series.count * 128)
        out.append("{\"status\":\"success\",\"data\":[")
        for (index, labels) in series.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(labels: labels, .plain)
        }
        out.append("]}\n")
        return EncodedBody(contentType: LokiContentType.queryJSON, bytes: out.bytes)
    }

    /// `/index/stats`: `{"streams":N,"chunks":N,"bytes":N,"entries":N}`. Trailing newline.
    public static func encodeIndexStats(streams: Int, chunks: Int, bytes: Int, entries: Int) -> EncodedBody {
        var out = JSONBuffer(capacity: 96)
        out.append("{\"streams\":")
        out.append(decimal: Int64(streams))
        out.append(",\"chunks\":")
        out.append(decimal: Int64(chunks))
        out.append(",\"bytes\":")
        out.append(decimal: Int64(bytes))
        out.append(",\"entries\":")
        out.append(decimal: Int64(entries))
        out.append("}\n")
        return EncodedBody(contentType: LokiContentType.queryJSON, bytes: out.bytes)
    }

    /// `/index/volume` and `/index/volume_range` answer like metric queries through the frontend: a `vector` (or
    /// `matrix`) of `{metric, value}` whose value is the byte count. Build the samples and pass them here.
    public static func encodeVolume(_ data: QueryResultData, statistics: QueryStatistics = QueryStatistics())
        -> EncodedBody
    {
        QueryResponseEncoder.encodeMetric(data, statistics: statistics)
    }

    /// `/loki/api/v1/status/buildinfo` (Go `encoding/json` encoder: trailing newline).
    public static func encodeBuildInfo(_ info: BuildInfo) -> EncodedBody {
        var out = JSONBuffer(capacity: 256)
        let fields: [(StaticString, String)] = [
            ("version", info.version), ("revision", info.revision), ("branch", info.branch),
            ("buildUser", info.buildUser), ("buildDate", info.buildDate), ("goVersion", info.goVersion),
        ]
        out.append(UInt8(ascii: "{"))
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(field.0)
            out.append("\":")
            out.append(string: field.1, .goStandard)
        }
        out.append("}\n")
        return EncodedBody(contentType: LokiContentType.json, bytes: out.bytes)
    }

    /// `/loki/api/v1/format_query` success: 200 `{"status":"success","data":"<prettified>"}` (Go `encoding/json`,
    /// trailing newline).
    public static func encodeFormatQuery(prettified: String) -> EncodedBody {
        var out = JSONBuffer(capacity: 64 + prettified.utf8.count)
        out.append("{\"status\":\"success\"")
        if !prettified.isEmpty {
            out.append(",\"data\":")
            out.append(string: prettified, .goStandard)
        }
        out.append("}\n")
        return EncodedBody(contentType: LokiContentType.formatQueryJSON, bytes: out.bytes)
    }

    /// `/loki/api/v1/format_query` with a query that does not parse: 400 `{"status":"invalid-query","error":"…"}`
    /// (JSON even though it is an error).
    public static func encodeFormatQueryError(_ message: String) -> EncodedBody {
        var out = JSONBuffer(capacity: 64 + message.utf8.count)
        out.append("{\"status\":\"invalid-query\"")
        if !message.isEmpty {
            out.append(",\"error\":")
            out.append(string: message, .goStandard)
        }
        out.append("}\n")
        return EncodedBody(status: 400, contentType: LokiContentType.formatQueryJSON, bytes: out.bytes)
    }

    /// `/ready`: 200 `ready` when ready, else 503 with the reason (Go `http.Error`: trailing newline).
    public static func encodeReady(notReadyReason: String? = nil) -> EncodedBody {
        guard let reason = notReadyReason else {
            return EncodedBody(contentType: LokiContentType.plainText, bytes: Array("ready\n".utf8))
        }
        return EncodedBody(status: 503, contentType: LokiContentType.plainText, bytes: Array((reason + "\n").utf8))
    }
}

/// What `/loki/api/v1/status/buildinfo` reports. Grafana reads `version` for feature detection, so report a Loki
/// version whose features Fjord supports.
public struct BuildInfo: Sendable, Hashable {
    public var version: String
    public var revision: String
    public var branch: String
    public var buildUser: String
    public var buildDate: String
    public var goVersion: String

    public init(
        version: String, revision: String = "", branch: String = "", buildUser: String = "", buildDate: String = "",
        goVersion: String = ""
    ) {
        self.version = version
        self.revision = revision
        self.branch = branch
        self.buildUser = buildUser
        self.buildDate = buildDate
        self.goVersion = goVersion
    }
}
