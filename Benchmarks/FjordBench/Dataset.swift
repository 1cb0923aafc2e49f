import FjordModel
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One generated log entry: where its line lives in the data set's arena, its stream and timestamp.
struct DatasetEntry {
    var timestamp: Int64
    var offset: Int
    var length: Int32
    var stream: UInt16
    /// Index into ``Dataset/metadataSets`` or -1.
    var metadata: Int32
}

/// The benchmark's data set: every line in one byte arena, entries sorted by time (then stream), as a log shipper
/// would send them. Deterministic from (seed, lines, base).
struct Dataset {
    static let span: Int64 = 3 * 3600 * 1_000_000_000

    let seed: UInt64
    /// Start of the data set (Unix seconds, hour-aligned by default); every entry lies in (base, base + 3h).
    let base: Int64
    let streams: [StreamSpec]
    let arena: [UInt8]
    let entries: [DatasetEntry]
    let metadataSets: [[LabelPair]]
    /// A request id that occurs in exactly one line (for the needle query).
    let needle: String

    var lineBytes: Int { entries.reduce(0) { $0 + Int($1.length) } }

    func line(_ entry: DatasetEntry) -> ArraySlice<UInt8> { arena[entry.offset..<(entry.offset + Int(entry.length))] }

    /// Number of lines containing `needle` (what a `|= "needle"` filter must find).
    func count(containing needle: String) -> Int {
        let pattern = Array(needle.utf8)
        return arena.withUnsafeBytes { raw in
            entries.reduce(0) { count, entry in
                count + (Self.contains(raw, from: entry.offset, length: Int(entry.length), pattern) ? 1 : 0)
            }
        }
    }

    /// Whether `raw[from..<from+length]` contains `pattern` (memchr for the first byte, then compare).
    static func contains(_ raw: UnsafeRawBufferPointer, from start: Int, length: Int, _ pattern: [UInt8]) -> Bool {
        guard let first = pattern.first, let base = raw.baseAddress else { return true }
        var position = start
        let end = start + length
        while end - position >= pattern.count {
            guard let hit = memchr(base + position, Int32(first), end - position - pattern.count + 1) else { return false }
            let index = base.distance(to: UnsafeRawPointer(hit))
            if memcmp(base + index, pattern, pattern.count) == 0 { return true }
            position = index + 1
        }
        return false
    }

    /// Number of entries of streams whose labels satisfy `predicate`.
    func count(streamsWhere predicate: (Labels) -> Bool) -> Int {
        let matching = streams.map { predicate($0.labels) }
        return entries.reduce(0) { $0 + (matching[Int($1.stream)] ? 1 : 0) }
    }

    /// Generates `lines` lines. `base` is in Unix seconds.
    static func generate(seed: UInt64, lines: Int, base: Int64) -> Dataset {
        precondition(lines > 0, "the data set needs at least one line")
        var random = BenchRandom(seed: seed)
        var streams = StreamLayout.build(&random)
        precondition(streams.count <= Int(UInt16.max), "too many streams: \(streams.count)")
        let counts = apportion(lines, weights: streams.map(\.weight))
        var generator = LineGenerator(random: BenchRandom(seed: seed ^ 0x5EED_0F_11E5))
        var writer = ByteWriter(capacity: lines * 320)
        var entries: [DatasetEntry] = []
        entries.reserveCapacity(lines)
        let baseNanos = base * 1_000_000_000
        var times: [Int64] = []
        for index in streams.indices {
            let count = counts[index]
            guard count > 0 else { continue }
            times.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                if streams[index].incidentShare > 0, random.chance(streams[index].incidentShare) {
                    let seconds = LineGenerator.incident.lowerBound
                        + random.unit() * (LineGenerator.incident.upperBound - LineGenerator.incident.lowerBound)
                    times.append(Int64(seconds * 1e9))
                } else {
                    times.append(1_000_000 + Int64(random.unit() * Double(span - 2_000_000_000)))
                }
            }
            times.sort()
            var last: Int64 = -1
            var produced = 0
            var next = 0
            while produced < count {
                let relative = max(times[next], last + 1)
                next += 1
                if streams[index].logsTracebacks, random.chance(0.08) {
                    // A traceback printed to stderr: one entry per line, a microsecond apart.
                    var lines = generator.tracebackLines()
                    if random.chance(0.25) { lines = [lines.joined(separator: "\n")] }
                    for (offset, text) in lines.enumerated() where produced < count {
                        let time = max(relative + Int64(offset) * 1000, last + 1)
                        let start = writer.count
                        writer.append(text)
                        entries.append(DatasetEntry(timestamp: baseNanos + time, offset: start,
                                                    length: Int32(writer.count - start), stream: UInt16(index), metadata: -1))
                        last = time
                        produced += 1
                    }
                    continue
                }
                let start = writer.count
                let timestamp = baseNanos + relative
                let meta = generator.write(&streams[index], timestamp: timestamp,
                                           secondsAfterStart: Double(relative) / 1e9, into: &writer)
                entries.append(DatasetEntry(timestamp: timestamp, offset: start, length: Int32(writer.count - start),
                                            stream: UInt16(index), metadata: meta))
                last = relative
                produced += 1
            }
            precondition(last < span, "stream \(index) ran past the end of the data set's span")
        }
        entries.sort { $0.timestamp != $1.timestamp ? $0.timestamp < $1.timestamp : $0.stream < $1.stream }
        let arena = writer.bytes
        let needle = findNeedle(entries: entries, streams: streams, arena: arena)
        return Dataset(seed: seed, base: base, streams: streams, arena: arena, entries: entries,
                       metadataSets: generator.metadataSets, needle: needle)
    }

    /// Splits `total` proportionally to `weights` (largest remainders get the rest), at least one line per stream
    /// while there are lines to give.
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        var counts = weights.map { Int(Double(total) * $0 / sum) }
        var given = counts.reduce(0, +)
        let order = weights.indices.sorted {
            let a = Double(total) * weights[$0] / sum - Double(counts[$0])
            let b = Double(total) * weights[$1] / sum - Double(counts[$1])
            return a != b ? a > b : $0 < $1
        }
        var cursor = 0
        while given < total {
            counts[order[cursor % order.count]] += 1
            given += 1
            cursor += 1
        }
        return counts
    }

    /// The request id of the first structlog API line in the second half of the data set.
    private static func findNeedle(entries: [DatasetEntry], streams: [StreamSpec], arena: [UInt8]) -> String {
        let marker = Array("\"request_id\": \"req_".utf8)
        for entry in entries[(entries.count / 2)...] {
            let stream = streams[Int(entry.stream)]
            guard stream.kind == .structlog, stream.service == "api" else { continue }
            let line = arena[entry.offset..<(entry.offset + Int(entry.length))]
            guard let start = line.firstRange(of: marker) else { continue }
            let idStart = start.upperBound - 4
            guard idStart + 20 <= line.endIndex else { continue }
            return String(decoding: line[idStart..<(idStart + 20)], as: UTF8.self)
        }
        return "req_0000000000000000"
    }
}
