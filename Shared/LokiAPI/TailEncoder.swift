public import FjordModel

/// Encodes the WebSocket text frames of `/loki/api/v1/tail` (`EncodeTailResult`) and `/api/prom/tail`.
public enum TailFrameEncoder {
    /// `{"streams":[…],"dropped_entries":[{"timestamp":"<ns>","labels":{…}}],"encodingFlags":[…]}`; `streams` is
    /// always present, `dropped_entries` and `encodingFlags` only when non-empty. No trailing newline.
    public static func encode(
        streams: [ResultStream], dropped: [DroppedTailEntry] = [], flags: EncodingFlags = EncodingFlags(),
        direction: Direction = .forward
    ) -> [UInt8] {
        var out = JSONBuffer(capacity: 256 + streams.reduce(0) { $0 + $1.entries.count * 64 })
        out.append("{\"streams\":")
        out.append(streams: streams, flags: flags, direction: direction)
        if !dropped.isEmpty {
            out.append(",\"dropped_entries\":[")
            for (index, entry) in dropped.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append("{\"timestamp\":\"")
                out.append(decimal: entry.timestamp)
                out.append(UInt8(ascii: "\""))
                if !entry.labels.isEmpty {
                    out.append(",\"labels\":")
                    out.append(labels: entry.labels, .htmlEscaped)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if !flags.isEmpty {
            out.append(",\"encodingFlags\":")
            out.append(stringArray: flags.flags, .plain)
        }
        out.append(UInt8(ascii: "}"))
        return out.bytes
    }

    /// Legacy `/api/prom/tail` frame: `{"streams":[{"labels":"{…}","entries":[{"ts":"<RFC3339Nano>","line":"…"}]}],
    /// "dropped_entries":[{"Timestamp":"…","Labels":"{…}"}]}` (Go `encoding/json` via `WriteJSON`; `dropped_entries` is
    /// `null` when there are none).
    public static func encodeLegacy(streams: [ResultStream], dropped: [DroppedTailEntry] = []) -> [UInt8] {
        var out = JSONBuffer(capacity: 256 + streams.reduce(0) { $0 + $1.entries.count * 64 })
        out.append("{\"streams\":")
        out.append(legacyStreams: streams)
        out.append(",\"dropped_entries\":")
        if dropped.isEmpty {
            out.append("null")
        } else {
            out.append(UInt8(ascii: "["))
            for (index, entry) in dropped.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append("{\"Timestamp\":")
                out.append(string: GoTime.rfc3339Nano(entry.timestamp), .goStandard)
                out.append(",\"Labels\":")
                out.append(string: entry.labels.canonicalString, .goStandard)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append("}\n")
        return out.bytes
    }
}
