// WAL writer throughput: N concurrent appenders, each appending a push-sized record and awaiting its durability
// (like a push handler acknowledging only durable data), for a fixed amount of raw payload.
//
//   swift run -c release wal-throughput [--appenders 4] [--record-kib 1024] [--total-mib 2048] [--fsync always|interval|never]
//                                       [--window 1] [--dir PATH] [--compression-threshold BYTES] [--micro]
//
// `--window W` lets each appender keep W records in flight (W > 1 models several concurrent pushes per connection).
import Foundation
import FjordModel
import FjordWAL
import FjordCompression
import CZstd

struct Arguments {
    var appenders = 4
    var recordKiB = 1_024
    var totalMiB = 2_048
    var fsync = WALFsyncPolicy.always
    var window = 1
    var compressionThreshold = WALOptions().compressionThreshold
    var directory = FileManager.default.temporaryDirectory.appendingPathComponent("wal-throughput-\(getpid())").path

    init() {
        var args = CommandLine.arguments.dropFirst()
        while let flag = args.popFirst() {
            if flag == "--micro" { continue }
            let value = args.popFirst() ?? ""
            switch flag {
            case "--appenders": appenders = Int(value) ?? appenders
            case "--record-kib": recordKiB = Int(value) ?? recordKiB
            case "--total-mib": totalMiB = Int(value) ?? totalMiB
            case "--window": window = max(1, Int(value) ?? window)
            case "--dir": directory = value
            case "--compression-threshold": compressionThreshold = Int(value) ?? compressionThreshold
            case "--fsync":
                fsync = value == "never" ? .never : value.hasPrefix("interval") ? .interval(milliseconds: 100) : .always
            default:
                print("unknown flag \(flag)")
                exit(2)
            }
        }
    }
}

/// Pseudo-random but log-like lines (logfmt and JSON with varying ids, paths, latencies) so zstd sees realistic data.
struct LineMaker {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 17
    }
    mutating func line() -> String {
        let paths = ["/api/v1/users", "/api/v1/orders", "/healthz", "/api/v2/search", "/static/app.js", "/login"]
        let levels = ["info", "info", "info", "debug", "warn", "error"]
        let id = String(next(), radix: 16)
        let path = paths[Int(next() % UInt64(paths.count))]
        let level = levels[Int(next() % UInt64(levels.count))]
        let latency = next() % 5_000
        if next() % 2 == 0 {
            return "ts=2024-05-01T12:\(next() % 60):\(next() % 60).\(next() % 1000)Z level=\(level) caller=handler.go:\(next() % 400) "
                + "msg=\"request served\" method=GET path=\(path) status=\(200 + (next() % 4) * 100) latency_ms=\(latency) request_id=\(id) user=u\(next() % 10_000)"
        }
        return "{\"time\":\"2024-05-01T12:00:\(next() % 60)Z\",\"level\":\"\(level)\",\"msg\":\"upstream call\",\"path\":\"\(path)\","
            + "\"latency_ms\":\(latency),\"trace_id\":\"\(id)\(String(next(), radix: 16))\",\"bytes\":\(next() % 100_000)}"
    }
}

/// A push of about `bytes` line bytes spread over 10 streams.
func makeRecord(seed: UInt64, bytes: Int) -> WALRecord {
    var maker = LineMaker(state: seed)
    var streams: [WALStream] = []
    let perStream = bytes / 10
    for index in 0..<10 {
        var batch = EntryBatch()
        var filled = 0
        var timestamp: Int64 = 1_714_564_800_000_000_000 + Int64(seed) * 1_000_000
        while filled < perStream {
            let line = Array(maker.line().utf8)
            timestamp += Int64(maker.next() % 1_000_000)
            batch.append(timestamp: timestamp, line: line)
            filled += line.count
        }
        let labels = Labels(["app": "service-\(index)", "env": "prod", "namespace": "ns-\(seed % 7)", "pod": "pod-\(index)-\(seed % 13)"])
        streams.append(WALStream(labels: labels, counterBefore: seed * 100_000, entries: batch))
    }
    return .entries(WALEntriesRecord(tenant: "bench", streams: streams))
}

let arguments = Arguments()
if CommandLine.arguments.contains("--micro") {
    // Single-thread cost of the steps `append` runs on the caller's thread.
    let record = makeRecord(seed: 1, bytes: arguments.recordKiB << 10)
    let payload = record.encodedPayload()
    let clock = ContinuousClock()
    func measure(_ name: String, _ body: () throws -> Void) rethrows {
        let start = clock.now
        for _ in 0..<50 { try body() }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "%@: %.2f ms/record, %.0f MB/s", name, seconds / 50 * 1e3, Double(payload.count) * 50 / seconds / 1e6))
    }
    measure("encode payload") { _ = record.encodedPayload() }
    measure("zstd level 1") { _ = Zstd.compress(payload, level: 1) }
    let context = ZSTD_createCCtx()
    var output = [UInt8](repeating: 0, count: ZSTD_compressBound(payload.count))
    measure("zstd level 1, reused context") {
        _ = output.withUnsafeMutableBytes { out in
            payload.withUnsafeBytes { ZSTD_compressCCtx(context, out.baseAddress, out.count, $0.baseAddress, $0.count, 1) }
        }
    }
    for level: Int32 in [-1, -3] {
        measure("zstd level \(level), reused context") {
            _ = output.withUnsafeMutableBytes { out in
                payload.withUnsafeBytes { ZSTD_compressCCtx(context, out.baseAddress, out.count, $0.baseAddress, $0.count, level) }
            }
        }
        print("  ratio", Double(payload.count) / Double(Zstd.compress(payload, level: level).count))
    }
    print("  level 1 ratio", Double(payload.count) / Double(Zstd.compress(payload, level: 1).count))
    var sink = 0
    measure("decode payload") { sink &+= (try? WALRecord.decode(type: .entries, payload: payload)).map { _ in 1 } ?? 0 }
    exit(0)
}
try? FileManager.default.removeItem(atPath: arguments.directory)
let recordsPerAppender = 16
let records: [[WALRecord]] = (0..<arguments.appenders).map { appender in
    (0..<recordsPerAppender).map { makeRecord(seed: UInt64(appender * 1_000 + $0), bytes: arguments.recordKiB << 10) }
}
let payloadPerRecord = records[0][0].encodedPayload().count
let totalBytes = arguments.totalMiB << 20
let perAppender = max(1, totalBytes / payloadPerRecord / arguments.appenders)
let wal = try WALWriter(directory: arguments.directory, options: WALOptions(fsync: arguments.fsync, compressionThreshold: arguments.compressionThreshold))
print("appenders \(arguments.appenders), window \(arguments.window), payload/record \(payloadPerRecord) B, "
      + "records/appender \(perAppender), fsync \(arguments.fsync), dir \(arguments.directory)")

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
let clock = ContinuousClock()
let start = clock.now
let cpuStart = cpuSeconds()
try await withThrowingTaskGroup(of: Void.self) { group in
    for appender in 0..<arguments.appenders {
        group.addTask {
            var inFlight: [WALTicket] = []
            for index in 0..<perAppender {
                inFlight.append(try wal.append(records[appender][index % recordsPerAppender]))
                if inFlight.count >= arguments.window {
                    try await wal.durable(inFlight.removeFirst())
                }
            }
            for ticket in inFlight { try await wal.durable(ticket) }
        }
    }
    try await group.waitForAll()
}
let elapsed = clock.now - start
let stats = wal.stats
try await wal.close()
let cpu = cpuSeconds() - cpuStart
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let raw = Double(stats.appendedPayloadBytes)
print(String(format: "%.2f s: %.1f MB/s raw payload, %.1f MB/s written (ratio %.2f), %d records, %d fsyncs (%.1f records/fsync)",
             seconds, raw / seconds / 1e6, Double(stats.writtenBytes) / seconds / 1e6, raw / Double(max(stats.writtenBytes, 1)),
             Int(stats.appendedRecords), Int(stats.fsyncs), Double(stats.appendedRecords) / Double(max(stats.fsyncs, 1))))
print(String(format: "CPU %.2f s (user+sys) = %.2f CPU-s per GB of raw payload; %.2f cores busy on average",
             cpu, cpu / (raw / 1e9), cpu / seconds))
try? FileManager.default.removeItem(atPath: arguments.directory)
