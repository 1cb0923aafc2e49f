import FjordModel

/// Encodes Prometheus remote-write `WriteRequest` protobuf (before snappy), by hand:
///
/// ```proto
/// message WriteRequest { repeated TimeSeries timeseries = 1; }
/// message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
/// message Label        { string name = 1; string value = 2; }
/// message Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in milliseconds
/// ```
///
/// Samples of the same series (same labels) are grouped into one `TimeSeries`, keeping their order; series appear in
/// the order of their first sample. Labels are written in name order, as remote-write requires.
public enum RemoteWriteEncoder {
    public static func encode(_ samples: [InstantSample]) -> [UInt8] {
        var order: [Labels] = []
        var bySeries: [Labels: [InstantSample]] = [:]
        for sample in samples {
            if bySeries[sample.labels] == nil { order.append(sample.labels) }
            bySeries[sample.labels, default: []].append(sample)
        }
        var out: [UInt8] = []
        out.reserveCapacity(samples.count * 64)
        for labels in order {
            var series: [UInt8] = []
            for pair in labels {
                var label: [UInt8] = []
                appendBytesField(1, Array(pair.name.utf8), to: &label)
                appendBytesField(2, Array(pair.value.utf8), to: &label)
                appendBytesField(1, label, to: &series)
            }
            for sample in bySeries[labels] ?? [] {
                var encoded: [UInt8] = []
                appendVarint(UInt64(1 << 3 | 1), to: &encoded)  // field 1, 64-bit
                var bits = sample.value.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { encoded.append(contentsOf: $0) }
                appendVarint(UInt64(2 << 3 | 0), to: &encoded)  // field 2, varint
                appendVarint(UInt64(bitPattern: sample.timestampMillis), to: &encoded)
                appendBytesField(2, encoded, to: &series)
            }
            appendBytesField(1, series, to: &out)
        }
        return out
    }

    static func appendBytesField(_ field: UInt64, _ bytes: [UInt8], to out: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &out)
        appendVarint(UInt64(bytes.count), to: &out)
        out.append(contentsOf: bytes)
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
