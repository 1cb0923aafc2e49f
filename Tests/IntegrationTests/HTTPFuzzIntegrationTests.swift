import FjordModel
import Foundation
import Testing

/// ≥ 100,000 malformed requests (framing, headers, `Authorization` and `X-Scope-OrgID` values, bodies, query
/// parameters) against a live `fjord` with a credentials file: the process stays up, nothing answers with a 5xx,
/// every request is answered (or its connection closed) within ``answerTimeoutSeconds``, and a well-formed client
/// works afterwards. The run is bounded: it stops after ``budgetSeconds`` or once ``maxUnanswered`` requests went
/// unanswered, and fails with the kinds of requests that did.
@Suite(.serialized) struct HTTPFuzzIntegrationTests {
    /// `FJORD_HTTP_FUZZ_REQUESTS` overrides the count (a quick local run); `FJORD_HTTP_FUZZ_SEED` replays a run.
    static let requests = ProcessInfo.processInfo.environment["FJORD_HTTP_FUZZ_REQUESTS"].flatMap { Int($0) } ?? 100_000
    static let workers = 4
    /// Wall-clock budget for the fuzzing (`FJORD_HTTP_FUZZ_SECONDS`); a healthy run alone takes about a minute.
    static let budgetSeconds = ProcessInfo.processInfo.environment["FJORD_HTTP_FUZZ_SECONDS"].flatMap { Double($0) } ?? 360
    /// How long one request may go without an answer or a close before it counts as unanswered.
    static let answerTimeoutSeconds = 15
    /// Unanswered requests after which the fuzzing stops: the verdict is known, waiting longer only holds CI.
    static let maxUnanswered = 8

    /// Totals over all workers.
    struct Report {
        var sent = 0
        var connections = 0
        var statuses: [Int: Int] = [:]
        /// Requests the server answered by closing (ill-framed ones are expected to end so).
        var closedWithoutAnswer = 0
        /// 5xx answers, with the kind of request.
        var serverErrors: [String] = []
        /// Requests that got neither an answer nor a close within the answer timeout, with their kind.
        var unanswered: [(kind: String, label: String)] = []
        /// Why the fuzzing stopped before sending every request.
        var stopped: String?
        var processDied = false

        /// Unanswered requests counted by kind, most frequent first, with one example each.
        var unansweredByKind: String {
            Dictionary(grouping: unanswered, by: \.kind).sorted { $0.value.count > $1.value.count }
                .map { "\($0.key) ×\($0.value.count), e.g. \($0.value[0].label)" }.joined(separator: "\n")
        }
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
            closed without an answer: \(report.closedWithoutAnswer); 5xx: \(report.serverErrors.count); \
            unanswered: \(report.unanswered.count)
            """)

        #expect(!report.processDied && fjord.isRunning, "fjord died during the fuzzing:\n\(Self.crash(in: fjord.log))")
        if let stopped = report.stopped {
            Issue.record("""
                fuzzing stopped early: \(stopped); \(report.sent) of \(Self.requests) requests sent in \
                \(Int(seconds)) s (seed \(seed)); unanswered by kind:\n\(report.unansweredByKind)
                """)
        } else if !report.processDied {
            #expect(report.sent >= Self.requests)
        }
        #expect(report.serverErrors.isEmpty, "5xx answers: \(report.serverErrors.prefix(10))")
        #expect(report.unanswered.isEmpty, "requests neither answered nor closed within \(Self.answerTimeoutSeconds) s, by kind:\n\(report.unansweredByKind)")
        #expect(report.stopped != nil || report.statuses[401, default: 0] > Self.requests / 20 && report.statuses[400, default: 0] > Self.requests / 20)

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

    /// Sends the requests from ``workers`` threads, each with its own seed, printing progress every 10,000, until all
    /// are sent, the budget is spent, or ``maxUnanswered`` requests went unanswered.
    static func fuzz(port: Int, seed: UInt64, authorizations: [String], isAlive: @escaping @Sendable () -> Bool) -> Report {
        let report = LockedBox(Report())
        let deadline = Date().addingTimeInterval(budgetSeconds)
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
                    if Date() >= deadline {
                        report.update { $0.stopped = $0.stopped ?? "the \(Int(budgetSeconds)) s budget was spent" }
                    }
                    if report.update({ $0.stopped != nil }) { return }
                    let request = plan.next()
                    if connection == nil {
                        connection = try? RawHTTPConnection(port: port, timeoutSeconds: answerTimeoutSeconds)
                        report.update { $0.connections += 1 }
                    }
                    guard let open = connection else {
                        report.update { $0.stopped = "worker \(worker) cannot connect" }
                        return
                    }
                    let label = "worker \(worker) request \(index) (\(request.kind)): \(String(decoding: request.bytes.prefix(120), as: UTF8.self).debugDescription)"
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
                    switch open.readAnswer(toHead: request.bytes.starts(with: Array("HEAD ".utf8))) {
                    case .ended(.timedOut):
                        connection = nil
                        report.update {
                            $0.unanswered.append((request.kind, label))
                            if $0.unanswered.count >= maxUnanswered {
                                $0.stopped = $0.stopped ?? "\(maxUnanswered) requests went unanswered"
                            }
                        }
                    case .ended:
                        connection = nil
                        report.update { $0.closedWithoutAnswer += 1 }
                    case .response(let status, let head, let body):
                        report.update {
                            $0.statuses[status, default: 0] += 1
                            if status >= 500 {
                                $0.serverErrors.append("\(status) \(String(decoding: body.prefix(200), as: UTF8.self)) for \(label)")
                            }
                        }
                        // Ill-framed requests, and answers that close, end the connection.
                        if !request.wellFramed || head.lowercased().contains("connection: close") { connection = nil }
                    }
                }
            }
        }
        group.wait()
        return report.get()
    }
}
