// fjord-bench: measures a running Fjord (or any Loki-compatible server) through its HTTP API, the way Loki 3.7 was
// measured: pre-encoded Promtail-shaped pushes, server CPU and memory from /proc, disk use after /flush, and query
// latency. See docs/benchmarks.md.
import Foundation

let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    log("fjord-bench: \(error)")
    exit(2)
}

switch options.command {
case .help:
    print(BenchOptions.usage)
case .selftest:
    var test = SelfTest()
    exit(await test.run() ? 0 : 1)
case .dataset:
    let clock = ContinuousClock()
    let base = options.base ?? BenchRun.defaultBase(now: Date())
    var started = clock.now
    let dataset = Dataset.generate(seed: options.seed, lines: options.lines, base: base)
    let generated = (clock.now - started).seconds
    started = clock.now
    let requests = PushBatches.encode(dataset, batchSize: options.batch)
    let encoded = (clock.now - started).seconds
    let wire = requests.reduce(0) { $0 + $1.body.count }
    print(String(format: "%d lines, %.1f MB of lines (%.0f B/line), %d streams, %d requests, %.1f MB on the wire",
                 dataset.entries.count, Double(dataset.lineBytes) / 1e6,
                 Double(dataset.lineBytes) / Double(dataset.entries.count), dataset.streams.count, requests.count,
                 Double(wire) / 1e6))
    print(String(format: "generated in %.2fs, encoded in %.2fs; %d lines contain Traceback; needle %@",
                 generated, encoded, dataset.count(containing: "Traceback"), dataset.needle))
    for entry in dataset.entries.prefix(12) {
        print(dataset.streams[Int(entry.stream)].labelsString, String(decoding: dataset.line(entry), as: UTF8.self))
    }
case .frontend:
    do {
        let table = try await FrontendBench(options: options).run()
        print(table)
        if let path = options.markdownOutput { try table.write(toFile: path, atomically: true, encoding: .utf8) }
    } catch {
        log("fjord-bench: \(error)")
        exit(1)
    }
case .cluster:
    await runAndEmit { let report = try await ClusterBench(options: options).run(); return (report.markdown(), try report.json()) }
case .wire:
    await runAndEmit {
        let report = try await WireBench(roundTrips: options.roundTrips, renice: options.renice).run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (WireBench.markdown(report), try encoder.encode(report))
    }
case .run:
    await runAndEmit {
        let report = try await BenchRun(options: options).run()
        return (Markdown.render(report), try report.json())
    }
}

/// Runs a measurement, prints its Markdown summary and writes `--md` and `--out`; exits 1 on failure.
func runAndEmit(_ measure: () async throws -> (markdown: String, json: Data)) async {
    do {
        let (markdown, json) = try await measure()
        print(markdown)
        if let path = options.markdownOutput { try markdown.write(toFile: path, atomically: true, encoding: .utf8) }
        if let path = options.jsonOutput { try json.write(to: URL(fileURLWithPath: path)) }
    } catch {
        log("fjord-bench: \(error)")
        exit(1)
    }
}
