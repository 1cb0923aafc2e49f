import FjordModel
import FjordServiceAPI
@testable import FjordWire
import Foundation
import Synchronization
import Testing

/// A handler that only counts what it receives (for throughput runs).
final class CountingHandler: WireHandler {
    let entries = Atomic<Int>(0)

    func push(tenant: String, streams: [PushStream]) async throws {
        entries.add(streams.reduce(0) { $0 + $1.entries.count }, ordering: .relaxed)
    }

    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] { [] }
    func query(_ request: QueryRequest) async throws -> QueryResult { QueryResult(data: .streams([])) }
    func labelNames(_ request: MetadataRequest) async throws -> [String] { [] }
    func labelValues(name: String, _ request: MetadataRequest) async throws -> [String] { [] }
    func series(_ request: SeriesRequest) async throws -> [Labels] { [] }
    func indexStats(_ request: MetadataRequest) async throws -> ServiceIndexStats { ServiceIndexStats() }
    func flush() async throws {}
    func notReadyReason() async -> String? { nil }
}

/// Hand-run measurements (release build): `FJORD_WIRE_BENCH=1 swift test -c release -Xswiftc -enable-testing
/// --filter WireBenchmark`. They print figures and assert nothing about time.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FJORD_WIRE_BENCH"] != nil))
struct WireBenchmarkTests {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Realistic log lines (structlog-like, ~120 bytes).
    static func lines(count: Int, stream: Int) -> EntryBatch {
        var batch = EntryBatch(capacity: count, lineBytesCapacity: count * 130)
        for index in 0..<count {
            let line = "ts=2026-11-23T00:\(index % 60):\(index % 60).\(index)Z level=info stream=\(stream) caller=handler.go:\(index % 400) msg=\"request served\" duration_ms=\(index % 997) status=200 path=/api/v1/items/\(index)"
            batch.append(timestamp: 1_700_000_000_000_000_000 + Int64(index) * 1_000_000, line: Array(line.utf8))
        }
        return batch
    }

    @Test func frameCodecCostPerFrame() throws {
        for size in [0, 1024, 65536] {
            let frame = WireFrame(kind: .push, requestID: 1, flags: .endOfStream, body: [UInt8](repeating: 0x5a, count: size))
            let count = size == 65536 ? 20_000 : 500_000
            var bytes: [UInt8] = []
            let clock = ContinuousClock()
            let encodeTime = clock.measure {
                for _ in 0..<count {
                    bytes.removeAll(keepingCapacity: true)
                    WireFrameCodec.encode(frame.header, body: frame.body, into: &bytes)
                }
            }
            var decoded = 0
            let decodeTime = try clock.measure {
                for _ in 0..<count {
                    let result = try bytes.withUnsafeBytes { raw throws(WireError) in
                        try WireFrameCodec.decode(raw, maxFrameBytes: 1 << 24)
                    }
                    if case .frame = result { decoded += 1 }
                }
            }
            #expect(decoded == count)
            print(String(format: "wire-bench codec body=%6d B: frame=%6d B (overhead %d B, %.2f%%), encode %.0f ns, decode %.0f ns per frame",
                         size, bytes.count, WireProtocol.frameOverhead,
                         100 * Double(WireProtocol.frameOverhead) / Double(bytes.count),
                         Self.seconds(encodeTime) / Double(count) * 1e9, Self.seconds(decodeTime) / Double(count) * 1e9))
        }
    }

    @Test(arguments: [(1, 0), (8, 0), (8, 8192)])
    func pushThroughputOverLoopback(concurrency: Int, compressionMinimumBytes: Int) async throws {
        let handler = CountingHandler()
        let linesPerPush = 1000
        let pushes = 1500
        let batches = (0..<8).map { Self.lines(count: linesPerPush, stream: $0) }
        let lineBytes = batches[0].totalLineBytes
        let body = WireRequest.push(tenant: "t", streams: [PushStream(labels: Sample.labels("bench"), entries: batches[0])]).encodeBody()
        let sent = WireCompression.compressIfUseful(body, minimumBytes: compressionMinimumBytes)?.count ?? body.count
        let elapsed = try await withLoopback(handler, client: {
            $0.compressionMinimumBytes = compressionMinimumBytes
            $0.connectionsPerAddress = 1
        }) { _, client in
            try await client.flush()
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for index in stride(from: worker, to: pushes, by: concurrency) {
                            let stream = PushStream(labels: Sample.labels("bench\(index % 8)"), entries: batches[index % 8])
                            try await client.push(tenant: "t", streams: [stream])
                        }
                    }
                }
                try await group.waitForAll()
            }
            return ContinuousClock.now - start
        }
        #expect(handler.entries.load(ordering: .relaxed) == pushes * linesPerPush)
        let seconds = Self.seconds(elapsed)
        let totalLines = Double(pushes * linesPerPush)
        print(String(format: "wire-bench push concurrency=%d compression=%@: %.0f lines/s, %.1f MB/s of line bytes, %.0f pushes/s (%d lines, %d B lines, %d B body, %d B sent per push)",
                     concurrency, compressionMinimumBytes > 0 ? "zstd" : "off", totalLines / seconds,
                     Double(pushes * lineBytes) / seconds / 1e6, Double(pushes) / seconds, linesPerPush, lineBytes, body.count, sent))
    }

    @Test(arguments: [1, 32])
    func smallRequestRate(concurrency: Int) async throws {
        let requests = 40_000
        let elapsed = try await withLoopback(CountingHandler(), client: { $0.connectionsPerAddress = 1 }) { _, client in
            try await client.flush()
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for _ in stride(from: worker, to: requests, by: concurrency) { _ = try await client.notReadyReason() }
                    }
                }
                try await group.waitForAll()
            }
            return ContinuousClock.now - start
        }
        let seconds = Self.seconds(elapsed)
        print(String(format: "wire-bench ready round trips concurrency=%d: %.0f requests/s, %.1f µs per request",
                     concurrency, Double(requests) / seconds, seconds / Double(requests) * 1e6 * Double(concurrency)))
    }
}
