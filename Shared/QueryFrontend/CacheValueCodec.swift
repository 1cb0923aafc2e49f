public import FjordModel

/// What one results-cache entry holds.
public enum CachedValue: Sendable {
    /// A range metric query's extents in one split bucket.
    case matrixExtents([MatrixExtent])
    /// A log query's known-empty ranges in one split bucket.
    case emptyExtents(EmptyExtents)
    /// An instant metric query's vector (order kept: `sort` results are ordered by value).
    case vector([InstantSample])
    /// An instant query's scalar.
    case scalar(timestampMillis: Int64, value: Double)
}

/// The binary form of a results-cache entry: `"FJRC"`, version 1, the full key (checked on read), the value.
/// Integers are varints (times zig-zag, point times as deltas), values are IEEE-754 bit patterns (so NaN payloads
/// and negative zero come back exactly). A value that does not decode, or that names another key, is a miss.
public enum CacheValueCodec {
    static let magic: [UInt8] = Array("FJRC".utf8)
    static let version: UInt8 = 1

    public static func encode(_ value: CachedValue, key: ResultsCacheKey) -> [UInt8] {
        var out = CacheWriter()
        out.bytes(magic)
        out.byte(version)
        out.string(key.text)
        switch value {
        case .matrixExtents(let extents):
            out.byte(1)
            out.unsigned(UInt64(extents.count))
            for extent in extents {
                out.signed(extent.start)
                out.signed(extent.end)
                out.unsigned(UInt64(extent.series.count))
                for series in extent.series {
                    out.labels(series.labels)
                    out.unsigned(UInt64(series.points.count))
                    var previous: Int64 = 0
                    for point in series.points {
                        out.signed(point.timestampMillis &- previous)
                        previous = point.timestampMillis
                        out.double(point.value)
                    }
                }
            }
        case .emptyExtents(let empty):
            out.byte(2)
            out.unsigned(UInt64(empty.ranges.count))
            for range in empty.ranges {
                out.signed(range.lowerBound)
                out.signed(range.upperBound)
            }
        case .vector(let samples):
            out.byte(3)
            out.unsigned(UInt64(samples.count))
            for sample in samples {
                out.labels(sample.labels)
                out.signed(sample.timestampMillis)
                out.double(sample.value)
            }
        case .scalar(let timestampMillis, let value):
            out.byte(4)
            out.signed(timestampMillis)
            out.double(value)
        }
        return out.buffer
    }

    /// The value stored under `key`, or nil when `bytes` is damaged, from another version, or for another key.
    public static func decode(_ bytes: [UInt8], key: ResultsCacheKey) -> CachedValue? {
        var reader = CacheReader(bytes)
        guard reader.bytes(magic.count) == magic, reader.byte() == version, reader.string() == key.text,
              let kind = reader.byte()
        else { return nil }
        let value: CachedValue?
        switch kind {
        case 1: value = matrixExtents(&reader).map(CachedValue.matrixExtents)
        case 2: value = emptyExtents(&reader).map(CachedValue.emptyExtents)
        case 3: value = vector(&reader).map(CachedValue.vector)
        case 4:
            guard let time = reader.signed(), let number = reader.double() else { return nil }
            value = .scalar(timestampMillis: time, value: number)
        default: value = nil
        }
        return reader.atEnd ? value : nil
    }

    private static func matrixExtents(_ reader: inout CacheReader) -> [MatrixExtent]? {
        guard let count = reader.count() else { return nil }
        var extents: [MatrixExtent] = []
        for _ in 0..<count {
            guard let start = reader.signed(), let end = reader.signed(), let seriesCount = reader.count() else {
                return nil
            }
            var series: [Series] = []
            series.reserveCapacity(seriesCount)
            for _ in 0..<seriesCount {
                guard let labels = reader.labels(), let pointCount = reader.count(minimumBytesEach: 9) else {
                    return nil
                }
                var points: [SamplePoint] = []
                points.reserveCapacity(pointCount)
                var previous: Int64 = 0
                for _ in 0..<pointCount {
                    guard let delta = reader.signed(), let value = reader.double() else { return nil }
                    previous = previous &+ delta
                    points.append(SamplePoint(timestampMillis: previous, value: value))
                }
                series.append(Series(labels: labels, points: points))
            }
            extents.append(MatrixExtent(start: start, end: end, series: series))
        }
        return extents
    }

    private static func emptyExtents(_ reader: inout CacheReader) -> EmptyExtents? {
        guard let count = reader.count() else { return nil }
        var ranges: [Range<Int64>] = []
        for _ in 0..<count {
            guard let start = reader.signed(), let end = reader.signed(), start < end else { return nil }
            ranges.append(start..<end)
        }
        return EmptyExtents(ranges)
    }

    private static func vector(_ reader: inout CacheReader) -> [InstantSample]? {
        guard let count = reader.count() else { return nil }
        var samples: [InstantSample] = []
        for _ in 0..<count {
            guard let labels = reader.labels(), let time = reader.signed(), let value = reader.double() else {
                return nil
            }
            samples.append(InstantSample(labels: labels, timestampMillis: time, value: value))
        }
        return samples
    }
}

/// Appends cache-entry fields.
struct CacheWriter {
    var buffer: [UInt8] = []

    mutating func byte(_ value: UInt8) { buffer.append(value) }
    mutating func bytes(_ value: [UInt8]) { buffer.append(contentsOf: value) }

    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }

    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func double(_ value: Double) {
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { buffer.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        unsigned(UInt64(value.utf8.count))
        buffer.append(contentsOf: value.utf8)
    }

    mutating func labels(_ labels: Labels) {
        unsigned(UInt64(labels.count))
        for pair in labels {
            string(pair.name)
            string(pair.value)
        }
    }
}

/// Reads cache-entry fields; every read returns nil past the end or on a malformed field.
struct CacheReader {
    let buffer: [UInt8]
    var position = 0

    init(_ buffer: [UInt8]) { self.buffer = buffer }

    var atEnd: Bool { position == buffer.count }

    mutating func byte() -> UInt8? {
        guard position < buffer.count else { return nil }
        defer { position += 1 }
        return buffer[position]
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, buffer.count - position >= count else { return nil }
        defer { position += count }
        return Array(buffer[position..<(position + count)])
    }

    mutating func unsigned() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = byte() {
            guard shift < 64 else { return nil }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    mutating func signed() -> Int64? {
        guard let raw = unsigned() else { return nil }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A count of items that each take at least `minimumBytesEach` bytes (bounded by what is left to read).
    mutating func count(minimumBytesEach: Int = 1) -> Int? {
        guard let raw = unsigned(), raw <= UInt64((buffer.count - position) / max(1, minimumBytesEach)) else {
            return nil
        }
        return Int(raw)
    }

    mutating func double() -> Double? {
        guard let raw = bytes(8) else { return nil }
        var bits: UInt64 = 0
        for (index, byte) in raw.enumerated() { bits |= UInt64(byte) << (8 * UInt64(index)) }
        return Double(bitPattern: bits)
    }

    mutating func string() -> String? {
        guard let length = count(), let raw = bytes(length) else { return nil }
        return String(decoding: raw, as: UTF8.self)
    }

    mutating func labels() -> Labels? {
        guard let count = count(minimumBytesEach: 2) else { return nil }
        var pairs: [LabelPair] = []
        pairs.reserveCapacity(count)
        for _ in 0..<count {
            guard let name = string(), let value = string() else { return nil }
            pairs.append(LabelPair(name: name, value: value))
        }
        return Labels(pairs)
    }
}
