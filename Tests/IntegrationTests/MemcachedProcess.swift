import FjordTestSupport
import Foundation

/// A real memcached (Debian's package, installed by scripts/setup) started by a test on a free 127.0.0.1 port and
/// stopped by PID.
final class MemcachedProcess: @unchecked Sendable {
    let port: Int
    private(set) var process: ChildProcess?

    static var binary: String {
        for path in ["/usr/bin/memcached", "/usr/local/bin/memcached"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return "/usr/bin/memcached"
    }

    init(port: Int? = nil) throws {
        self.port = try port ?? FjordProcess.freePort()
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Starts memcached (64 MiB, no UDP) and waits until its port accepts connections.
    func start() async throws {
        var arguments = ["-l", "127.0.0.1", "-p", "\(port)", "-U", "0", "-m", "64", "-c", "256"]
        if getuid() == 0 { arguments += ["-u", "root"] }
        let process = try ChildProcess(Self.binary, arguments)
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let code = process.exitCode { throw FjordTestError("memcached exited early (\(code))") }
            if Self.accepts(port: port) { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw FjordTestError("memcached did not listen on \(port) within 20 s")
    }

    /// Stops the process and waits for it. SIGKILL: a child may inherit the test runner's blocked SIGTERM, and a
    /// cache has nothing to save.
    func stop() {
        process?.stopBlocking(signal: SIGKILL)
    }

    deinit { stop() }

    /// True when a TCP connect to 127.0.0.1:`port` succeeds.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
