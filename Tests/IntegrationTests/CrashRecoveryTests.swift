import Foundation
import Testing

/// `kill -9` after acknowledged pushes loses nothing and duplicates nothing; a damaged WAL tail is detected,
/// reported, and everything before it is kept.
@Suite(.serialized) struct CrashRecoveryTests {
    let tenant = "crash"

    /// Pushes batch `batch` (`linesPerBatch` distinct lines of one stream) and expects 204.
    func push(_ fjord: FjordProcess, batch: Int, linesPerBatch: Int, base: Int64) async throws {
        let values = (0..<linesPerBatch).map { line -> [String] in
            [String(base + Int64(batch * linesPerBatch + line) * 1_000), "batch=\(batch) line=\(line) payload=\(String(repeating: "x", count: 40))"]
        }
        let body = try JSONSerialization.data(withJSONObject: ["streams": [["stream": ["app": "crash"], "values": values]]])
        let (status, answer) = try await HTTP.request(
            "POST", fjord.baseURL + "/loki/api/v1/push",
            headers: ["Content-Type": "application/json", "X-Scope-OrgID": tenant], body: body)
        #expect(status == 204, "batch \(batch): \(String(decoding: answer, as: UTF8.self))")
    }

    /// Every line of `{app="crash"}` in the window, oldest first.
    func lines(_ fjord: FjordProcess, base: Int64) async throws -> [String] {
        let (status, body) = try await HTTP.get(
            fjord.baseURL, "/loki/api/v1/query_range",
            [("query", "{app=\"crash\"}"), ("start", String(base - 1)), ("end", String(base + 60_000_000_000)),
             ("limit", "5000"), ("direction", "forward")],
            tenant: tenant)
        #expect(status == 200)
        let result = (try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.flatMap { ($0["values"] as? [[Any]] ?? []).compactMap { $0[1] as? String } }
    }

    @Test func killNineLosesNothingAndDuplicatesNothing() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try FjordProcess.freePort()
        let base = (Int64(Date().timeIntervalSince1970) - 120) * 1_000_000_000
        let batches = 30
        let perBatch = 40

        let first = try FjordProcess(dataDirectory: directory, port: port)
        try await first.start()
        for batch in 0..<batches { try await push(first, batch: batch, linesPerBatch: perBatch, base: base) }
        first.stop(kill: true)  // right after the last acknowledgement

        let second = try FjordProcess(dataDirectory: directory, port: port)
        try await second.start()
        let recovered = try await lines(second, base: base)
        #expect(recovered.count == batches * perBatch, "recovered \(recovered.count) lines:\n\(second.log)")
        #expect(Set(recovered).count == recovered.count, "duplicates after replay")

        // A flush, more pushes and a second crash: flushed data is not replayed twice.
        let (flushStatus, _) = try await HTTP.request("POST", second.baseURL + "/flush")
        #expect(flushStatus == 204)
        for batch in batches..<(batches + 5) { try await push(second, batch: batch, linesPerBatch: perBatch, base: base) }
        second.stop(kill: true)

        let third = try FjordProcess(dataDirectory: directory, port: port)
        try await third.start()
        defer { third.stop() }
        let afterSecondCrash = try await lines(third, base: base)
        #expect(afterSecondCrash.count == (batches + 5) * perBatch)
        #expect(Set(afterSecondCrash).count == afterSecondCrash.count, "duplicates after flush + replay")
    }

    @Test func damagedWALTailIsReportedAndEverythingBeforeItIsKept() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try FjordProcess.freePort()
        let base = (Int64(Date().timeIntervalSince1970) - 120) * 1_000_000_000
        let perBatch = 40

        let first = try FjordProcess(dataDirectory: directory, port: port)
        try await first.start()
        for batch in 0..<10 { try await push(first, batch: batch, linesPerBatch: perBatch, base: base) }
        first.stop(kill: true)

        // Cut the newest segment in the middle of its last record (a torn write), then add garbage after it.
        let wal = directory.appendingPathComponent("data/wal")
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: wal.path)
            .filter { $0.hasSuffix(".wal") }.sorted().last)
        let path = wal.appendingPathComponent(segment).path
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let end = (bytes.lastIndex { $0 != 0 } ?? 0) + 1
        bytes = Array(bytes[0..<(end - 20)]) + [0xde, 0xad, 0xbe, 0xef]
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let second = try FjordProcess(dataDirectory: directory, port: port)
        try await second.start()
        defer { second.stop() }
        let recovered = try await lines(second, base: base)
        // The last batch's record is damaged; the nine before it are intact.
        #expect(recovered.count == 9 * perBatch, "\(second.log)")
        #expect(Set(recovered).count == recovered.count)
        #expect(second.log.contains("WAL replay found a damaged record"), "\(second.log)")

        // The server keeps working and accepts new data.
        try await push(second, batch: 100, linesPerBatch: perBatch, base: base)
        #expect(try await lines(second, base: base).count == 10 * perBatch)
    }

    @Test(arguments: [false, true])
    func sigtermKeepsEverything(flushOnShutdown: Bool) async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try FjordProcess.freePort()
        let base = (Int64(Date().timeIntervalSince1970) - 120) * 1_000_000_000
        let arguments = ["-ingester.flush-on-shutdown=\(flushOnShutdown)"]
        let first = try FjordProcess(dataDirectory: directory, port: port, arguments: arguments)
        try await first.start()
        for batch in 0..<5 { try await push(first, batch: batch, linesPerBatch: 20, base: base) }
        first.stop()  // SIGTERM: graceful shutdown
        #expect(first.process?.exitCode == 0, "\(first.log)")
        let chunks = directory.appendingPathComponent("data/chunks/\(tenant)/chunks")
        #expect(FileManager.default.fileExists(atPath: chunks.path) == flushOnShutdown)

        let second = try FjordProcess(dataDirectory: directory, port: port, arguments: arguments)
        try await second.start()
        defer { second.stop() }
        let recovered = try await lines(second, base: base)
        #expect(recovered.count == 100)
        #expect(Set(recovered).count == 100)
    }
}
