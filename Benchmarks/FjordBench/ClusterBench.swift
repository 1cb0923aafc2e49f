import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// `fjord-bench cluster`: push throughput through the gateway of a loopback cluster started with
/// `scripts/cluster-up` (gateway → 3 ingesters, replication factor 3), then, for comparison, through the all-in-one
/// `fjord` with the same pre-encoded requests. Each setup must afterwards count every acknowledged line through its
/// own query API. The cluster is stopped with `scripts/cluster-down`, the all-in-one by PID.
struct ClusterBench {
    let options: BenchOptions

    func run() async throws -> ClusterReport {
        let binDirectory = options.binDirectory
        guard let dataDirectory = options.dataDirectory else { throw OptionsError(message: "cluster needs --data-dir") }
        let loadBefore = ProcFS.loadAverage()
        let base = options.base ?? BenchRun.defaultBase(now: Date())
        let clock = ContinuousClock()
        log("generating \(options.lines) lines (seed \(options.seed), base \(base))")
        var started = clock.now
        let dataset = Dataset.generate(seed: options.seed, lines: options.lines, base: base)
        let generateSeconds = (clock.now - started).seconds
        started = clock.now
        let requests = PushBatches.encode(dataset, batchSize: options.batch)
        let figures = BenchReport.DatasetFigures(
            lines: dataset.entries.count, lineBytes: dataset.lineBytes, streams: dataset.streams.count,
            requests: requests.count, wireBytes: requests.reduce(0) { $0 + $1.body.count },
            tracebackLines: dataset.count(containing: "Traceback"), needle: dataset.needle,
            generateSeconds: generateSeconds, encodeSeconds: (clock.now - started).seconds)
        var report = ClusterReport(
            label: options.label ?? "Fjord cluster vs all-in-one", when: ISO8601DateFormatter().string(from: Date()),
            command: CommandLine.arguments, machine: MachineInfo.current(), loadBefore: loadBefore, seed: options.seed,
            base: base, batch: options.batch, concurrency: options.concurrency, ingesters: options.ingesters,
            replicationFactor: options.replicationFactor, renice: options.renice, dataset: figures)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)

        let scripts = ClusterScripts(repository: options.repository, binDirectory: binDirectory)
        let clusterDirectory = dataDirectory + "/cluster"
        log("starting the cluster with scripts/cluster-up in \(clusterDirectory)")
        let cluster: ClusterDescription
        do {
            cluster = try scripts.up(directory: clusterDirectory, ingesters: options.ingesters, queriers: 2, rulers: 0,
                                     replicationFactor: options.replicationFactor,
                                     flags: ServerProcess.limitArguments + options.serverArguments)
        } catch {
            // cluster-up writes cluster.json before waiting for the roles: stop whatever did start.
            if FileManager.default.fileExists(atPath: clusterDirectory + "/cluster.json") {
                try? scripts.down(directory: clusterDirectory)
            }
            throw error
        }
        let name = "cluster: gateway → \(options.ingesters) ingesters, RF \(options.replicationFactor)"
        let members = cluster.processes.map { (role: $0.role, id: $0.id, pid: $0.pid) }
        let measured: Result<ClusterReport.Setup, any Error>
        do {
            measured = .success(try await measure(name, url: cluster.gateway_url, processes: members,
                                                  requests: requests, dataset: dataset))
        } catch {
            measured = .failure(error)
        }
        try scripts.down(directory: clusterDirectory)
        report.setups.append(try measured.get())

        if !options.skipAllInOne {
            let directory = dataDirectory + "/all-in-one"
            let server = try ServerProcess.start(binary: binDirectory + "/fjord", dataDirectory: directory,
                                                 extra: options.serverArguments, logPath: directory + ".log")
            defer { server.stop() }
            log("started the all-in-one fjord as PID \(server.pid) on port \(server.port)")
            var client = QueryRunner(address: ServerAddress(host: "127.0.0.1", port: server.port), group: MultiThreadedEventLoopGroup.singleton)
            try await BenchRun(options: options).waitReady(&client, server: server)
            await client.close()
            report.setups.append(try await measure("all-in-one `fjord`", url: "http://127.0.0.1:\(server.port)",
                                                   processes: [("all-in-one", "fjord", server.pid)],
                                                   requests: requests, dataset: dataset))
        }
        report.loadAfter = ProcFS.loadAverage()
        return report
    }

    /// Pushes every request to `url` and samples the processes' CPU around it; then waits until every
    /// acknowledged line is countable there.
    private func measure(_ name: String, url: String, processes: [(role: String, id: String, pid: Int32)],
                         requests: [EncodedPush], dataset: Dataset) async throws -> ClusterReport.Setup {
        let address = try BenchRun.address(from: url, tenant: options.tenant)
        let group = MultiThreadedEventLoopGroup.singleton
        let renicing = options.renice.map { value in
            let renicer = Renicer(value: value, pids: [getpid()] + processes.map(\.pid))
            return Task { await renicer.run() }
        }
        defer { renicing?.cancel() }
        log("\(name): pushing \(requests.count) requests with \(options.concurrency) connections to \(url)")
        let before = processes.map { ProcFS.sample(pid: $0.pid) }
        let clientCPU = ProcFS.ownCPUSeconds()
        var pusher = Pusher(address: address, group: group)
        pusher.concurrency = options.concurrency
        let stats = await pusher.push(requests) { done, total in log("  pushed \(done)/\(total)") }
        let clientCPUSeconds = ProcFS.ownCPUSeconds() - clientCPU
        let after = processes.map { ProcFS.sample(pid: $0.pid) }
        log(String(format: "%@: %d lines in %.2fs = %.0f lines/s, %.1f MB/s, %d retries, %d errors", name, stats.lines,
                   stats.seconds, stats.linesPerSecond, stats.megabytesPerSecond, stats.retries, stats.errorCount))
        for error in stats.errors.prefix(5) { log("  push error: \(error)") }

        var client = QueryRunner(address: address, group: group)
        let queryable = await BenchRun(options: options).waitCountable(&client, dataset: dataset, expected: stats.lines)
        await client.close()

        let latencies = stats.latencies.sorted()
        let figures = processes.indices.map { index in
            ClusterReport.ProcessFigures(
                role: processes[index].role, id: processes[index].id,
                cpuSeconds: before[index].flatMap { start in after[index].map { $0.cpuSeconds - start.cpuSeconds } },
                peakRSSBytes: after[index]?.peakRSSBytes)
        }
        return ClusterReport.Setup(
            name: name, lines: stats.lines, lineBytes: stats.lineBytes, wireBytes: stats.wireBytes,
            requests: stats.requests, retries: stats.retries, errorCount: stats.errorCount, errors: stats.errors,
            seconds: stats.seconds, linesPerSecond: stats.linesPerSecond, megabytesPerSecond: stats.megabytesPerSecond,
            wireMegabytesPerSecond: stats.wireMegabytesPerSecond,
            pushLatencyP50Milliseconds: BenchRun.percentile(latencies, 0.5) * 1000,
            pushLatencyP99Milliseconds: BenchRun.percentile(latencies, 0.99) * 1000,
            processes: figures, clientCPUSeconds: clientCPUSeconds, queryable: queryable)
    }
}
