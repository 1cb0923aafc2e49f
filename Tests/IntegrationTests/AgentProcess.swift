import Foundation

/// A real `fjord-agent` started by a test with a configuration file, its HTTP port on 127.0.0.1, stopped by PID.
final class AgentProcess: @unchecked Sendable {
    let configPath: String
    let environment: [String: String]
    private let process: ExternalProcess

    init(configPath: String, directory: URL, environment: [String: String] = [:]) throws {
        self.configPath = configPath
        self.environment = environment
        process = try ExternalProcess(name: "fjord-agent", directory: directory)
    }

    var port: Int { process.port }
    var baseURL: String { process.baseURL }
    var log: String { process.log }

    /// Starts the agent and waits until `/ready` answers 200.
    func start() async throws {
        let executable = FjordProcess.binary.deletingLastPathComponent().appendingPathComponent("fjord-agent").path
        try await process.start(executable: executable, arguments: [
            "-config.file=\(configPath)", "-server.http-listen-address=127.0.0.1", "-server.http-listen-port=\(port)",
            "-log.level=debug",
        ], readyPath: "/ready", environment: environment)
    }

    /// SIGTERM: the agent sends what it holds, saves its positions and exits.
    func stop() { process.stop() }
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
            // Without the labels fjord's own discovery adds, so tests see what the agent sent.
            let labels = (stream["stream"] as? [String: String] ?? [:]).filter { $0.key != "service_name" && $0.key != "detected_level" }
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
