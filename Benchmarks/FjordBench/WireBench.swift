import FjordModel
import FjordServiceAPI
import FjordWire
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `fjord-bench wire`: what the internal protocol costs per frame. The pure codec (encode + decode, CRC-32C
/// included) for several body sizes, and round trips over one loopback TCP connection between a `WireClient` and a
/// `WireServer` in this process, with 1 to 64 requests in flight.
struct WireBench {
    /// A push target that accepts everything (only the protocol is measured).
    struct NullPushTarget: PushTarget {
        func push(tenant: String, streams: [PushStream]) async throws(ServiceError) {}
    }

    struct CodecFigures: Codable, Sendable {
        var bodyBytes: Int
        var frameBytes: Int
        var overheadPercent: Double
        var encodeNanoseconds: Double
        var decodeNanoseconds: Double
    }

    struct RoundTripFigures: Codable, Sendable {
        var request: String
        var inFlight: Int
        var requests: Int
        var requestsPerSecond: Double
        var microsecondsPerRequest: Double
    }

    struct Report: Codable, Sendable {
        var when: String
        var machine: MachineInfo
        var loadBefore: [Double]
        var loadAfter: [Double] = []
        var renice: Int32?
        var codec: [CodecFigures] = []
        var roundTrips: [RoundTripFigures] = []
    }

    let roundTrips: Int
    /// `--renice`: this process's threads (client and server both run here) are kept at that nice value.
    let renice: Int32?

    func run() async throws -> Report {
        var report = Report(when: ISO8601DateFormatter().string(from: Date()), machine: MachineInfo.current(),
                            loadBefore: ProcFS.loadAverage(), renice: renice)
        let renicing = renice.map { value in Task { await Renicer(value: value, pids: [getpid()]).run() } }
        defer { renicing?.cancel() }
        for size in [0, 128, 1024, 65536] { report.codec.append(try codec(bodyBytes: size)) }
        report.roundTrips = try await loopback()
        report.loadAfter = ProcFS.loadAverage()
        return report
    }

    private func codec(bodyBytes: Int) throws -> CodecFigures {
        var random = BenchRandom(seed: 7)
        let body = (0..<bodyBytes).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let header = WireFrameHeader(kind: .push, flags: .endOfStream, requestID: 42, deadlineMillis: 5000)
        let count = bodyBytes >= 65536 ? 20_000 : 400_000
        var bytes: [UInt8] = []
        let clock = ContinuousClock()
        let encode = clock.measure {
            for _ in 0..<count {
                bytes.removeAll(keepingCapacity: true)
                WireFrameCodec.encode(header, body: body, into: &bytes)
            }
        }
        var decoded = 0
        let decode = try clock.measure {
            for _ in 0..<count {
                let result = try bytes.withUnsafeBytes { raw throws(WireError) in
                    try WireFrameCodec.decode(raw, maxFrameBytes: WireProtocol.defaultMaxFrameBytes)
                }
                if case .frame(let frame, _) = result, frame.body.count == bodyBytes { decoded += 1 }
            }
        }
        guard decoded == count else { throw ServerProcessError(message: "wire codec: decoded \(decoded) of \(count) frames") }
        let figures = CodecFigures(
            bodyBytes: bodyBytes, frameBytes: bytes.count,
            overheadPercent: 100 * Double(WireProtocol.frameOverhead) / Double(bytes.count),
            encodeNanoseconds: encode.seconds / Double(count) * 1e9, decodeNanoseconds: decode.seconds / Double(count) * 1e9)
        log(String(format: "codec, %d B body: %.0f ns encode, %.0f ns decode per frame", bodyBytes,
                   figures.encodeNanoseconds, figures.decodeNanoseconds))
        return figures
    }

    /// `ready` (empty body both ways) and a 1 KiB push (one stream of 8 lines of 128 B) over one connection.
    private func loopback() async throws -> [RoundTripFigures] {
        let server = try await WireServer.bind(
            configuration: WireServerConfiguration(role: "ingester", node: "bench-ingester"),
            handler: WireServices(role: "ingester", pushTarget: NullPushTarget()))
        guard let port = server.localPort else { throw ServerProcessError(message: "wire server has no port") }
        let serving = Task { try await server.run() }
        var configuration = WireClientConfiguration(role: "gateway", node: "bench-gateway", expectedServerRole: "ingester")
        configuration.connectionsPerAddress = 1
        let client = try WireClient(host: "127.0.0.1", port: port, configuration: configuration)
        var batch = EntryBatch()
        for index in 0..<8 {
            let line = String(repeating: "x", count: 120) + String(format: "%08d", index)
            batch.append(timestamp: 1_700_000_000_000_000_000 + Int64(index), line: Array(line.utf8))
        }
        let stream = PushStream(labels: Labels([LabelPair("app", "bench")]), entries: batch)
        var out: [RoundTripFigures] = []
        do {
            _ = try await client.notReadyReason()
            for inFlight in [1, 16, 64] {
                out.append(try await measure("ready (empty bodies)", inFlight: inFlight) { _ = try await client.notReadyReason() })
                out.append(try await measure("push of 1 KiB of lines (8 × 128 B)", inFlight: inFlight) {
                    try await client.push(tenant: "bench", streams: [stream])
                })
            }
        } catch {
            await client.shutdown()
            server.shutdown()
            _ = await serving.result
            throw error
        }
        await client.shutdown()
        server.shutdown()
        _ = await serving.result
        return out
    }

    private func measure(_ request: String, inFlight: Int, _ call: @escaping @Sendable () async throws -> Void) async throws
        -> RoundTripFigures {
        let total = roundTrips
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<inFlight {
                    group.addTask {
                        for _ in stride(from: worker, to: total, by: inFlight) { try await call() }
                    }
                }
                try await group.waitForAll()
            }
        }
        let seconds = elapsed.seconds
        let figures = RoundTripFigures(request: request, inFlight: inFlight, requests: total,
                                       requestsPerSecond: Double(total) / seconds,
                                       microsecondsPerRequest: seconds / Double(total) * 1e6 * Double(inFlight))
        log(String(format: "%@, %d in flight: %.0f requests/s, %.1f µs per request", request, inFlight,
                   figures.requestsPerSecond, figures.microsecondsPerRequest))
        return figures
    }

    static func markdown(_ report: Report) -> String {
        let machine = report.machine
        var out = [
            "### Wire protocol overhead (`fjord-bench wire`)", "",
            "Machine: \(machine.cpus) CPUs (\(machine.cpuModel)), Linux \(machine.kernel); load average before "
                + "\(Markdown.loads(report.loadBefore)), after \(Markdown.loads(report.loadAfter))"
                + "\(report.renice.map { "; threads kept at nice \($0)" } ?? ""). \(report.when). Client and server run in "
                + "this one process.", "",
            "| body | frame on the wire | overhead (28 B) | encode ns/frame | decode ns/frame |",
            "|---:|---:|---:|---:|---:|",
        ]
        for codec in report.codec {
            out.append("| \(codec.bodyBytes) B | \(codec.frameBytes) B | "
                       + String(format: "%.2f %% | %.0f | %.0f |", codec.overheadPercent, codec.encodeNanoseconds,
                                codec.decodeNanoseconds))
        }
        out += ["", "| request over one loopback connection | in flight | requests/s | latency µs (in flight ÷ rate) |", "|---|---:|---:|---:|"]
        for trip in report.roundTrips {
            out.append("| \(trip.request) | \(trip.inFlight) | \(Markdown.grouped(Int(trip.requestsPerSecond))) | "
                       + String(format: "%.1f |", trip.microsecondsPerRequest))
        }
        return out.joined(separator: "\n") + "\n"
    }
}
