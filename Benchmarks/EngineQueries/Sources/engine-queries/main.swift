// Measures the lokicompat benchmark queries on the query engine, over a data set held in memory.
//
//   swift run -c release engine-queries --dataset /tmp/bench-1m.jsonl.gz [--storage memory|raw] [--repeat 5]
//
// The data set is a lokicompat export (`lcgen.write_relative_export`): line 1 meta + stream label sets, then
// `[tenant, stream_index, ns_offset, line(, metadata)]`. `--storage memory` keeps every stream in the ingester's
// `MemoryStream` (compressed 256 KiB blocks, so decoding is measured too); `raw` keeps plain batches (engine and
// pipeline only).
import FjordCompression
import FjordEngine
import FjordLogQL
import FjordModel
import FjordStorage
import Foundation

struct Options {
    var dataset = "Tests/Fixtures/conformance/dataset.jsonl.gz"
    var storage = "memory"
    var repeatCount = 5
    var only: String?
    var parallelism: Int?

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--dataset": dataset = iterator.next() ?? dataset
            case "--storage": storage = iterator.next() ?? storage
            case "--repeat": repeatCount = Int(iterator.next() ?? "") ?? repeatCount
            case "--only": only = iterator.next()
            case "--parallelism": parallelism = Int(iterator.next() ?? "")
            default:
                print("unknown argument \(argument)")
                exit(2)
            }
        }
    }
}

/// A batch held as is.
struct RawBlock: EntryBlock {
    let batch: EntryBatch
    var minTime: Int64 { batch.timestamps.first ?? 0 }
    var maxTime: Int64 { batch.timestamps.last ?? 0 }
    var entryCount: Int { batch.count }
    func decode(_ content: BlockContent) async throws -> EntryBatch {
        if content == .full { return batch }
        return EntryBatch(timestamps: batch.timestamps, lineStarts: batch.lineStarts, lineBytes: [],
                          metadata: batch.metadata, hasLines: false)
    }
}

struct BenchSource: LogSource {
    var streams: [String: [(labels: Labels, blocks: [any EntryBlock])]]

    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        (streams[tenant] ?? []).compactMap { stream in
            guard stream.labels.matches(matchers) else { return nil }
            let blocks = stream.blocks.filter { $0.maxTime >= start && $0.minTime < end }
            return blocks.isEmpty ? nil : StreamData(labels: stream.labels, blocks: blocks)
        }
    }
}

struct Dataset {
    var base: Int64
    var tenant: String
    var needle: String
    var source: BenchSource
    var lines = 0
    var bytes = 0
}

func load(_ options: Options) throws -> Dataset {
    let compressed = try Data(contentsOf: URL(fileURLWithPath: options.dataset))
    let bytes = try compressed.withUnsafeBytes { try Gzip.decompress($0, format: .gzip, maxLength: 4 << 30) }
    var lines = bytes.split(separator: UInt8(ascii: "\n")).makeIterator()
    guard let header = lines.next(),
          let meta = try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any],
          let info = meta["meta"] as? [String: Any], let base = (info["base"] as? NSNumber)?.int64Value,
          let streamSets = meta["streams"] as? [String: [[String: String]]], let tenant = streamSets.keys.sorted().first
    else { throw CocoaError(.coderReadCorrupt) }
    let needle = info["needle_request_id"] as? String ?? "req_0000000000000000"
    let labels = streamSets.mapValues { $0.map { Labels($0) } }
    var entries: [String: [[(Int64, [UInt8], Labels)]]] = labels.mapValues { Array(repeating: [], count: $0.count) }
    let baseNanos = base * 1_000_000_000
    var count = 0
    var total = 0
    while let line = lines.next() {
        guard let record = try JSONSerialization.jsonObject(with: Data(line)) as? [Any],
              let recordTenant = record[0] as? String, let stream = (record[1] as? NSNumber)?.intValue,
              let offset = (record[2] as? NSNumber)?.int64Value, let text = record[3] as? String
        else { throw CocoaError(.coderReadCorrupt) }
        let metadata = record.count > 4 ? Labels(record[4] as? [String: String] ?? [:]) : Labels()
        let bytes = Array(text.utf8)
        entries[recordTenant]?[stream].append((baseNanos + offset, bytes, metadata))
        count += 1
        total += bytes.count
    }
    var source = BenchSource(streams: [:])
    for (tenantName, streams) in entries {
        var built: [(labels: Labels, blocks: [any EntryBlock])] = []
        for (index, streamEntries) in streams.enumerated() {
            let sorted = streamEntries.sorted { $0.0 < $1.0 }
            let streamLabels = labels[tenantName]![index]
            var blocks: [any EntryBlock] = []
            if options.storage == "raw" {
                var batch = EntryBatch()
                for (time, line, metadata) in sorted {
                    batch.append(timestamp: time, line: line, metadata: metadata)
                    if batch.totalLineBytes >= 262_144 {
                        blocks.append(RawBlock(batch: batch))
                        batch = EntryBatch()
                    }
                }
                if !batch.isEmpty { blocks.append(RawBlock(batch: batch)) }
            } else {
                var stream = MemoryStream(labels: streamLabels)
                let now = (sorted.last?.0 ?? baseNanos) + 1
                for (time, line, metadata) in sorted {
                    _ = stream.append(timestamp: time, line: line, metadata: metadata, now: now)
                }
                blocks = stream.blocks(start: .min, end: .max)
            }
            built.append((streamLabels, blocks))
        }
        source.streams[tenantName] = built
    }
    return Dataset(base: baseNanos, tenant: tenant, needle: needle, source: source, lines: count, bytes: total)
}

struct BenchQuery {
    var id: String
    var query: String
    var step: Int64 = 0
    var limit = 100
}

let second: Int64 = 1_000_000_000
let queries = [
    BenchQuery(id: "traceback_filter", query: #"{job="docker-containers"} |= "Traceback""#, limit: 1000),
    BenchQuery(id: "json_level_error", query: #"{job="docker-containers"} | json | level="error""#, limit: 1000),
    BenchQuery(id: "rate_errors_by_service",
               query: #"sum by (service) (rate({job="docker-containers"} | json | __error__="" | level="error" [5m]))"#,
               step: 60 * second),
    BenchQuery(id: "slow_requests_line_format",
               query: #"{service="api"} | json | latency_ms > 1000 | line_format "{{.event}} latency={{.latency_ms}}ms tenant={{.tenant_id}}""#,
               limit: 1000),
    BenchQuery(id: "topk_events",
               query: #"topk(10, sum by (event) (count_over_time({job="docker-containers"} | json | __error__="" [1h])))"#,
               step: 300 * second),
    BenchQuery(id: "avg_unwrap_duration",
               query: #"avg_over_time({app="oneiric"} | json | event="swap-complete" | unwrap duration_ms [5m]) by (domain)"#,
               step: 60 * second),
    BenchQuery(id: "count_all_1m", query: #"sum(count_over_time({job="docker-containers"}[1m]))"#, step: 60 * second),
    BenchQuery(id: "needle_request_id", query: #"{job="docker-containers"} |= "{needle}""#, limit: 100),
]

func describe(_ result: QueryResult) -> String {
    switch result.data {
    case .streams(let streams): return "\(streams.count) streams, \(streams.reduce(0) { $0 + $1.entries.count }) entries"
    case .matrix(let series): return "\(series.count) series × \(series.map(\.points.count).max() ?? 0)"
    case .vector(let samples): return "\(samples.count) samples"
    case .scalar: return "scalar"
    }
}

/// CPU seconds used by the process so far (all threads).
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

let options = Options(CommandLine.arguments)
let loadStarted = Date()
let dataset = try load(options)
print(String(format: "loaded %d lines, %.1f MB of line bytes (%@ storage) in %.1fs", dataset.lines,
             Double(dataset.bytes) / 1e6, options.storage, Date().timeIntervalSince(loadStarted)))
let engine = QueryEngine(source: dataset.source, parallelism: options.parallelism)
print("parallelism \(engine.parallelism)")
print("query                         median ms    min ms    max ms  cpu ms  result")
for benchQuery in queries where options.only == nil || options.only == benchQuery.id {
    let text = benchQuery.query.replacingOccurrences(of: "{needle}", with: dataset.needle)
    let expression = try LogQLParser.parse(text)
    let parameters = QueryParameters.range(tenants: [dataset.tenant], start: dataset.base,
                                           end: dataset.base + 3 * 3600 * second, step: benchQuery.step,
                                           limit: benchQuery.limit)
    var timings: [Double] = []
    var cpu: [Double] = []
    var summary = ""
    for _ in 0...options.repeatCount {
        let clock = ContinuousClock()
        let started = clock.now
        let cpuStarted = cpuSeconds()
        do {
            let result = try await engine.execute(expression, parameters)
            summary = describe(result)
        } catch {
            summary = "error: \(error)"
        }
        let elapsed = clock.now - started
        cpu.append((cpuSeconds() - cpuStarted) * 1000)
        timings.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    timings.removeFirst()  // warm-up
    cpu.removeFirst()
    timings.sort()
    cpu.sort()
    let name = benchQuery.id.padding(toLength: 28, withPad: " ", startingAt: 0)
    print(String(format: "%@ %10.1f %9.1f %9.1f %7.0f  %@", name, timings[timings.count / 2], timings.first ?? 0,
                 timings.last ?? 0, cpu[cpu.count / 2], summary))
}
