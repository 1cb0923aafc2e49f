import FjordModel
import Foundation
import Testing

/// ≥ 100,000 malformed requests (framing, headers, `Authorization` and `X-Scope-OrgID` values, bodies, query
/// parameters) against a live `fjord` with a credentials file: the process stays up, nothing answers with a 5xx,
/// nothing hangs, and a well-formed client works afterwards.
@Suite(.serialized) struct HTTPFuzzIntegrationTests {
    /// `FJORD_HTTP_FUZZ_REQUESTS` overrides the count (a quick local run); `FJORD_HTTP_FUZZ_SEED` replays a run.
    static let requests = ProcessInfo.processInfo.environment["FJORD_HTTP_FUZZ_REQUESTS"].flatMap { Int($0) } ?? 100_000
    static let workers = 4

    /// Totals over all workers.
    struct Report {
        var sent = 0
        var connections = 0
        var statuses: [Int: Int] = [:]
        /// Requests the server answered by closing (ill-framed ones are expected to end so).
        var closedWithoutAnswer = 0
        /// 5xx answers, with the kind of request.
        var serverErrors: [String] = []
        /// Well-framed requests that got neither an answer nor a close in time.
        var hung: [String] = []
        var processDied = false
    }

    @Test func hundredThousandMalformedRequestsLeaveFjordServing() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentials = try CredentialsFixture(directory: directory, entries: [
            .user("fuzz", ["team-a=push,query,rules", "team-b=query"]),
            .token("fuzz-token", ["team-b=push,query"], admin: true),
        ])
        let fjord = try FjordProcess(dataDirectory: directory, arguments: [
            "-auth.credentials-file=\(credentials.path.path)", "-querier.multi-tenant-queries-enabled",
            "-server.http-read-header-timeout=5s", "-log.level=warn",
        ])
        try await fjord.start()
        defer { fjord.stop() }

        let seed = ProcessInfo.processInfo.environment["FJORD_HTTP_FUZZ_SEED"].flatMap { UInt64($0) }
            ?? UInt64(Date().timeIntervalSince1970)
        let authorizations = ["fuzz", "fuzz-token"].compactMap { credentials.headers($0)["Authorization"] }
        let started = Date()
        let port = fjord.port
        let report = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Self.fuzz(port: port, seed: seed, authorizations: authorizations,
                                                         isAlive: { fjord.isRunning }))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print("""
            http fuzz: \(report.sent) requests over \(report.connections) connections in \(String(format: "%.1f", seconds)) s \
            (seed \(seed)); statuses: \(report.statuses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")); \
            closed without an answer: \(report.closedWithoutAnswer); 5xx: \(report.serverErrors.count); hung: \(report.hung.count)
            """)

        #expect(!report.processDied && fjord.isRunning, "fjord died during the fuzzing:\n\(Self.crash(in: fjord.log))")
        #expect(report.sent >= Self.requests)
        #expect(report.serverErrors.isEmpty, "5xx answers: \(report.serverErrors.prefix(10))")
        #expect(report.hung.isEmpty, "requests left hanging: \(report.hung.prefix(10))")
        #expect(report.statuses[401, default: 0] > Self.requests / 20 && report.statuses[400, default: 0] > Self.requests / 20)

        // Still serving: a valid push and query.
        guard fjord.isRunning else { return }
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        var headers = credentials.headers("fuzz", tenant: "team-a")
        headers["Content-Type"] = "application/json"
        var (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push", headers: headers,
                                                    body: Data(#"{"streams":[{"stream":{"app":"after"},"values":[["\#(now)","after fuzz"]]}]}"#.utf8))
        #expect(status == 204, "\(String(decoding: body, as: UTF8.self))")
        (status, body) = try await HTTP.request("GET", fjord.baseURL + "/loki/api/v1/query_range?query=%7Bapp%3D%22after%22%7D",
                                                headers: credentials.headers("fuzz", tenant: "team-a"))
        #expect(status == 200 && String(decoding: body, as: UTF8.self).contains("after fuzz"))
        for secret in credentials.secrets { #expect(!fjord.log.contains(secret), "a secret is in the log") }
    }

    /// The start of a crash report in a process log (the fatal error and the crashing thread), or its tail.
    static func crash(in log: String) -> String {
        guard let start = log.range(of: "Fatal error") ?? log.range(of: "💣") ?? log.range(of: "Crash") else {
            return String(log.suffix(4000))
        }
        let head = String(log[start.lowerBound...].prefix(300))
        guard let crashed = log.range(of: " crashed:") else { return String(log[start.lowerBound...].prefix(6000)) }
        return head + "\n...\n" + String(log[crashed.lowerBound...].prefix(5000))
    }

    /// Sends the requests from ``workers`` threads, each with its own seed, printing progress every 10,000.
    static func fuzz(port: Int, seed: UInt64, authorizations: [String], isAlive: @escaping @Sendable () -> Bool) -> Report {
        let report = LockedBox(Report())
        let group = DispatchGroup()
        for worker in 0..<workers {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var plan = HTTPFuzzPlan(seed: seed &+ UInt64(worker) &* 0x9E37_79B9, validAuthorizations: authorizations,
                                        tenants: ["team-a", "team-b"])
                var connection: RawHTTPConnection?
                for index in 0..<(requests / workers + 1) {
                    if index % 500 == 0, !isAlive() {
                        report.update { $0.processDied = true }
                        return
                    }
                    let request = plan.next()
                    if connection == nil {
                        connection = try? RawHTTPConnection(port: port, timeoutSeconds: 20)
                        report.update { $0.connections += 1 }
                    }
                    guard let open = connection else {
                        report.update { $0.hung.append("worker \(worker): cannot connect") }
                        return
                    }
                    let label = "worker \(worker) request \(index) (\(request.kind)): \(String(decoding: request.bytes.prefix(120), as: UTF8.self))"
                    let total = report.update { report -> Int in
                        report.sent += 1
                        return report.sent
                    }
                    if total % 10_000 == 0 { print("http fuzz: \(total) requests sent") }
                    guard open.send(request.bytes) else {
                        // The server closed the connection (after an earlier answer); start over.
                        connection = nil
                        report.update { $0.closedWithoutAnswer += 1 }
                        continue
                    }
                    guard let answer = open.readResponse(toHead: request.bytes.starts(with: Array("HEAD ".utf8))) else {
                        connection = nil
                        let (_, end) = open.readToEnd(limit: 0)
                        report.update {
                            if end == .timedOut && request.wellFramed { $0.hung.append(label) } else { $0.closedWithoutAnswer += 1 }
                        }
                        continue
                    }
                    report.update {
                        $0.statuses[answer.status, default: 0] += 1
                        if answer.status >= 500 {
                            $0.serverErrors.append("\(answer.status) \(String(decoding: answer.body.prefix(200), as: UTF8.self)) for \(label)")
                        }
                    }
                    // Ill-framed requests, and answers that close, end the connection.
                    if !request.wellFramed || answer.head.lowercased().contains("connection: close") { connection = nil }
                }
            }
        }
        group.wait()
        return report.get()
    }
}
