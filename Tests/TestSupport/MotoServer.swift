import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real S3-compatible server for tests: `python3 -m moto.server` (PyPI `moto[server]`, installed by
/// `scripts/setup`) on a free 127.0.0.1 port, started by the test and stopped by PID. Each test uses its own bucket.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    private let process: ChildProcess
    private let logURL: URL

    /// The endpoint for `S3Configuration.endpoint` (path style, plain HTTP).
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts moto and waits until it answers (up to 60 s).
    public init() async throws {
        port = try MotoServer.freePort()
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-moto-\(port).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process = try ChildProcess("/usr/bin/env", ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
                                   output: .file(logURL.path))
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let code = process.exitCode {
                throw MotoError("moto exited (\(code)); is moto[server] installed (scripts/setup)?\n\(self.log)")
            }
            if MotoServer.canConnect(port: port) { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        stop()
        throw MotoError("moto did not listen within 60 s:\n\(self.log)")
    }

    /// moto's output so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Stops the server (SIGKILL: a child may inherit a blocked SIGTERM from the test process), then waits.
    public func stop() {
        guard process.isRunning else { return }
        process.stopBlocking(signal: SIGKILL)
        try? FileManager.default.removeItem(at: logURL)
    }

    deinit { stop() }

    /// A bucket name unique to one test.
    public static func bucketName(_ prefix: String = "fjord") -> String {
        "\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
    }

    /// A port nobody listens on right now.
    public static func freePort() throws -> Int {
        let held = try HeldPort()
        defer { held.release() }
        return held.port
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// A test-support failure with a message.
public struct MotoError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
