import FjordCompression
import FjordModel

/// Encodes a `logproto.PushRequest` exactly as Promtail and Grafana Alloy do (gogo-protobuf field order, zero and
/// empty scalars omitted, the timestamp message always present), optionally snappy block-compressed.
/// Used by tests, the benchmark and Fjord's own clients.
public enum PushProtobufEncoder {
    /// The uncompressed protobuf bytes.
    public static func encode(_ streams: [PushStreamContent]) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.bytes.reserveCapacity(streams.reduce(0) { $0 + streamSize($1) + 6 })
        for stream in streams {
            writer.key(1, ProtobufReader.lengthDelimited)
            writer.varint(UInt64(streamSize(stream)))
            if !stream.labels.isEmpty { writer.lengthDelimited(1, stream.labels.utf8) }
            for entry in stream.entries {
                writer.key(2, ProtobufReader.lengthDelimited)
                writer.varint(UInt64(entrySize(entry)))
                let (seconds, nanos) = split(entry.timestamp)
                writer.key(1, ProtobufReader.lengthDelimited)
                writer.varint(UInt64(timestampSize(seconds: seconds, nanos: nanos)))
                if seconds != 0 {
                    writer.key(1, ProtobufReader.varint)
                    writer.varint(UInt64(bitPattern: seconds))
                }
                if nanos != 0 {
                    writer.key(2, ProtobufReader.varint)
                    writer.varint(UInt64(nanos))
                }
                if !entry.line.isEmpty { writer.lengthDelimited(2, entry.line) }
                for pair in entry.metadata {
                    writer.key(3, ProtobufReader.lengthDelimited)
                    writer.varint(UInt64(pairSize(pair)))
                    if !pair.name.isEmpty { writer.lengthDelimited(1, pair.name.utf8) }
                    if !pair.value.isEmpty { writer.lengthDelimited(2, pair.value.utf8) }
                }
            }
        }
        return writer.bytes
    }

    /// The body Promtail sends: the protobuf bytes as one snappy block.
    public static func encodeSnappy(_ streams: [PushStreamContent]) -> [UInt8] {
        Snappy.compress(encode(streams))
    }

    /// Go's `Timestamp` split: floor seconds and non-negative nanoseconds.
    private static func split(_ timestamp: Int64) -> (Int64, Int64) {
        var seconds = timestamp / 1_000_000_000
        var nanos = timestamp % 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        return (seconds, nanos)
    }

    private static func timestampSize(seconds: Int64, nanos: Int64) -> Int {
        (seconds != 0 ? 1 + ProtobufWriter.varintSize(UInt64(bitPattern: seconds)) : 0)
            + (nanos != 0 ? 1 + ProtobufWriter.varintSize(UInt64(nanos)) : 0)
    }

    private static func optionalField(_ length: Int) -> Int { length == 0 ? 0 : ProtobufWriter.fieldSize(length: length) }

    private static func pairSize(_ pair: LabelPair) -> Int {
        optionalField(pair.name.utf8.count) + optionalField(pair.value.utf8.count)
    }

    private static func entrySize(_ entry: PushEntryContent) -> Int {
        let (seconds, nanos) = split(entry.timestamp)
        var size = ProtobufWriter.fieldSize(length: timestampSize(seconds: seconds, nanos: nanos))
        size += optionalField(entry.line.count)
        for pair in entry.metadata { size += ProtobufWriter.fieldSize(length: pairSize(pair)) }
        return size
    }

    private static func streamSize(_ stream: PushStreamContent) -> Int {
        var size = optionalField(stream.labels.utf8.count)
        for entry in stream.entries { size += ProtobufWriter.fieldSize(length: entrySize(entry)) }
        return size
    }
}
