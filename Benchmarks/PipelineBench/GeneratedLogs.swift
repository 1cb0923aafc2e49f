import FjordModel

/// Structlog-style JSON log lines (~300 bytes) from a seeded generator, spread over streams like a Docker host's
/// containers: the data the per-core pipeline benchmark scans.
struct GeneratedLogs {
    struct Stream {
        var labels: Labels
        var batch: EntryBatch
    }

    private(set) var streams: [Stream] = []
    private(set) var lineBytes = 0
    private(set) var lineCount = 0
    let start: Int64
    let end: Int64

    static let services = ["api", "auth", "billing", "search", "worker", "gateway"]
    static let events = ["request-complete", "cache-miss", "db-query", "swap-complete", "login", "job-finished",
                         "retry-scheduled", "payment-captured"]
    static let levels = ["info", "info", "info", "info", "debug", "warning", "error"]

    /// How lines are written: structlog JSON, or the same fields as logfmt.
    enum Format { case json, logfmt }

    /// `lines` lines over `streamCount` streams, one line per `spacing` nanoseconds per stream, from `start`.
    init(lines: Int, streamCount: Int, seed: UInt64, start: Int64, spacing: Int64 = 1_000_000_000,
         format: Format = .json) {
        var random = SplitMix64(seed: seed)
        self.start = start
        var batches = [EntryBatch](repeating: EntryBatch(), count: streamCount)
        var line: [UInt8] = []
        line.reserveCapacity(512)
        var last = start
        for index in 0..<lines {
            let stream = index % streamCount
            let time = start + Int64(index / streamCount) * spacing + Int64(stream)
            last = max(last, time)
            line.removeAll(keepingCapacity: true)
            let service = GeneratedLogs.services[stream % GeneratedLogs.services.count]
            let level = GeneratedLogs.levels[Int(random.next() % UInt64(GeneratedLogs.levels.count))]
            let event = GeneratedLogs.events[Int(random.next() % UInt64(GeneratedLogs.events.count))]
            let latency = random.next() % 1500
            let request = String(random.next(), radix: 16)
            let text: String
            switch format {
            case .json:
                text = GeneratedLogs.json(index: index, level: level, event: event, service: service, latency: latency,
                                          request: request, random: &random)
            case .logfmt:
                text = "ts=2026-05-22T10:\(index % 60):00.\(index % 1000)Z level=\(level) event=\(event) service=\(service) "
                    + "latency_ms=\(latency) request_id=req_\(request) tenant_id=t-\(random.next() % 50) "
                    + "user_agent=\"Mozilla/5.0 (X11; Linux x86_64)\" path=/v1/items/\(random.next() % 10_000)"
            }
            line.append(contentsOf: text.utf8)
            batches[stream].append(timestamp: time, line: line)
            lineBytes += line.count
        }
        lineCount = lines
        end = last + 1
        streams = batches.enumerated().map { index, batch in
            Stream(labels: Labels(["job": "bench", "container": "c-\(index)",
                                   "service": GeneratedLogs.services[index % GeneratedLogs.services.count]]),
                   batch: batch)
        }
    }

    private static func json(index: Int, level: String, event: String, service: String, latency: UInt64,
                         request: String, random: inout SplitMix64) -> String {
        var text = "{\"timestamp\": \"2026-05-22T10:\(index % 60):00.\(index % 1000)Z\", \"level\": \"\(level)\", "
        text += "\"event\": \"\(event)\", \"service\": \"\(service)\", \"latency_ms\": \(latency), "
        text += "\"request_id\": \"req_\(request)\", \"tenant_id\": \"t-\(random.next() % 50)\", "
        text += "\"user_agent\": \"Mozilla/5.0 (X11; Linux x86_64)\", \"path\": \"/v1/items/\(random.next() % 10_000)\""
        if level == "error" && random.next() % 4 == 0 {
            text += ", \"exception\": \"Traceback (most recent call last): File app.py line 42 ValueError\""
        }
        text += "}"
        return text
    }
}

/// A small seeded generator (SplitMix64): the same seed gives the same data on every machine.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
