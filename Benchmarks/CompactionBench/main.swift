// fjord-compaction-bench: objects per GB stored before and after compaction, and compaction throughput.
//
//   swift build -c release --product fjord-compaction-bench
//   .build/release/fjord-compaction-bench [--streams 20] [--flushes 200] [--lines 200] [--seed 7] [--dir /tmp/x]
//
// Writes what an ingester that flushes idle streams often leaves behind: `flushes` rounds, each one small chunk per
// stream and one index segment (JSON lines with random IDs, ~250 B), into a filesystem object store; then runs one
// compactor pass (merging small chunks, one segment per period, sweep delay 0) and reports objects and bytes before
// and after, objects per GB of stored bytes, and the pass's throughput in source bytes per second (wall and
// process CPU time).
import FjordCompactor
import FjordModel
import FjordStorage
import Foundation
import Logging

struct Options {
    var streams = 20
    var flushes = 200
    var lines = 200
    var seed: UInt64 = 7
    var directory = ""

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--streams": streams = Int(value) ?? streams
            case "--flushes": flushes = Int(value) ?? flushes
            case "--lines": lines = Int(value) ?? lines
            case "--seed": seed = UInt64(value) ?? seed
            case "--dir": directory = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

/// SplitMix64, so runs are repeatable.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func totals(_ objects: any ObjectStore) async throws -> (objects: Int, bytes: Int, chunks: Int) {
    let all = try await objects.list(prefix: "bench/")
    return (all.count, all.reduce(0) { $0 + $1.size }, all.filter { $0.key.contains("/chunks/") }.count)
}

let options = Options(CommandLine.arguments)
let directory = options.directory.isEmpty
    ? FileManager.default.temporaryDirectory.appendingPathComponent("fjord-compaction-bench-\(UUID().uuidString)").path
    : options.directory
let objects = try FilesystemObjectStore(root: directory)
let store = ChunkStore(objects: objects)
var random = Random(state: options.seed)
let base: Int64 = 1_795_316_400_000_000_000
let levels = ["info", "info", "info", "warn", "error", "debug"]
var rawBytes = 0
for flush in 0..<options.flushes {
    var chunks: [(Labels, EncodedChunk)] = []
    for stream in 0..<options.streams {
        var batch = EntryBatch()
        for line in 0..<options.lines {
            let ts = base + Int64(flush) * 30_000_000_000 + Int64(line) * 100_000_000 + Int64(stream)
            let id = String(random.next(), radix: 16)
            let text = #"{"level":"\#(levels[Int(random.next() % 6)])","service":"svc-\#(stream)","msg":"request handled","#
                + #""trace_id":"\#(id)","path":"/api/v1/items/\#(random.next() % 1000)","status":\#(200 + random.next() % 4 * 100),"#
                + #""duration_ms":\#(random.next() % 5000)}"#
            rawBytes += text.utf8.count
            batch.append(timestamp: ts, line: Array(text.utf8))
        }
        let labels = Labels(["app": "svc-\(stream)", "env": "bench"])
        chunks.append((labels, EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(batch)])))
    }
    try await store.writeChunks(tenant: "bench", chunks)
}
let before = try await totals(objects)
let compactor = Compactor(store: store, logger: Logger(label: "bench"), deleteDelay: 0)
let wallStart = Date()
let cpuStart = cpuSeconds()
let summary = try await compactor.runOnce(now: base + 86_400_000_000_000)
let wall = Date().timeIntervalSince(wallStart)
let cpu = cpuSeconds() - cpuStart
let after = try await totals(objects)
func perGB(_ count: Int, _ bytes: Int) -> String { String(format: "%.0f", Double(count) / (Double(bytes) / 1e9)) }
print("data: \(options.streams) streams × \(options.flushes) flushes × \(options.lines) lines, \(String(format: "%.1f", Double(rawBytes) / 1e6)) MB of lines")
print("before: \(before.objects) objects (\(before.chunks) chunks), \(String(format: "%.2f", Double(before.bytes) / 1e6)) MB stored, \(perGB(before.objects, before.bytes)) objects/GB")
print("after:  \(after.objects) objects (\(after.chunks) chunks), \(String(format: "%.2f", Double(after.bytes) / 1e6)) MB stored, \(perGB(after.objects, after.bytes)) objects/GB")
print("pass: \(summary.result.chunksWritten) chunks written from \(String(format: "%.2f", Double(summary.result.sourceBytes) / 1e6)) MB of source chunks, \(summary.chunksSwept) swept")
print(String(format: "throughput: %.1f MB/s of source chunks (wall %.2f s), %.1f MB/s per CPU-second (%.2f s CPU); %.0f MB/s of log lines per CPU-second",
             Double(summary.result.sourceBytes) / 1e6 / wall, wall, Double(summary.result.sourceBytes) / 1e6 / cpu, cpu,
             Double(rawBytes) / 1e6 / cpu))
if options.directory.isEmpty { try? FileManager.default.removeItem(atPath: directory) }
