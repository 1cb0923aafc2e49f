import Foundation
import NIOCore
import NIOPosix

/// `fjord-bench frontend`: a long-range metric query (24 h by default) on generated data, uncached
/// (`Cache-Control: no-cache`) and cached (first run fills the results cache, later runs are served from it), on the
/// all-in-one `fjord` and on clusters with 1 and N queriers (`scripts/cluster-up`, one ingester, RF 1), after the
/// data is flushed to the store. Wall time per run plus the CPU all server processes used.
struct FrontendBench {
    let options: BenchOptions

    /// One server setup to measure.
    enum Topology: CustomStringConvertible {
        case allInOne
        case cluster(queriers: Int)

        var description: String {
            switch self {
            case .allInOne: return "all-in-one `fjord`"
            case .cluster(let queriers): return "cluster, \(queriers) querier\(queriers == 1 ? "" : "s")"
            }
        }
    }

    /// The measured queries (step 60 s over the whole range).
    static let queries: [(id: String, query: String)] = [
        ("count_by_service", #"sum by (service) (count_over_time({job="docker-containers"}[5m]))"#),
        ("rate_errors_by_service",
         #"sum by (service) (rate({job="docker-containers"} | json | __error__="" | level="error" [5m]))"#),
    ]

    /// Timings of one query on one topology.
    struct Row {
        var topology: String
        var query: String
        var uncached: [Double] = []
        var cold: Double?
        var warm: [Double] = []
        var uncachedCPU: Double?
        var warmCPU: Double?
        var cacheHits = ""
        var points = 0
        var identical = true
    }

    func run() async throws -> String {
        let hours = options.hours
        let blocks = hours / 3
        let now = Int64(Date().timeIntervalSince1970)
        // Data ends an hour ago: older than max_cache_freshness_per_query, so the whole range may be cached.
        let base = options.base ?? ((now - Int64(hours + 1) * 3600) / 3600 * 3600)
        log("generating \(options.lines) lines over \(hours) h (\(blocks) blocks of 3 h, seed \(options.seed))")
        var requests: [EncodedPush] = []
        for block in 0..<blocks {
            let dataset = Dataset.generate(seed: options.seed &+ UInt64(block), lines: max(1, options.lines / blocks),
                                           base: base + Int64(block) * 3 * 3600)
            requests += PushBatches.encode(dataset, batchSize: options.batch)
        }
        var topologies: [Topology] = [.allInOne]
        topologies += options.queriers.map { Topology.cluster(queriers: $0) }
        var rows: [Row] = []
        for (index, topology) in topologies.enumerated() {
            let directory = (options.dataDirectory ?? "/tmp/fjord-frontend-bench") + "/\(index)"
            rows += try await measure(topology, directory: directory, requests: requests,
                                      start: base * 1_000_000_000, end: (base + Int64(hours) * 3600) * 1_000_000_000)
        }
        return render(rows, hours: hours, base: base)
    }

    /// Starts `topology`, pushes, flushes, times every query, stops it.
    private func measure(_ topology: Topology, directory: String, requests: [EncodedPush], start: Int64, end: Int64)
        async throws -> [Row]
    {
        let flags = [
            "-auth.enabled=false", "-validation.reject-old-samples=false",
            "-distributor.ingestion-rate-limit-mb=100000", "-distributor.ingestion-burst-size-mb=100000",
            "-ingester.per-stream-rate-limit=1GB", "-ingester.per-stream-rate-limit-burst=1GB",
            "-ingester.max-global-streams-per-user=0", "-validation.discover-service-name=",
            "-validation.discover-log-levels=false", "-querier.max-query-series=100000", "-querier.max-query-length=0",
            "-querier.query-timeout=10m", "-querier.cache-results=true",
        ]
        let pids: [Int32]
        let address: ServerAddress
        let stop: () -> Void
        switch topology {
        case .allInOne:
            guard let binary = options.fjordBinary else { throw OptionsError(message: "--fjord-binary is required") }
            // The benchmark's usual server flags already hold the limits above.
            let server = try ServerProcess.start(binary: binary, dataDirectory: directory,
                                                 extra: ["-querier.cache-results=true"], logPath: directory + ".log")
            pids = [server.pid]
            address = ServerAddress(host: "127.0.0.1", port: server.port, tenant: options.tenant)
            stop = { server.stop() }
        case .cluster(let queriers):
            let scripts = ClusterScripts(repository: options.repository, binDirectory: options.binDirectory)
            let cluster: ClusterDescription
            do {
                cluster = try scripts.up(directory: directory, ingesters: 1, queriers: queriers, rulers: 0,
                                         replicationFactor: 1, flags: flags)
            } catch {
                try? scripts.down(directory: directory)  // whatever did start (cluster.json is written first)
                throw error
            }
            pids = cluster.processes.map(\.pid)
            address = try BenchRun.address(from: cluster.gateway_url, tenant: options.tenant)
            stop = { try? scripts.down(directory: directory) }
        }
        defer { stop() }
        log("\(topology): started (\(pids.count) process\(pids.count == 1 ? "" : "es"))")
        let group = MultiThreadedEventLoopGroup.singleton
        var client = QueryRunner(address: address, group: group)
        try await waitReady(&client)
        var pusher = Pusher(address: address, group: group)
        pusher.concurrency = options.concurrency
        let pushed = await pusher.push(requests) { _, _ in }
        log(String(format: "  pushed %d lines in %.1fs (%d errors)", pushed.lines, pushed.seconds, pushed.errorCount))
        let flush = try await client.post("/flush")
        log("  POST /flush -> \(flush.status)")
        let cpu = { pids.compactMap { ProcFS.sample(pid: $0)?.cpuSeconds }.reduce(0, +) }

        var rows: [Row] = []
        for (id, query) in Self.queries {
            var row = Row(topology: "\(topology)", query: id)
            let parameters = [("query", query), ("start", String(start)), ("end", String(end)), ("step", "60")]
            // Uncached: every run computes every split.
            var reference: [UInt8]?
            var before = cpu()
            for _ in 0..<options.repeats {
                let (response, milliseconds) = try await client.get(
                    "/loki/api/v1/query_range", parameters, headers: [("Cache-Control", "no-cache")])
                guard response.status == 200 else {
                    throw ServerProcessError(message: "\(id): HTTP \(response.status) \(response.text.prefix(300))")
                }
                row.uncached.append(milliseconds)
                if reference == nil {
                    reference = Self.result(response.body)
                    row.points = QueryAnswer.parse(response.body)?.size.entriesOrPoints ?? 0
                }
            }
            row.uncachedCPU = (cpu() - before) * 1000 / Double(options.repeats)
            // Cached: the first run fills the cache, the others are answered from it.
            let (first, coldMilliseconds) = try await client.get("/loki/api/v1/query_range", parameters)
            row.cold = coldMilliseconds
            row.identical = Self.result(first.body) == reference
            before = cpu()
            var lastBody: [UInt8] = []
            for _ in 0..<options.repeats {
                let (response, milliseconds) = try await client.get("/loki/api/v1/query_range", parameters)
                row.warm.append(milliseconds)
                row.identical = row.identical && Self.result(response.body) == reference
                lastBody = response.body
            }
            row.warmCPU = (cpu() - before) * 1000 / Double(options.repeats)
            row.cacheHits = Self.cacheHits(lastBody)
            log(String(format: "  %@: uncached %.0f ms, cold %.0f ms, cached %.1f ms (%@)%@", id,
                       QueryRunner.median(row.uncached.sorted()), row.cold ?? 0, QueryRunner.median(row.warm.sorted()),
                       row.cacheHits, row.identical ? "" : " RESULTS DIFFER"))
            rows.append(row)
        }
        await client.close()
        return rows
    }

    private func waitReady(_ client: inout QueryRunner) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let (response, _) = try? await client.get("/ready", []), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ServerProcessError(message: "not ready after 120 s")
    }

    /// `data.result` re-serialised with sorted keys (stats differ between runs; results must not).
    static func result(_ body: [UInt8]) -> [UInt8]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let data = object["data"] as? [String: Any], let result = data["result"],
              let encoded = try? JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]) else { return nil }
        return Array(encoded)
    }

    /// `found/requested` of `stats.cache.result`.
    static func cacheHits(_ body: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let data = object["data"] as? [String: Any], let stats = data["stats"] as? [String: Any],
              let cache = (stats["cache"] as? [String: Any])?["result"] as? [String: Any] else { return "?" }
        return "\(cache["entriesFound"] ?? "?")/\(cache["entriesRequested"] ?? "?") splits from cache"
    }

    private func render(_ rows: [Row], hours: Int, base: Int64) -> String {
        var out = "| setup | query | uncached median (min–max) | server CPU/run | cached: first run | cached median (min–max) | server CPU/run | cache | identical |\n"
        out += "|---|---|---|---|---|---|---|---|---|\n"
        func span(_ runs: [Double]) -> String {
            let sorted = runs.sorted()
            return String(format: "%.0f ms (%.0f–%.0f)", QueryRunner.median(sorted), sorted.first ?? 0, sorted.last ?? 0)
        }
        for row in rows {
            out += "| \(row.topology) | `\(row.query)` | \(span(row.uncached)) | "
                + String(format: "%.0f ms", row.uncachedCPU ?? 0) + " | "
                + String(format: "%.0f ms", row.cold ?? 0) + " | "
                + String(format: "%.1f ms (%.1f–%.1f)", QueryRunner.median(row.warm.sorted()), row.warm.min() ?? 0,
                         row.warm.max() ?? 0)
                + " | " + String(format: "%.0f ms", row.warmCPU ?? 0) + " | \(row.cacheHits) | \(row.identical ? "yes" : "**no**") |\n"
        }
        out += "\n\(hours) h range from \(base) (Unix s), step 60 s (\(hours * 60 + 1) steps; "
            + rows.prefix(Self.queries.count).map { "`\($0.query)`: \($0.points) points" }.joined(separator: ", ")
            + "), \(options.lines) lines, \(options.repeats) runs each.\n"
        return out
    }
}
