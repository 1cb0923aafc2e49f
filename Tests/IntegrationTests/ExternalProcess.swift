import FjordTestSupport
import Foundation

/// A third-party server a test starts on 127.0.0.1 (Alertmanager, Prometheus from Debian packages installed by
/// scripts/setup), stopped by PID.
final class ExternalProcess: @unchecked Sendable {
    let name: String
    let port: Int
    let directory: URL
    private(set) var process: ChildProcess?
    private let logURL: URL

    /// Whether `path` exists and is executable (tests needing it are skipped otherwise).
    static func available(_ path: String) -> Bool { FileManager.default.isExecutableFile(atPath: path) }

    init(name: String, directory: URL) throws {
        self.name = name
        self.directory = directory
        port = try FjordProcess.freePort()
        logURL = directory.appendingPathComponent("\(name).log")
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `executable` with `arguments` (and `environment` added to the test's) and waits until `GET readyPath`
    /// answers 200. A restarted process appends to the same log.
    func start(executable: String, arguments: [String], readyPath: String, environment: [String: String] = [:]) async throws {
        if !FileManager.default.fileExists(atPath: logURL.path) {
            FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let process = try ChildProcess(executable, arguments,
                                       environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                       output: .file(logURL.path), workingDirectory: directory.path)
        self.process = process
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let code = process.exitCode { throw FjordTestError("\(name) exited early (\(code)):\n\(self.log)") }
            if let (status, _) = try? await HTTP.request("GET", baseURL + readyPath), status == 200 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw FjordTestError("\(name) did not become ready within 60 s:\n\(self.log)")
    }

    func stop() {
        process?.stopBlocking()
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    deinit { stop() }
}
