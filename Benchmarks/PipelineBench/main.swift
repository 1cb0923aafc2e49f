// fjord-pipeline-bench: per-core throughput of LogQL pipelines over generated JSON logs, in process.
//
//   swift build -c release --product fjord-pipeline-bench
//   .build/release/fjord-pipeline-bench [--lines 1000000] [--runs 5] [--streams 240] [--seed 20260522]
//                                       [--only <text in the LogQL>]
//
// The engine runs with parallelism 1 over blocks already decoded in memory, so the figures are the pipeline's and
// the engine's cost per core, without decompression or HTTP. Throughput is raw log bytes divided by the process's
// CPU time (user + system) for the query, which depends little on other load; wall time is printed too.
import FjordEngine
import FjordLogQL
import FjordModel
import Foundation

struct Options {
    var lines = 1_000_000
    var runs = 5
    var streams = 240
    var seed: UInt64 = 20_260_522
    /// Only queries whose LogQL contains this text.
    var only = ""

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--lines": lines = Int(value) ?? lines
            case "--runs": runs = Int(value) ?? runs
            case "--streams": streams = Int(value) ?? streams
            case "--seed": seed = UInt64(value) ?? seed
            case "--only": only = value
            default:
                FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

/// CPU seconds (user + system) this process has used so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let options = Options(CommandLine.arguments)
let base: Int64 = 1_795_381_200 * 1_000_000_000
let limits = QueryLimits(maxQuerySeries: 100_000, maxEntriesLimitPerQuery: 100_000)
let jsonLogs = GeneratedLogs(lines: options.lines, streamCount: options.streams, seed: options.seed, start: base)
let logfmtLogs = GeneratedLogs(lines: options.lines, streamCount: options.streams, seed: options.seed, start: base,
                               format: .logfmt)
let engines: [GeneratedLogs.Format: QueryEngine] = [
    .json: QueryEngine(source: DecodedSource(tenant: "bench", logs: jsonLogs), limits: limits, parallelism: 1),
    .logfmt: QueryEngine(source: DecodedSource(tenant: "bench", logs: logfmtLogs), limits: limits, parallelism: 1),
]
for (name, logs) in [("JSON", jsonLogs), ("logfmt", logfmtLogs)] {
    print("\(name) data: \(logs.lineCount) lines, \(String(format: "%.1f", Double(logs.lineBytes) / 1e6)) MB of line "
          + "bytes (\(logs.lineBytes / max(1, logs.lineCount)) B/line), \(options.streams) streams")
}
print("\(ProcessInfo.processInfo.activeProcessorCount) CPUs; engine parallelism 1; median of \(options.runs) runs")

// Metric forms make every query read every line (a log query would stop at its limit).
let queries: [(name: String, format: GeneratedLogs.Format, query: String)] = [
    ("`|= \"literal\"`", .json, #"sum(count_over_time({job="bench"} |= "Traceback" [5m]))"#),
    ("`|~ \"regex\"`", .json, #"sum(count_over_time({job="bench"} |~ "latency_ms\": 1[0-9]{3}," [5m]))"#),
    ("`| json | level=\"error\"`", .json, #"sum(count_over_time({job="bench"} | json | level="error" [5m]))"#),
    ("`| json` (all fields, grouped)", .json,
     #"sum by (service) (count_over_time({job="bench"} | json | __error__="" [5m]))"#),
    ("`topk(10, sum by (event) (count_over_time(... | json | __error__=\"\" [1h])))`", .json,
     #"topk(10, sum by (event) (count_over_time({job="bench"} | json | __error__="" [1h])))"#),
    ("`sum by (service) (rate(... | json | __error__=\"\" | level=\"error\" [5m]))`", .json,
     #"sum by (service) (rate({job="bench"} | json | __error__="" | level="error" [5m]))"#),
    ("`avg_over_time(... | json | event=\"swap-complete\" | unwrap latency_ms [5m]) by (level)`", .json,
     #"avg_over_time({job="bench"} | json | event="swap-complete" | unwrap latency_ms [5m]) by (level)"#),
    ("`| logfmt | level=\"error\"` (logfmt lines)", .logfmt,
     #"sum(count_over_time({job="bench"} | logfmt | level="error" [5m]))"#),
    ("`| logfmt` (all fields, grouped; logfmt lines)", .logfmt,
     #"sum by (event) (count_over_time({job="bench"} | logfmt | __error__="" [5m]))"#),
    ("`sum by (service) (count_over_time(...[5m]))`", .json, #"sum by (service) (count_over_time({job="bench"} [5m]))"#),
    ("needle `{…} |= \"req_…\"` (log query, limit 1000)", .json, #"{job="bench"} |= "req_0123456789abcdef""#),
]

print("")
print("| pipeline | MB/s per CPU-second | lines/s per CPU-second | CPU ms (median) | wall ms (median) |")
print("|---|---:|---:|---:|---:|")
for (name, format, query) in queries where options.only.isEmpty || query.contains(options.only) {
    let logs = format == .json ? jsonLogs : logfmtLogs
    guard let engine = engines[format] else { continue }
    let megabytes = Double(logs.lineBytes) / 1e6
    let span = logs.end - logs.start
    let expression: Expr
    do { expression = try LogQLParser.parse(query) } catch {
        print("| \(name) | parse error: \(error) | | | |")
        continue
    }
    let isLog: Bool
    if case .log = expression { isLog = true } else { isLog = false }
    let parameters = isLog
        ? QueryParameters.range(tenants: ["bench"], start: logs.start, end: logs.end, step: 0, limit: 1000)
        : QueryParameters.range(tenants: ["bench"], start: logs.start, end: logs.end, step: max(60_000_000_000, span / 100))
    var cpu: [Double] = []
    var wall: [Double] = []
    for _ in 0..<options.runs {
        let cpuBefore = cpuSeconds()
        let started = ContinuousClock.now
        do { _ = try await engine.execute(expression, parameters) } catch {
            print("| \(name) | error: \(error.message) | | | |")
            break
        }
        let elapsed = ContinuousClock.now - started
        cpu.append(cpuSeconds() - cpuBefore)
        wall.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    guard !cpu.isEmpty else { continue }
    let name = name.replacingOccurrences(of: "|", with: "\\|")  // a Markdown table cell
    let cpuMedian = cpu.sorted()[cpu.count / 2]
    let wallMedian = wall.sorted()[wall.count / 2]
    print("| \(name) | \(String(format: "%.0f", megabytes / cpuMedian)) | "
          + "\(String(format: "%.0f", Double(logs.lineCount) / cpuMedian)) | \(String(format: "%.0f", cpuMedian * 1000)) | "
          + "\(String(format: "%.0f", wallMedian * 1000)) |")
}
