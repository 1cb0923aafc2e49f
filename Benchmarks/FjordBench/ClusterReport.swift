import Foundation

/// What `fjord-bench cluster` measured: the same pre-encoded pushes through a loopback cluster's gateway and through
/// the all-in-one server. Written as JSON with `--out`, summarised as Markdown.
struct ClusterReport: Codable, Sendable {
    /// CPU and memory of one process over the push.
    struct ProcessFigures: Codable, Sendable {
        var role: String
        var id: String
        var cpuSeconds: Double?
        var peakRSSBytes: Int?
    }

    /// One topology's push phase.
    struct Setup: Codable, Sendable {
        var name: String
        var lines: Int
        var lineBytes: Int
        var wireBytes: Int
        var requests: Int
        var retries: Int
        var errorCount: Int
        var errors: [String]
        var seconds: Double
        var linesPerSecond: Double
        var megabytesPerSecond: Double
        var wireMegabytesPerSecond: Double
        var pushLatencyP50Milliseconds: Double
        var pushLatencyP99Milliseconds: Double
        var processes: [ProcessFigures]
        var clientCPUSeconds: Double
        var queryable: BenchReport.QueryableFigures

        /// CPU of every process of the setup per million acknowledged lines.
        var cpuSecondsPerMillionLines: Double? {
            let values = processes.compactMap(\.cpuSeconds)
            guard values.count == processes.count, lines > 0 else { return nil }
            return values.reduce(0, +) / Double(lines) * 1e6
        }
    }

    var label: String
    var when: String
    var command: [String]
    var machine: MachineInfo
    var loadBefore: [Double]
    var loadAfter: [Double] = []
    var seed: UInt64
    var base: Int64
    var batch: Int
    var concurrency: Int
    var ingesters: Int
    var replicationFactor: Int
    var renice: Int32?
    var dataset: BenchReport.DatasetFigures
    var setups: [Setup] = []
    var notes: [String] = []

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    func markdown() -> String {
        let data = dataset
        var out = [
            "### \(label)", "",
            "Machine: \(machine.cpus) CPUs (\(machine.cpuModel)), \(Markdown.megabytes(machine.memoryBytes)) MB RAM, "
                + "Linux \(machine.kernel); load average before \(Markdown.loads(loadBefore)), after "
                + "\(Markdown.loads(loadAfter))\(renice.map { "; every process's threads kept at nice \($0)" } ?? ""). \(when).",
            "Data set: \(Markdown.grouped(data.lines)) lines, \(Markdown.megabytes(data.lineBytes)) MB of line bytes, "
                + "\(data.streams) streams, seed \(seed), base \(base); \(data.requests) requests of \(batch) lines "
                + "(protobuf + snappy, \(Markdown.megabytes(data.wireBytes)) MB on the wire), \(concurrency) concurrent "
                + "pushers. Cluster: gateway → \(ingesters) ingesters, replication factor \(replicationFactor) (plus the "
                + "queriers and the compactor `scripts/cluster-up` starts, idle during the push).",
            "",
            "| setup | lines/s | MB/s (line bytes) | wire MB/s | push p50 / p99 | CPU s per M lines (all processes) | retries / errors | every line countable |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for setup in setups {
            let cpu = setup.cpuSecondsPerMillionLines.map { String(format: "%.2f", $0) } ?? "n/a"
            let countable = setup.queryable.seconds.map { String(format: "yes, after %.1f s", $0) }
                ?? "**no** (\(setup.queryable.counted.map(String.init) ?? "no answer") of \(setup.queryable.expected))"
            out.append("| \(setup.name) | \(Markdown.grouped(Int(setup.linesPerSecond))) | "
                       + String(format: "%.1f | %.1f | %.1f / %.1f ms", setup.megabytesPerSecond, setup.wireMegabytesPerSecond,
                                setup.pushLatencyP50Milliseconds, setup.pushLatencyP99Milliseconds)
                       + " | \(cpu) | \(setup.retries) / \(setup.errorCount) | \(countable) |")
        }
        if setups.count == 2, setups[1].linesPerSecond > 0 {
            out.append("")
            out.append(String(format: "The cluster ingests %.2f× the all-in-one's rate and spends %@× its CPU per line.",
                              setups[0].linesPerSecond / setups[1].linesPerSecond,
                              ratio(setups[0].cpuSecondsPerMillionLines, setups[1].cpuSecondsPerMillionLines)))
        }
        for setup in setups where setup.processes.count > 1 {
            out += ["", "CPU during the push, \(setup.name):", "",
                    "| process | CPU s | CPU s per M lines | peak RSS MB |", "|---|---:|---:|---:|"]
            for process in setup.processes {
                let perMillion = process.cpuSeconds.map { String(format: "%.2f", $0 / Double(max(1, setup.lines)) * 1e6) } ?? "n/a"
                out.append("| \(process.id) | \(process.cpuSeconds.map { String(format: "%.2f", $0) } ?? "n/a") | \(perMillion) | "
                           + "\(Markdown.megabytes(process.peakRSSBytes)) |")
            }
        }
        for note in notes { out += ["", "- \(note)"] }
        return out.joined(separator: "\n") + "\n"
    }

    private func ratio(_ a: Double?, _ b: Double?) -> String {
        guard let a, let b, b > 0 else { return "n/a" }
        return String(format: "%.2f", a / b)
    }
}
