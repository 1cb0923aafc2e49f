import Foundation

/// The Markdown summary of a run, with Loki 3.7.6's figures (lokicompat README, same machine) and the project's
/// targets next to Fjord's.
enum Markdown {
    /// Loki 3.7.6, 1M lines, runs 1 and 2 of the reference benchmark.
    static let lokiQueryMilliseconds: [String: (Double, Double)] = [
        "traceback_filter": (413, 421), "json_level_error": (1009, 1086), "rate_errors_by_service": (854, 917),
        "slow_requests_line_format": (330, 388), "topk_events": (2478, 2523), "avg_unwrap_duration": (185, 184),
        "count_all_1m": (1353, 1211), "needle_request_id": (495, 511),
    ]
    static let queryTargets: [String: Double] = ["traceback_filter": 84, "count_all_1m": 240]

    static func megabytes(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f", Double($0) / 1e6) } ?? "n/a" }

    static func verdict(_ ok: Bool?) -> String {
        guard let ok else { return "n/a" }
        return ok ? "met" : "**missed**"
    }

    static func render(_ report: BenchReport) -> String {
        var out: [String] = []
        let machine = report.machine
        out.append("### \(report.label)")
        out.append("")
        out.append("Machine: \(machine.cpus) CPUs (\(machine.cpuModel)), \(megabytes(machine.memoryBytes)) MB RAM, "
                   + "Linux \(machine.kernel); load average before \(loads(report.loadBefore)), after "
                   + "\(loads(report.loadAfter))\(report.renice.map { "; server and benchmark threads kept at nice \($0)" } ?? ""). \(report.when).")
        let data = report.dataset
        out.append("Data set: \(grouped(data.lines)) lines, \(megabytes(data.lineBytes)) MB of line bytes "
                   + "(\(String(format: "%.0f", Double(data.lineBytes) / Double(max(1, data.lines)))) B/line), "
                   + "\(data.streams) streams, seed \(report.seed), base \(report.base); \(data.requests) requests of "
                   + "\(report.batch) lines (protobuf + snappy, \(megabytes(data.wireBytes)) MB on the wire), "
                   + "\(report.concurrency) concurrent pushers; \(grouped(data.tracebackLines)) lines contain "
                   + "`Traceback`.")
        out.append("")
        out.append("| metric | Fjord | Loki 3.7.6 (ref. runs 1 / 2) | target | |")
        out.append("|---|---:|---:|---:|---|")
        if let ingest = report.ingest {
            out.append("| ingest lines/s | \(grouped(Int(ingest.linesPerSecond))) | 172,604 / 163,445 | ≥ 350,000 | "
                       + "\(verdict(ingest.linesPerSecond >= 350_000)) |")
            out.append("| ingest MB/s (line bytes) / wire MB/s | \(String(format: "%.1f / %.1f", ingest.megabytesPerSecond, ingest.wireMegabytesPerSecond)) "
                       + "| 51.1 / 20.7 | | |")
            let cpu = ingest.serverCPUSecondsPerMillionLines.map { String(format: "%.2f", $0) } ?? "n/a"
            out.append("| server CPU s per million lines (ingest) | \(cpu) | | | |")
            out.append("| push latency p50 / p99 | \(String(format: "%.1f / %.1f ms", ingest.pushLatencyP50Milliseconds, ingest.pushLatencyP99Milliseconds)) | | | |")
            if ingest.errorCount > 0 || ingest.retries > 0 {
                out.append("| push errors / retries | \(ingest.errorCount) / \(ingest.retries) | | | |")
            }
        }
        if let queryable = report.queryable {
            let value = queryable.seconds.map { String(format: "%.1f s", $0) } ?? "never (\(queryable.counted.map(String.init) ?? "?") of \(queryable.expected))"
            out.append("| time until every line is countable | \(value) | 1.4 s / 1.3 s | | |")
        }
        if let disk = report.disk {
            if let after = disk.afterIngest {
                out.append("| disk after ingest (before flush) | \(megabytes(after.totalBytes)) MB (\(breakdown(after))) | | | |")
            }
            if let flushed = disk.afterFlush, let perLine = disk.bytesPerLine {
                out.append("| disk after /flush, bytes/line (WAL included) | \(String(format: "%.1f", perLine)) "
                           + "(\(megabytes(flushed.totalBytes)) MB: \(breakdown(flushed))) | 367.5 | ≤ 28 | \(verdict(perLine <= 28)) |")
                if let written = disk.writtenBytesPerLine, abs(written - perLine) > 1 {
                    out.append("| disk bytes/line counting written bytes only (file sizes) | \(String(format: "%.1f", written)) | | | |")
                }
                if let withoutWAL = disk.bytesPerLineWithoutWAL {
                    out.append("| disk bytes/line without the WAL | \(String(format: "%.1f", withoutWAL)) | 57.4 | | |")
                }
            }
        }
        let memory = report.memory
        let peak = [memory.afterIngest, memory.afterFlush, memory.afterQueries].compactMap { $0?.peakRSSBytes }.max()
        out.append("| RSS after ingest / after queries / peak (MB) | \(megabytes(memory.afterIngest?.rssBytes)) / "
                   + "\(megabytes(memory.afterQueries?.rssBytes)) / \(megabytes(peak)) | 417 / 377 / 538, 402 / 369 / 573 "
                   + "| peak ≤ 275 | \(verdict(peak.map { Double($0) / 1e6 <= 275 })) |")
        out.append("")
        out.append("| query (whole 3 h, median of \(report.repeats)) | Fjord ms (min–max) | server CPU ms/run | Loki ms (runs 1 / 2) | target ms | result |")
        out.append("|---|---:|---:|---:|---:|---|")
        for query in report.queries {
            let loki = lokiQueryMilliseconds[query.id].map { String(format: "%.0f / %.0f", $0.0, $0.1) } ?? ""
            let target = queryTargets[query.id].map { String(format: "≤ %.0f", $0) } ?? ""
            let escaped = query.query.replacingOccurrences(of: "|", with: "\\|")
            if let error = query.error {
                out.append("| `\(escaped)` | skipped | | \(loki) | \(target) | \(error.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")) |")
                continue
            }
            var verdictText = ""
            if let limit = queryTargets[query.id] { verdictText = " (" + verdict(query.medianMilliseconds <= limit) + ")" }
            let checkText = query.check.map { $0.hasPrefix("ok") ? " (check ok)" : " (check **failed**)" } ?? ""
            let cpu = query.serverCPUMillisecondsPerRun.map { String(format: "%.0f", $0) } ?? "n/a"
            out.append("| `\(escaped)` | \(String(format: "%.1f (%.1f–%.1f)", query.medianMilliseconds, query.minMilliseconds, query.maxMilliseconds)) "
                       + "| \(cpu) | \(loki) | \(target)\(verdictText) | \(query.result.map(String.init(describing:)) ?? "?")\(checkText) |")
        }
        if !report.notes.isEmpty {
            out.append("")
            for note in report.notes { out.append("- \(note)") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func loads(_ values: [Double]) -> String { values.map { String(format: "%.2f", $0) }.joined(separator: " ") }

    /// "chunks 5.1, wal 67.1 (8.4 written)": allocated MB per top-level entry, and the written size where it differs.
    static func breakdown(_ usage: DiskUsage) -> String {
        usage.byTopLevel.sorted { $0.key < $1.key }.map { name, allocated in
            var text = "\(name) \(megabytes(allocated))"
            if let apparent = usage.apparentByTopLevel[name], abs(apparent - allocated) > max(allocated / 10, 1 << 20) {
                text += " (\(megabytes(apparent)) written)"
            }
            return text
        }.joined(separator: ", ")
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }
}
