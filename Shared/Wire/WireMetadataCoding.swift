public import FjordModel
public import FjordServiceAPI

/// Bodies of the metadata answers. Lists (label names or values, series) use the same parts as query results:
/// `[u8 0][u32 count][items…][bool last]`, split at about `partBytes`; `stats` and `readiness` are single frames.
public enum WireMetadataCoding {
    public static func encodeNames(_ names: [String], partBytes: Int) -> [[UInt8]] {
        var parts = PartBuilder(type: 0, partBytes: partBytes)
        for name in names { parts.item { $0.string(name) } }
        return parts.finish { _ in }
    }

    public static func decodeNames(_ parts: [[UInt8]]) throws(WireError) -> [String] {
        try decodeList(parts, message: "names") { reader throws(WireError) in try reader.string() }
    }

    public static func encodeLabelSets(_ sets: [Labels], partBytes: Int) -> [[UInt8]] {
        var parts = PartBuilder(type: 0, partBytes: partBytes)
        for labels in sets { parts.item { $0.labels(labels) } }
        return parts.finish { _ in }
    }

    public static func decodeLabelSets(_ parts: [[UInt8]]) throws(WireError) -> [Labels] {
        try decodeList(parts, message: "label sets") { reader throws(WireError) in try reader.labels() }
    }

    /// `[uvarint streams][uvarint chunks][uvarint bytes][uvarint entries]`.
    public static func encodeStats(_ stats: IndexStats) -> [UInt8] {
        var writer = WireWriter(capacity: 16)
        for value in [stats.streams, stats.chunks, stats.bytes, stats.entries] { writer.count(max(0, value)) }
        return writer.take()
    }

    public static func decodeStats(_ body: [UInt8]) throws(WireError) -> IndexStats {
        var reader = WireReader(body, message: "stats")
        var values: [Int] = []
        for name in ["streams", "chunks", "bytes", "entries"] {
            values.append(try reader.count(limit: Int.max, minimumBytesEach: 0, name))
        }
        try reader.expectEnd()
        return IndexStats(streams: values[0], chunks: values[1], bytes: values[2], entries: values[3])
    }

    /// `[bool notReady]` then the reason's string when not ready.
    public static func encodeReadiness(_ reason: String?) -> [UInt8] {
        var writer = WireWriter(capacity: 8)
        writer.bool(reason != nil)
        if let reason { writer.string(reason) }
        return writer.take()
    }

    public static func decodeReadiness(_ body: [UInt8]) throws(WireError) -> String? {
        var reader = WireReader(body, message: "readiness")
        let reason: String? = try reader.bool() ? try reader.string() : nil
        try reader.expectEnd()
        return reason
    }

    private static func decodeList<T>(_ parts: [[UInt8]], message: String,
                                      _ item: (inout WireReader) throws(WireError) -> T) throws(WireError) -> [T] {
        var out: [T] = []
        var sawLast = false
        for body in parts {
            guard !sawLast else { throw WireError.malformed(message, "part after the last one") }
            var reader = WireReader(body, message: message)
            guard try reader.u8() == 0 else { throw reader.failure("list type") }
            let itemCount = Int(try reader.fixed(UInt32.self))
            guard itemCount <= reader.remaining else { throw reader.failure("item count \(itemCount)") }
            out.reserveCapacity(out.count + itemCount)
            for _ in 0..<itemCount { out.append(try item(&reader)) }
            sawLast = try reader.bool()
            try reader.expectEnd()
        }
        guard sawLast else { throw WireError.malformed(message, "no last part") }
        return out
    }
}
