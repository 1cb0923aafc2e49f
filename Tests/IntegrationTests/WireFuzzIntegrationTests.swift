import FjordModel
import FjordServiceAPI
import FjordWire
import Foundation
import Testing

/// ≥ 100,000 random and mutated frames against a live `fjord-ingester`'s internal wire port: the process never
/// dies, every connection gets an error frame or is closed, and a well-formed client works afterwards.
@Suite(.serialized) struct WireFuzzIntegrationTests {
    /// `FJORD_WIRE_FUZZ_FRAMES` overrides the count (a quick local run); `FJORD_WIRE_FUZZ_SEED` replays a run.
    static let frames = ProcessInfo.processInfo.environment["FJORD_WIRE_FUZZ_FRAMES"].flatMap { Int($0) } ?? 100_000

    @Test func hundredThousandFuzzedFramesLeaveALiveIngesterServing() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (ingester, wirePort) = try FjordProcess.singleIngester(directory: directory)
        try await ingester.start()
        // SIGKILL: a graceful stop would flush the thousands of streams the mutated pushes created, one fsynced
        // chunk file each (minutes on a busy disk), which this test does not measure.
        defer { ingester.stop(kill: true) }

        let seed = ProcessInfo.processInfo.environment["FJORD_WIRE_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64(Date().timeIntervalSince1970)
        let started = Date()
        let fuzzer = WireFuzzer(port: wirePort, seed: seed, target: Self.frames, workers: 4, isAlive: { ingester.isRunning })
        let report = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: fuzzer.run()) }
        }
        let seconds = Date().timeIntervalSince(started)
        print("""
            wire fuzz: \(report.frames) frames over \(report.connections) connections in \(String(format: "%.1f", seconds)) s \
            (seed \(seed)); \(report.answers) answer frames, \(report.errorFrames) error frames; \
            \(report.answeredConnections) connections had every body-level frame answered before their ending; ends: \
            \(report.ends.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")); fatal endings \
            (connections, expected code seen): \(report.fatalEndings.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", ")); \
            ingester peak RSS \(Self.peakRSS(ingester) ?? "?")
            """)

        #expect(!report.processDied, "the ingester died during the fuzzing:\n\(ingester.log.suffix(4000))")
        #expect(ingester.isRunning, "the ingester is not running after the fuzzing:\n\(ingester.log.suffix(4000))")
        #expect(report.frames >= Self.frames, "stopped early")
        #expect(report.failures.isEmpty, "\(report.failures.count) connections failed: \(report.failures.prefix(10))")
        #expect(report.silent.isEmpty, "connections without an error frame or a close: \(report.silent.prefix(10))")
        #expect(report.errorFrames > Self.frames / 4, "body-level garbage is answered with error frames")
        // Every kind of self-evident fatal frame was met, and answered with its code before the close in most
        // connections (a close with unread bytes may become a reset that discards the error frame).
        for ending in WireFuzzPlan.Ending.allCases where ending.expectedCode != nil {
            let entry = report.fatalEndings[ending.rawValue] ?? (0, 0)
            #expect(entry.connections > 0 && entry.expectedCodeSeen > 0, "\(ending): \(entry)")
        }

        // A well-formed client still works: the normal adapters push, read back and ask for readiness.
        guard ingester.isRunning else { return }
        let (status, _) = try await HTTP.request("GET", ingester.baseURL + "/ready")
        #expect(status == 200)
        let client = try WireClient(host: "127.0.0.1", port: wirePort, configuration: WireClientConfiguration(
            role: "gateway", node: "fuzz-check", expectedServerRole: "ingester"))
        do {
            try await Self.checkPushAndSelect(client)
            #expect(await RemoteIngesterAdmin(client: client).notReadyReason() == nil)
        } catch {
            Issue.record("a well-formed client failed after the fuzzing: \(error)")
        }
        await client.shutdown()
    }

    static func checkPushAndSelect(_ client: WireClient) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        var batch = EntryBatch()
        for index in 0..<50 { batch.append(timestamp: now + Int64(index), line: Array("after fuzz \(index)".utf8)) }
        let labels = Labels([LabelPair("app", "after-fuzz")])
        try await RemotePushTarget(client: client).push(tenant: "fuzz-check", streams: [PushStream(labels: labels, entries: batch)])
        let streams = try await RemoteLogSource(client: client).select(
            tenant: "fuzz-check", matchers: [.equal("app", "after-fuzz")], start: now - 1_000_000_000, end: now + 1_000_000_000)
        #expect(streams.map(\.labels) == [labels])
        guard let stream = streams.first else { return }
        var cursor = StreamCursor(blocks: stream.blocks, start: .min, end: .max, direction: .forward)
        let read = try await cursor.collect()
        #expect((0..<read.count).map { read.lineString($0) } == (0..<50).map { "after fuzz \($0)" })
    }

    /// `VmHWM` of the process, from /proc.
    static func peakRSS(_ process: FjordProcess) -> String? {
        guard let pid = process.process?.pid,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map {
            $0.dropFirst(6).trimmingCharacters(in: .whitespaces)
        }
    }
}
