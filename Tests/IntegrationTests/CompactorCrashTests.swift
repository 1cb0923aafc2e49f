import FjordTestSupport
import Foundation
import Testing

/// `kill -9` of a real compactor process at random moments of its passes, 20 times, over a store that keeps
/// receiving small flushes: after every kill the query answers equal the ones before it (no loss, no duplicates),
/// and a final uninterrupted run finishes the work (no job record left, far fewer objects). On the filesystem and
/// on an S3-compatible store (moto).
@Suite(.serialized) struct CompactorCrashTests {
    static let runs = 20

    @Test(arguments: DeletionTests.Backend.allCases)
    func killingTheCompactorLosesAndDuplicatesNothing(backend: DeletionTests.Backend) async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var storeFlags: [String] = []
        var moto: MotoServer?
        if backend == .s3 {
            let server = try await MotoServer()
            let bucket = MotoServer.bucketName()
            #expect(try await HTTP.request("PUT", server.endpoint + "/" + bucket).0 == 200)
            storeFlags = ["-store.object-store=s3", "-s3.endpoint=\(server.endpoint)", "-s3.buckets=\(bucket)",
                          "-s3.force-path-style=true", "-s3.access-key-id=test", "-s3.secret-access-key=test"]
            moto = server
        }
        defer { moto?.stop() }
        // The verifier: an all-in-one whose own compactor never runs; it writes the flushes and answers the queries.
        let fjord = try FjordProcess(dataDirectory: directory, arguments: storeFlags + ["-compactor.compaction-interval=1000h", "-validation.max-entries-limit=20000"])
        try await fjord.start()
        defer { fjord.stop() }
        let now = Int64(Date().timeIntervalSince1970)
        let base = (now - 3600) * 1_000_000_000
        var flushes = 0
        func addFlushes(_ count: Int) async throws {
            for _ in 0..<count {
                var streams: [[String: Any]] = []
                for app in ["a", "b", "c"] {
                    let values = (0..<20).map { line -> [String] in
                        let ts = base + Int64(flushes) * 1_000_000_000 + Int64(line) * 1_000_000
                        return [String(ts), "app=\(app) flush=\(flushes) line=\(line) id=\(ts)"]
                    }
                    streams.append(["stream": ["app": app], "values": values])
                }
                let body = try JSONSerialization.data(withJSONObject: ["streams": streams])
                #expect(try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push",
                                               headers: ["X-Scope-OrgID": "crash", "Content-Type": "application/json"], body: body).0 == 204)
                #expect(try await HTTP.request("POST", fjord.baseURL + "/flush").0 == 204)
                flushes += 1
            }
        }
        func answer() async throws -> String {
            let (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range", [
                ("query", "{app=~\"a|b|c\"}"), ("start", String(base - 1_000_000_000)), ("end", String(base + 3_000_000_000_000)),
                ("direction", "forward"), ("limit", "20000"),
            ], tenant: "crash")
            #expect(status == 200)
            var data = try #require(HTTP.json(body)["data"] as? [String: Any])
            data["stats"] = nil
            return String(decoding: try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys]), as: UTF8.self)
        }
        let compactorFlags = storeFlags + ["-compactor.compaction-interval=100ms", "-compactor.retention-delete-delay=0s",
                                           "-ring.instance-id=crash-compactor", "-server.internal-listen-address=127.0.0.1"]
        var interrupted = 0
        for run in 0..<Self.runs {
            try await addFlushes(8)
            let before = try await answer()
            let compactor = try FjordProcess(dataDirectory: directory, arguments: compactorFlags
                + ["-server.internal-listen-port=\(try FjordProcess.freePort())"], executable: "fjord-compactor")
            try await compactor.start()
            try await Task.sleep(nanoseconds: UInt64.random(in: 50_000_000...700_000_000))
            compactor.stop(kill: true)
            if try await HTTP.request("GET", fjord.baseURL + "/ready").0 == 200, compactor.log.contains("tenant compacted") == false {
                interrupted += 1
            }
            #expect(try await answer() == before, "run \(run)")
        }
        // A run to completion finishes what the killed ones left, plus new flushes (so it has work even when the last
        // kill came after a finished pass).
        try await addFlushes(8)
        let before = try await answer()
        let finisher = try FjordProcess(dataDirectory: directory, arguments: compactorFlags
            + ["-server.internal-listen-port=\(try FjordProcess.freePort())"], executable: "fjord-compactor")
        try await finisher.start()
        var done = false
        for _ in 0..<1_200 where !done {  // up to 2 minutes on a loaded machine (a bound, not a timing check)
            try await Task.sleep(nanoseconds: 100_000_000)
            done = finisher.log.contains("tenant compacted")
        }
        try await Task.sleep(nanoseconds: 500_000_000)
        finisher.stop()
        #expect(done)
        #expect(try await answer() == before)
        #expect(flushes == (Self.runs + 1) * 8)
        if backend == .filesystem {
            let store = directory.appendingPathComponent("data/chunks/crash")
            let files = FileManager.default.enumerator(atPath: store.path)?.allObjects.compactMap { $0 as? String } ?? []
            #expect(!files.contains { $0.hasSuffix("job.json") }, "\(files)")
            #expect(files.filter { $0.hasPrefix("index/") && $0.hasSuffix(".fidx") }.count <= 2, "\(files.filter { $0.hasPrefix("index/") })")
            #expect(files.filter { $0.hasPrefix("chunks/") && $0.split(separator: "/").count == 3 }.count < flushes * 3 / 4)
        }
        print("compactor crash test (\(backend)): \(Self.runs) kills, \(interrupted) before a pass had finished")
    }
}
