// Bytes per line and encode/decode speed of Fjord's storage format on the conformance data set, with Loki-style
// baselines. Entries are grouped by (tenant, stream), sorted by timestamp, appended through `MemoryStream` (head →
// 256 KiB blocks → chunks), and every chunk is closed and encoded as a chunk file. Speeds are MB of line bytes per
// CPU-second of the process, so they hold on a busy machine.
//
//   swift run -c release storage-format [--dataset PATH] [--levels 1,3] [--block-kib 256] [--repeat 3]
//                                       [--filter 'Traceback,req_…']
import CFjordBytes
import FjordCompression
import FjordModel
import FjordStorage
import Foundation

struct Arguments {
    var dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../../Tests/Fixtures/conformance/dataset.jsonl.gz").standardized.path
    var levels: [Int32] = [1]
    var blockKiB = 256
    var repeats = 3
    /// Only encode blocks this many times (for profiling), then exit.
    var encodeOnly = 0
    /// Compare `.full` with `.fullIfContaining` for each of these comma-separated literals, then exit.
    var filterNeedles: [[UInt8]] = []

    init() {
        var args = CommandLine.arguments.dropFirst()
        while let flag = args.popFirst() {
            let value = args.popFirst() ?? ""
            switch flag {
            case "--dataset": dataset = value
            case "--levels": levels = value.split(separator: ",").compactMap { Int32($0) }
            case "--block-kib": blockKiB = Int(value) ?? blockKiB
            case "--repeat": repeats = Int(value) ?? repeats
            case "--encode-only": encodeOnly = Int(value) ?? 0
            case "--filter": filterNeedles = value.split(separator: ",").map { Array($0.utf8) }
            default:
                print("usage: storage-format [--dataset PATH] [--levels 1,3] [--block-kib 256] [--repeat 3] [--filter LITERALS]")
                exit(2)
            }
        }
    }
}

struct Entry {
    var timestamp: Int64
    var line: [UInt8]
    var metadata: Labels
}

func loadStreams(_ path: String) throws -> [[Entry]] {
    let compressed = try Data(contentsOf: URL(fileURLWithPath: path))
    let raw = try compressed.withUnsafeBytes { try Gzip.decompress($0, format: .gzip, maxLength: 1 << 31) }
    var streams: [String: [Entry]] = [:]
    var base: Int64 = 0
    for (index, lineBytes) in raw.split(separator: 0x0A).enumerated() {
        let object = try JSONSerialization.jsonObject(with: Data(lineBytes))
        if index == 0 {
            let meta = (object as? [String: Any])?["meta"] as? [String: Any]
            base = Int64((meta?["base"] as? Int) ?? 0) * 1_000_000_000
            continue
        }
        guard let record = object as? [Any], record.count >= 4, let tenant = record[0] as? String,
              let stream = record[1] as? Int, let offset = record[2] as? Int, let line = record[3] as? String
        else { continue }
        var metadata = Labels()
        if record.count > 4, let pairs = record[4] as? [String: String] { metadata = Labels(pairs) }
        streams["\(tenant)/\(stream)", default: []].append(Entry(timestamp: base + Int64(offset), line: Array(line.utf8), metadata: metadata))
    }
    return streams.keys.sorted().compactMap { key in
        streams[key]?.enumerated().sorted {
            $0.element.timestamp < $1.element.timestamp || ($0.element.timestamp == $1.element.timestamp && $0.offset < $1.offset)
        }.map(\.element)
    }
}

/// CPU seconds used by this process so far (all threads).
func processSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// CPU seconds of this process spent in `body`: stable on a machine shared with other work (wall time is not).
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = processSeconds()
    try body()
    return processSeconds() - start
}

func uvarint(_ value: UInt64, into out: inout [UInt8]) {
    var remaining = value
    while remaining >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
        remaining >>= 7
    }
    out.append(UInt8(remaining))
}

/// Loki's block payload (`varint ts, uvarint len, line` per entry) cut at `blockSize`, compressed whole.
func lokiStyleBytes(_ streams: [[Entry]], blockSize: Int, compress: ([UInt8]) -> Int) -> Int {
    var total = 0
    for stream in streams {
        var block: [UInt8] = []
        var lineBytes = 0
        for entry in stream {
            uvarint(UInt64(bitPattern: (entry.timestamp << 1) ^ (entry.timestamp >> 63)), into: &block)
            uvarint(UInt64(entry.line.count), into: &block)
            block += entry.line
            lineBytes += entry.line.count
            if lineBytes >= blockSize {
                total += compress(block)
                block.removeAll(keepingCapacity: true)
                lineBytes = 0
            }
        }
        if !block.isEmpty { total += compress(block) }
    }
    return total
}

let arguments = Arguments()
let streams = try loadStreams(arguments.dataset)
let lines = streams.reduce(0) { $0 + $1.count }
let lineBytes = streams.reduce(0) { $0 + $1.reduce(0) { $0 + $1.line.count } }
print("data set: \(arguments.dataset)")
print("\(streams.count) streams, \(lines) lines, \(lineBytes) line bytes (\(String(format: "%.1f", Double(lineBytes) / Double(lines))) B/line)")
let blockSize = arguments.blockKiB * 1024
func perLine(_ bytes: Int) -> String { String(format: "%.2f B/line", Double(bytes) / Double(lines)) }
func rate(_ bytes: Int, _ time: Double) -> String { String(format: "%.0f MB/s", Double(bytes) / time / 1e6) }

// Pure block encoding of pre-sorted batches of `blockSize` line bytes.
var batches: [EntryBatch] = []
for stream in streams {
    var batch = EntryBatch()
    for entry in stream {
        batch.append(timestamp: entry.timestamp, line: entry.line, metadata: entry.metadata)
        if batch.totalLineBytes >= blockSize {
            batches.append(batch)
            batch = EntryBatch()
        }
    }
    if !batch.isEmpty { batches.append(batch) }
}
if !arguments.filterNeedles.isEmpty {
    // Literal line filters: decoding every block fully and filtering, against `.fullIfContaining`.
    let blocks = batches.map { CompressedBlock.encode($0, level: arguments.levels[0]) }
    func matches(_ batch: EntryBatch, _ needle: [UInt8]) -> Int {
        (0..<batch.count).reduce(0) { count, index in
            count + (batch.withLine(index) { line in
                needle.withUnsafeBytes { fjord_memmem(line.baseAddress, line.count, $0.baseAddress, $0.count) != nil }
            } ? 1 : 0)
        }
    }
    for needle in arguments.filterNeedles {
        var results: [(time: Double, decoded: Int, matched: Int)] = []
        for content in [BlockContent.full, .fullIfContaining([needle])] {
            var best = (time: Double.infinity, decoded: 0, matched: 0)
            for _ in 0..<arguments.repeats {
                var decoded = 0
                var matched = 0
                let time = try seconds {
                    for block in blocks {
                        let batch = try block.decodeNow(content)
                        decoded += batch.count
                        matched += matches(batch, needle)
                    }
                }
                if time < best.time { best = (time, decoded, matched) }
            }
            results.append(best)
        }
        precondition(results[0].matched == results[1].matched, "filtered decode lost matches")
        print("|= \"\(String(decoding: needle, as: UTF8.self))\": \(results[0].matched) matching lines; full decode + filter "
              + String(format: "%.3f s", results[0].time) + ", fullIfContaining + filter " + String(format: "%.3f s", results[1].time)
              + " (\(results[1].decoded) of \(results[0].decoded) lines decoded)")
    }
    exit(0)
}
if arguments.encodeOnly > 0 {
    let time = seconds {
        for _ in 0..<arguments.encodeOnly { for batch in batches { _ = CompressedBlock.encode(batch, level: arguments.levels[0]) } }
    }
    print("encode only: \(rate(lineBytes * arguments.encodeOnly, time))")
    exit(0)
}
print("baselines (\(arguments.blockKiB) KiB blocks, Loki's block payload):")
var baseline = 0
let gzipTime = seconds { baseline = lokiStyleBytes(streams, blockSize: blockSize) { Gzip.compress($0, level: 6).count } }
print("  gzip -6 (Loki default): \(perLine(baseline)), \(rate(lineBytes, gzipTime))")
var zstdTime = Double.infinity
for _ in 0..<arguments.repeats {
    zstdTime = min(zstdTime, seconds { baseline = lokiStyleBytes(streams, blockSize: blockSize) { Zstd.compress($0, level: 1).count } })
}
print("  zstd -1:                \(perLine(baseline)), \(rate(lineBytes, zstdTime))")

for level in arguments.levels {
    var encodeTime = Double.infinity
    var encoded = 0
    for _ in 0..<arguments.repeats {
        encodeTime = min(encodeTime, seconds { encoded = batches.reduce(0) { $0 + CompressedBlock.encode($1, level: level).compressedSize } })
    }
    print("  CompressedBlock.encode alone, zstd -\(level): \(perLine(encoded)), \(rate(lineBytes, encodeTime))")
    var parts = (header: 0, times: 0, sizes: 0, lines: 0, tokens: 0, metadata: 0)
    for batch in batches {
        let sizes = CompressedBlock.encode(batch, level: level).storedSizes
        parts.header += sizes.header
        parts.times += sizes.timestamps
        parts.sizes += sizes.sizes
        parts.lines += sizes.lines
        parts.tokens += sizes.tokens
        parts.metadata += sizes.metadata
    }
    print("    per section: header \(perLine(parts.header)), timestamps \(perLine(parts.times)), sizes \(perLine(parts.sizes)), "
          + "lines \(perLine(parts.lines)), tokens \(perLine(parts.tokens)), metadata \(perLine(parts.metadata))")
}

for level in arguments.levels {
    let config = MemoryStreamConfig(blockSize: blockSize, syncPeriod: 0, compressionLevel: level)
    var encodedBytes = 0
    var blockBytes = 0
    var chunks: [EncodedChunk] = []
    var bestEncode = Double.infinity
    for _ in 0..<arguments.repeats {
        var built: [EncodedChunk] = []
        let time = seconds {
            for stream in streams {
                var memory = MemoryStream(labels: Labels(["stream": "\(built.count)"]), config: config)
                for entry in stream {
                    entry.line.withUnsafeBytes { _ = memory.append(timestamp: entry.timestamp, line: $0, metadata: entry.metadata, now: 0) }
                }
                for chunk in memory.chunks { memory.closeChunk(id: chunk.id) }
                for chunk in memory.chunks { built.append(EncodedChunk(labels: memory.labels, blocks: chunk.blocks)) }
            }
        }
        bestEncode = min(bestEncode, time)
        chunks = built
    }
    encodedBytes = chunks.reduce(0) { $0 + $1.bytes.count }
    blockBytes = chunks.reduce(0) { $0 + $1.blocks.reduce(0) { $0 + $1.length } }
    var bestFull = Double.infinity
    var bestSizes = Double.infinity
    var decodedEntries = 0
    for _ in 0..<arguments.repeats {
        let decodedChunks = try chunks.map { try DecodedChunk(bytes: $0.bytes) }
        bestFull = min(bestFull, try seconds {
            decodedEntries = 0
            for chunk in decodedChunks { for block in chunk.blocks { decodedEntries += try block.decodeNow(.full).count } }
        })
        bestSizes = min(bestSizes, try seconds {
            for chunk in decodedChunks { for block in chunk.blocks { _ = try block.decodeNow(.timestampsAndSizes) } }
        })
    }
    precondition(decodedEntries <= lines, "decoded \(decodedEntries) entries from \(lines)")
    // Reading every stream through StreamCursor, both directions.
    var bestForward = Double.infinity
    var bestBackward = Double.infinity
    let chunkBlocks: [[any EntryBlock]] = try chunks.map { try DecodedChunk(bytes: $0.bytes).blocks }
    for _ in 0..<arguments.repeats {
        for direction in [Direction.forward, .backward] {
            let start = processSeconds()
            for blocks in chunkBlocks {
                var cursor = StreamCursor(blocks: blocks, start: .min, end: .max, direction: direction)
                while let batch = try await cursor.next() { _ = batch.count }
            }
            let time = processSeconds() - start
            if direction == .forward { bestForward = min(bestForward, time) } else { bestBackward = min(bestBackward, time) }
        }
    }
    print("fjord zstd -\(level): chunks \(perLine(encodedBytes)) (blocks alone \(perLine(blockBytes)), \(chunks.count) chunks); "
          + "ingest+encode \(rate(lineBytes, bestEncode)), decode full \(rate(lineBytes, bestFull)), "
          + "timestamps+sizes \(String(format: "%.0f", Double(lines) / bestSizes / 1e6)) M entries/s; "
          + "StreamCursor forward \(rate(lineBytes, bestForward)), backward \(rate(lineBytes, bestBackward)); "
          + "\(decodedEntries) entries after head de-duplication")
}
