import Foundation
import NIOCore
import NIOPosix

/// Prints progress to standard error (standard output carries the Markdown summary).
func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// The whole benchmark: generate and encode, (start the server), push, wait until countable, flush and measure disk,
/// time the queries, sample CPU and memory of the server process throughout.
struct BenchRun {
    let options: BenchOptions

    /// The hour-aligned start of the 3 h the data covers: 4 h before `now`, so the data ends about an hour ago.
    static func defaultBase(now: Date) -> Int64 {
        let seconds = Int64(now.timeIntervalSince1970) - 4 * 3600
        return seconds / 3600 * 3600
    }

    func run() async throws -> BenchReport {
        let loadBefore = ProcFS.loadAverage()
        let base = options.base ?? Self.defaultBase(now: Date())
        let clock = ContinuousClock()

        log("generating \(options.lines) lines (seed \(options.seed), base \(base))")
        var started = clock.now
        let dataset = Dataset.generate(seed: options.seed, lines: options.lines, base: base)
        let generateSeconds = (clock.now - started).seconds
        started = clock.now
        let requests = PushBatches.encode(dataset, batchSize: options.batch)
        let encodeSeconds = (clock.now - started).seconds
        let figures = BenchReport.DatasetFigures(
            lines: dataset.entries.count, lineBytes: dataset.lineBytes, streams: dataset.streams.count,
            requests: requests.count, wireBytes: requests.reduce(0) { $0 + $1.body.count },
            tracebackLines: dataset.count(containing: "Traceback"), needle: dataset.needle,
            generateSeconds: generateSeconds, encodeSeconds: encodeSeconds)
        log(String(format: "generated in %.1fs, encoded %d requests in %.1fs (not timed); %.1f MB of lines, %d streams",
                   generateSeconds, requests.count, encodeSeconds, Double(figures.lineBytes) / 1e6, figures.streams))

        var server: ServerProcess?
        var report = BenchReport(
            label: options.label ?? "Fjord", url: options.url ?? "", when: ISO8601DateFormatter().string(from: Date()),
            machine: MachineInfo.current(), loadBefore: loadBefore, loadAfter: [], seed: options.seed, base: base,
            batch: options.batch, concurrency: options.concurrency, repeats: options.repeats, serverCommand: nil, renice: options.renice,
            dataset: figures, memory: BenchReport.MemoryFigures())
        if report.dataset.lines != options.lines {
            report.notes.append("generated \(report.dataset.lines) lines instead of \(options.lines)")
        }

        var address: ServerAddress
        var pid = options.pid
        if let binary = options.fjordBinary, let directory = options.dataDirectory {
            let logPath = options.serverLog ?? (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + ".log"
            let process = try ServerProcess.start(binary: binary, dataDirectory: directory,
                                                  extra: options.serverArguments, logPath: logPath)
            server = process
            pid = process.pid
            address = ServerAddress(host: "127.0.0.1", port: process.port, tenant: options.tenant)
            report.url = "http://127.0.0.1:\(process.port)"
            report.serverCommand = [binary] + (process.process.arguments ?? [])
            log("started \(binary) as PID \(process.pid) on port \(process.port) (log: \(logPath))")
        } else {
            address = try Self.address(from: options.url ?? "", tenant: options.tenant)
        }

        let group = MultiThreadedEventLoopGroup.singleton
        var renicing: Task<Void, Never>?
        if let value = options.renice {
            let renicer = Renicer(value: value, pids: [getpid()] + (pid.map { [$0] } ?? []))
            renicing = Task { await renicer.run() }
            log("keeping the threads of \(pid.map { "PID \($0) and " } ?? "")this process at nice \(value)")
        }
        defer {
            renicing?.cancel()
            server?.stop()
        }
        do {
            try await measure(&report, dataset: dataset, requests: requests, address: address, pid: pid, group: group,
                              server: server)
        } catch {
            if let server { log("server log tail:\n" + server.logTail()) }
            throw error
        }
        report.loadAfter = ProcFS.loadAverage()
        return report
    }

    private func measure(
        _ report: inout BenchReport, dataset: Dataset, requests: [EncodedPush], address: ServerAddress, pid: Int32?,
        group: any EventLoopGroup, server: ServerProcess?
    ) async throws {
        var client = QueryRunner(address: address, group: group)
        try await waitReady(&client, server: server)
        let sample = { pid.flatMap { ProcFS.sample(pid: $0) } }
        report.memory.before = sample()

        var pushed = dataset.entries.count
        if options.skipPush {
            report.notes.append("push skipped (--skip-push): the server already holds this data set")
        } else {
            pushed = await push(&report, requests: requests, address: address, group: group, pid: pid)
        }

        // Every pushed line must become countable.
        report.queryable = await waitCountable(&client, dataset: dataset, expected: pushed)
        if let queryable = report.queryable {
            if queryable.seconds == nil {
                report.notes.append("**count check failed**: \(queryable.counted.map(String.init) ?? "no answer") lines "
                                    + "countable of \(queryable.expected) pushed\(queryable.error.map { " (\($0))" } ?? "")")
            } else {
                report.notes.append("count check: `sum(count_over_time(...))` counts all \(queryable.expected) pushed lines")
            }
        }

        // Disk, before and after /flush.
        if let directory = options.dataDirectory {
            var disk = BenchReport.DiskFigures()
            disk.afterIngest = DiskUsage.measure(directory)
            if options.flush {
                let response = try await client.post("/flush")
                disk.flushStatus = response.status
                log("POST /flush -> \(response.status)")
                if response.status != 204, response.status != 200 {
                    report.notes.append("POST /flush answered HTTP \(response.status): \(response.text.prefix(200))")
                }
            }
            let (usage, seconds) = await waitStable(directory)
            disk.afterFlush = usage
            disk.secondsUntilStable = seconds
            if seconds == nil { report.notes.append("the data directory size was still changing after \(options.flushTimeout) s") }
            let lines = Double(max(1, pushed))
            disk.bytesPerLine = Double(usage.totalBytes) / lines
            let wal = usage.byTopLevel.filter { $0.key.lowercased().contains("wal") }.reduce(0) { $0 + $1.value }
            disk.bytesPerLineWithoutWAL = Double(usage.totalBytes - wal) / lines
            disk.writtenBytesPerLine = Double(usage.apparentBytes) / lines
            report.disk = disk
            log(String(format: "disk after flush: %.1f MB = %.1f B/line (%@)", Double(usage.totalBytes) / 1e6,
                       disk.bytesPerLine ?? 0, Markdown.breakdown(usage)))
        }
        report.memory.afterFlush = sample()

        // Queries.
        guard !options.skipQueries else {
            await client.close()
            return
        }
        let start = report.base * 1_000_000_000
        let end = start + Dataset.span
        let cpuBeforeQueries = sample()?.cpuSeconds
        for query in BenchQuery.referenceSet(needle: dataset.needle) {
            let cpuBefore = sample()?.cpuSeconds
            var timing = await client.time(query, start: start, end: end, repeats: options.repeats)
            if let used = both(cpuBefore, sample()?.cpuSeconds).map({ $1 - $0 }), !timing.runsMilliseconds.isEmpty {
                timing.serverCPUMillisecondsPerRun = used * 1000 / Double(timing.runsMilliseconds.count)
            }
            if let error = timing.error {
                report.notes.append("query `\(query.id)` skipped: \(error.prefix(200))")
                log("  \(query.id): skipped (\(error.prefix(200)))")
            } else {
                timing.check = try await check(query, dataset: dataset, client: &client, start: start, end: end)
                if let check = timing.check, check.hasPrefix("WRONG") { report.notes.append("query `\(query.id)`: \(check)") }
                log(String(format: "  %@: median %.1f ms (min %.1f, max %.1f), server CPU %.0f ms/run, %@", query.id,
                           timing.medianMilliseconds, timing.minMilliseconds, timing.maxMilliseconds,
                           timing.serverCPUMillisecondsPerRun ?? -1, timing.result.map(String.init(describing:)) ?? ""))
            }
            report.queries.append(timing)
        }
        let afterQueries = sample()
        report.memory.afterQueries = afterQueries
        report.serverCPUSecondsForQueries = both(cpuBeforeQueries, afterQueries?.cpuSeconds).map { $1 - $0 }
        await client.close()
    }

    /// Pushes every request; returns the number of lines the server acknowledged.
    private func push(
        _ report: inout BenchReport, requests: [EncodedPush], address: ServerAddress, group: any EventLoopGroup,
        pid: Int32?
    ) async -> Int {
        let sample = { pid.flatMap { ProcFS.sample(pid: $0) } }
        log("pushing \(requests.count) requests with \(options.concurrency) connections")
        let clientCPU = ProcFS.ownCPUSeconds()
        let cpuBefore = sample()?.cpuSeconds
        var pusher = Pusher(address: address, group: group)
        pusher.concurrency = options.concurrency
        let stats = await pusher.push(requests) { done, total in log("  pushed \(done)/\(total)") }
        let afterIngest = sample()
        report.memory.afterIngest = afterIngest
        let serverCPU = both(cpuBefore, afterIngest?.cpuSeconds).map { $1 - $0 }
        let latencies = stats.latencies.sorted()
        report.ingest = BenchReport.IngestFigures(
            lines: stats.lines, lineBytes: stats.lineBytes, wireBytes: stats.wireBytes, seconds: stats.seconds,
            linesPerSecond: stats.linesPerSecond, megabytesPerSecond: stats.megabytesPerSecond,
            wireMegabytesPerSecond: stats.wireMegabytesPerSecond, requests: stats.requests, retries: stats.retries,
            errorCount: stats.errorCount, errors: stats.errors,
            pushLatencyP50Milliseconds: Self.percentile(latencies, 0.5) * 1000,
            pushLatencyP99Milliseconds: Self.percentile(latencies, 0.99) * 1000,
            serverCPUSeconds: serverCPU,
            serverCPUSecondsPerMillionLines: serverCPU.map { $0 / Double(max(1, stats.lines)) * 1e6 },
            clientCPUSeconds: ProcFS.ownCPUSeconds() - clientCPU)
        log(String(format: "ingest: %d lines in %.2fs = %.0f lines/s, %.1f MB/s (wire %.1f MB/s), %d retries, %d errors",
                   stats.lines, stats.seconds, stats.linesPerSecond, stats.megabytesPerSecond,
                   stats.wireMegabytesPerSecond, stats.retries, stats.errorCount))
        for error in stats.errors.prefix(5) { log("  push error: \(error)") }
        if stats.errorCount > 0 { report.notes.append("\(stats.errorCount) push requests failed: \(stats.errors.first ?? "")") }
        return stats.lines
    }

    /// Cheap correctness checks of a query's answer against what the generator knows.
    private func check(
        _ query: BenchQuery, dataset: Dataset, client: inout QueryRunner, start: Int64, end: Int64
    ) async throws -> String? {
        var parameters = [("query", query.query), ("start", String(start)), ("end", String(end))]
        if let limit = query.limit { parameters.append(("limit", String(limit))) }
        if let step = query.step { parameters.append(("step", step)) }
        let (response, _) = try await client.get("/loki/api/v1/query_range", parameters)
        guard let answer = QueryAnswer.parse(response.body) else { return "WRONG: unparsable answer" }
        switch query.id {
        case "traceback_filter":
            let expected = min(query.limit ?? 0, dataset.count(containing: "Traceback"))
            let bad = answer.lines.filter { !$0.contains("Traceback") }.count
            let ok = answer.lines.count == expected && bad == 0
            return (ok ? "ok" : "WRONG") + ": \(answer.lines.count) lines (expected \(expected)), \(bad) without `Traceback`"
        case "needle_request_id":
            let ok = answer.lines.count == 1 && answer.lines[0].contains(dataset.needle)
            return (ok ? "ok" : "WRONG") + ": \(answer.lines.count) lines for the needle (expected 1)"
        case "count_all_1m":
            let expected = dataset.count { $0["job"] == "docker-containers" }
            let total = Int(answer.values.reduce(0, +))
            return (total == expected ? "ok" : "WRONG") + ": points sum to \(total) (expected \(expected))"
        default:
            return nil
        }
    }

    func waitReady(_ client: inout QueryRunner, server: ServerProcess?) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var last = "no answer"
        while clock.now < deadline {
            if let server, !server.process.isRunning {
                throw ServerProcessError(message: "the server exited with status \(server.process.terminationStatus)")
            }
            if let (response, _) = try? await client.get("/ready", []) {
                if response.status == 200 { return }
                last = "HTTP \(response.status): \(response.text.prefix(200))"
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ServerProcessError(message: "the server was not ready after 120 s (\(last))")
    }

    /// Polls `sum(count_over_time(...[1h]))` (step 1h over the data set's 3 h) until it equals `expected`.
    func waitCountable(_ client: inout QueryRunner, dataset: Dataset, expected: Int) async
        -> BenchReport.QueryableFigures {
        let clock = ContinuousClock()
        let started = clock.now
        var figures = BenchReport.QueryableFigures(expected: expected)
        let start = (dataset.base + 3600) * 1_000_000_000
        let end = (dataset.base + 3 * 3600) * 1_000_000_000
        while (clock.now - started).seconds < options.queryableTimeout {
            var total = 0
            var failure: String?
            for selector in [#"{job=~".+"}"#, #"{app=~".+"}"#] {
                let parameters = [("query", "sum(count_over_time(\(selector)[1h]))"), ("start", String(start)),
                                  ("end", String(end)), ("step", "3600")]
                do {
                    let (response, _) = try await client.get("/loki/api/v1/query_range", parameters)
                    guard response.status == 200, let answer = QueryAnswer.parse(response.body) else {
                        failure = "HTTP \(response.status): \(response.text.prefix(200))"
                        break
                    }
                    total += Int(answer.values.reduce(0, +))
                } catch {
                    failure = "\(error)"
                    break
                }
            }
            figures.error = failure
            if failure == nil {
                figures.counted = total
                if total == expected {
                    figures.seconds = (clock.now - started).seconds
                    log(String(format: "every line countable after %.1fs", figures.seconds ?? 0))
                    return figures
                }
                if total > expected {
                    log("count check: \(total) lines countable but \(expected) were pushed")
                    return figures
                }
            }
            log("  count check: \(failure ?? "\(total) of \(expected) lines countable")")
            if failure != nil, (clock.now - started).seconds > 10 { return figures }
            try? await Task.sleep(for: .seconds(1))
        }
        return figures
    }

    /// Measures `directory` every second until its size stays the same for the stable period.
    private func waitStable(_ directory: String) async -> (DiskUsage, Double?) {
        let clock = ContinuousClock()
        let started = clock.now
        var usage = DiskUsage.measure(directory)
        var unchangedSince = clock.now
        while (clock.now - started).seconds < options.flushTimeout {
            try? await Task.sleep(for: .seconds(1))
            let next = DiskUsage.measure(directory)
            if next.totalBytes != usage.totalBytes || next.files != usage.files {
                usage = next
                unchangedSince = clock.now
            } else if (clock.now - unchangedSince).seconds >= options.stableSeconds {
                return (usage, (unchangedSince - started).seconds)
            }
        }
        return (usage, nil)
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))]
    }

    /// Host, port and path prefix of `http://host:port[/prefix]`.
    static func address(from url: String, tenant: String?) throws -> ServerAddress {
        guard let parsed = URL(string: url), parsed.scheme == "http", let host = parsed.host else {
            throw OptionsError(message: "--url must look like http://127.0.0.1:3100 (got \(url))")
        }
        var prefix = parsed.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        return ServerAddress(host: host, port: parsed.port ?? 80, pathPrefix: prefix, tenant: tenant)
    }
}

/// Both values when both are present.
private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
