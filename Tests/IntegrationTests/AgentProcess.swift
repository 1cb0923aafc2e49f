import Foundation

/// A real `fjord-agent` started by a test with a configuration file, its HTTP port on 127.0.0.1, stopped by PID.
final class AgentProcess: @unchecked Sendable {
    let port: Int
    let configPath: String
    let environment: [String: String]
    private(set) var process: Process?
    private let logURL: URL

    init(configPath: String, directory: URL, environment: [String: String] = [:]) throws {
        port = try FjordProcess.freePort()
        self.configPath = configPath
        self.environment = environment
        logURL = directory.appendingPathComponent("fjord-agent-\(UUID().uuidString.prefix(8)).log")
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the agent and waits until `/ready` answers 200.
    func start() async throws {
        let process = Process()
        process.executableURL = FjordProcess.binary.deletingLastPathComponent().appendingPathComponent("fjord-agent")
        process.arguments = ["-config.file=\(configPath)", "-server.http-listen-address=127.0.0.1",
                             "-server.http-listen-port=\(port)", "-log.level=debug"]
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if !FileManager.default.fileExists(atPath: logURL.path) {
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if !process.isRunning { throw FjordTestError("fjord-agent exited early (\(process.terminationStatus)):\n\(self.log)") }
            if let (status, _) = try? await HTTP.request("GET", baseURL + "/ready"), status == 200 { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw FjordTestError("fjord-agent did not become ready within 60 s:\n\(self.log)")
    }

    /// SIGTERM (graceful: the agent sends what it holds and saves positions) or SIGKILL; waits for the exit.
    func stop(kill: Bool = false) {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, kill ? SIGKILL : SIGTERM)
        process.waitUntilExit()
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    deinit { stop(kill: true) }
}

/// Reading what arrived in fjord, for the agent tests.
enum AgentQueries {
    /// Every entry of `query` in the last hour: (labels, line).
    static func entries(_ fjord: FjordProcess, _ query: String, tenant: String) async throws -> [([String: String], String)] {
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range", [
            ("query", query), ("start", String(now - 3_600_000_000_000)), ("end", String(now + 60_000_000_000)),
            ("limit", "5000"), ("direction", "forward"),
        ], tenant: tenant)
        guard status == 200 else { throw FjordTestError("query failed \(status): \(String(decoding: body, as: UTF8.self))") }
        let data = try HTTP.json(body)["data"] as? [String: Any]
        var out: [([String: String], String)] = []
        for stream in data?["result"] as? [[String: Any]] ?? [] {
            let labels = stream["stream"] as? [String: String] ?? [:]
            for value in stream["values"] as? [[Any]] ?? [] {
                if let line = value[1] as? String { out.append((labels, line)) }
            }
        }
        return out
    }

    /// Polls until `count` entries match (or 30 s passed); returns the last answer.
    static func waitFor(_ count: Int, _ fjord: FjordProcess, _ query: String, tenant: String) async throws -> [([String: String], String)] {
        let deadline = Date().addingTimeInterval(30)
        var last: [([String: String], String)] = []
        while Date() < deadline {
            last = try await entries(fjord, query, tenant: tenant)
            if last.count >= count { return last }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        return last
    }
}
