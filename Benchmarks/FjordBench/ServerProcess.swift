import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why the server could not be started or stopped.
struct ServerProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A Fjord server the benchmark started as a child process on 127.0.0.1 and a free port; stopped by its PID.
final class ServerProcess {
    let process: Process
    let port: Int
    let logPath: String
    var pid: Int32 { process.processIdentifier }

    /// The flags that make Fjord comparable with the Loki oracle's configuration (lokicompat README): no auth (plain HTTP on loopback),
    /// old samples accepted, no rate or stream limits, no label discovery, large query limits.
    static func benchmarkArguments(port: Int, dataDirectory: String) -> [String] {
        [
            "-server.http-listen-address=127.0.0.1", "-server.http-listen-port=\(port)",
            "-common.path-prefix=\(dataDirectory)", "-server.http-allow-insecure",
        ] + limitArguments
    }

    /// The flags of ``benchmarkArguments(port:dataDirectory:)`` that are not about addresses, directories or plain
    /// HTTP (every role of a cluster gets them too; `scripts/cluster-up` gives the gateway its own HTTP flags).
    static var limitArguments: [String] {
        [
            "-auth.enabled=false", "-validation.reject-old-samples=false",
            "-distributor.ingestion-rate-limit-mb=100000", "-distributor.ingestion-burst-size-mb=100000",
            "-ingester.per-stream-rate-limit=1GB", "-ingester.per-stream-rate-limit-burst=1GB",
            "-ingester.max-global-streams-per-user=0",
            "-validation.discover-service-name=", "-validation.discover-log-levels=false",
            "-validation.max-entries-limit=100000", "-querier.max-query-series=100000",
            "-querier.max-query-length=0", "-querier.query-timeout=5m", "-querier.query-ingesters-within=0",
        ]
    }

    private init(process: Process, port: Int, logPath: String) {
        self.process = process
        self.port = port
        self.logPath = logPath
    }

    /// Starts `binary` with the benchmark flags plus `extra`; output goes to `logPath`. `dataDirectory` must be empty
    /// or missing (the benchmark measures the disk use of what it pushed).
    static func start(binary: String, dataDirectory: String, extra: [String], logPath: String) throws -> ServerProcess {
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: dataDirectory), !existing.isEmpty {
            throw ServerProcessError(message: "data directory \(dataDirectory) is not empty; give an empty or new one")
        }
        try manager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        guard manager.isExecutableFile(atPath: binary) else {
            throw ServerProcessError(message: "\(binary) is not an executable file")
        }
        let port = try freePort()
        guard manager.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw ServerProcessError(message: "cannot write the server log \(logPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = benchmarkArguments(port: port, dataDirectory: dataDirectory) + extra
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return ServerProcess(process: process, port: port, logPath: logPath)
    }

    /// SIGTERM, then SIGKILL if it has not exited after `grace` seconds.
    func stop(grace: Double = 60) {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(100_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The last lines of the server log (for error messages).
    func logTail(_ lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now (bind to port 0, read it back, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerProcessError(message: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ServerProcessError(message: "bind() failed: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw ServerProcessError(message: "getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
