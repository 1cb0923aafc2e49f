import AsyncHTTPClient
import FjordTestSupport
import Foundation
import NIOCore
import NIOHTTP1
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `fjord` process (or one role's executable, `fjord-ingester`, …) started by a test on a free 127.0.0.1
/// port, stopped by PID.
final class FjordProcess: @unchecked Sendable {
    let port: Int
    let dataDirectory: URL
    let extraArguments: [String]
    /// The executable's name beside ``binary`` (`fjord`, `fjord-ingester`, …).
    let executable: String
    private(set) var process: ChildProcess?
    private let logURL: URL

    /// The built `fjord` executable: `$FJORD_BIN`, or `.build/debug/fjord` next to the package root.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FJORD_BIN"] { return URL(fileURLWithPath: path) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [".build/debug/fjord", ".build/x86_64-unknown-linux-gnu/debug/fjord", ".build/aarch64-unknown-linux-gnu/debug/fjord"] {
            let url = root.appendingPathComponent(candidate)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/fjord")
    }

    /// A fresh temporary data directory.
    static func makeDataDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Flags put before the test's own: ``insecureDefaults`` unless the test asks for none.
    let defaultArguments: [String]
    /// The CA of the HTTP listener's certificate when it speaks TLS: `/ready` is then polled with curl over HTTPS.
    let tlsCA: String?

    init(dataDirectory: URL, port: Int? = nil, arguments: [String] = [], executable: String = "fjord",
         defaults: [String] = FjordProcess.insecureDefaults, tlsCA: String? = nil) throws {
        self.dataDirectory = dataDirectory
        self.port = try port ?? FjordProcess.freePort()
        extraArguments = arguments
        defaultArguments = defaults
        self.tlsCA = tlsCA
        self.executable = executable
        logURL = dataDirectory.appendingPathComponent("\(executable)-\(UUID().uuidString.prefix(8)).log")
    }

    var baseURL: String { "\(tlsCA == nil ? "http" : "https")://127.0.0.1:\(port)" }

    /// A `fjord-ingester` (not started) that is the only member of its membership file, with its wire port.
    static func singleIngester(directory: URL, extra: [String] = []) throws -> (FjordProcess, Int) {
        let wirePort = try FjordProcess.freePort()
        let members = directory.appendingPathComponent("members.yaml")
        try "ingesters:\n  - id: ingester-1\n    address: 127.0.0.1:\(wirePort)\n".write(to: members, atomically: true, encoding: .utf8)
        let ingester = try FjordProcess(dataDirectory: directory, arguments: [
            "-server.internal-listen-address=127.0.0.1", "-server.internal-listen-port=\(wirePort)",
            "-local.chunk-directory=\(directory.path)/store", "-ring.membership-file=\(members.path)",
            "-ring.replication-factor=1", "-ring.instance-id=ingester-1",
        ] + extra, executable: "fjord-ingester")
        return (ingester, wirePort)
    }

    /// Whether the started process is still running.
    var isRunning: Bool { process?.isRunning ?? false }

    /// What tests get unless they pass their own security flags: plain HTTP on loopback and `X-Scope-OrgID` taken as
    /// sent (Loki's model). Fjord refuses to start without TLS or authentication unless told so explicitly
    /// (docs/security.md); later flags win, so a test's `-auth.credentials-file` or TLS flags take over.
    static let insecureDefaults = ["-server.http-allow-insecure", "-auth.trust-org-id-header"]

    /// Starts the process and waits until `/ready` answers 200.
    func start() async throws {
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let process = try ChildProcess(
            FjordProcess.binary.deletingLastPathComponent().appendingPathComponent(executable).path,
            ["-server.http-listen-address=127.0.0.1", "-server.http-listen-port=\(port)",
             "-common.path-prefix=\(dataDirectory.path)/data"] + defaultArguments + extraArguments,
            output: .file(logURL.path))
        self.process = process
        let deadline = Date().addingTimeInterval(90)
        while Date() < deadline {
            if let code = process.exitCode { throw FjordTestError("\(executable) exited early (\(code)):\n\(self.log)") }
            if let tlsCA {
                let url = baseURL + "/ready"
                if (try? await OffPool.run { try Curl.request("GET", url, caFile: tlsCA) })?.status == 200 { return }
            } else if let (status, _) = try? await HTTP.request("GET", baseURL + "/ready"), status == 200 {
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw FjordTestError("\(executable) did not become ready within 90 s:\n\(self.log)")
    }

    /// Stops the process: SIGTERM (graceful) or SIGKILL (crash), and waits for it to exit (SIGKILL after 30 s).
    /// Blocks the calling thread for that long at most (a graceful stop takes well under a second).
    func stop(kill: Bool = false) {
        process?.stopBlocking(signal: kill ? SIGKILL : SIGTERM)
    }

    /// The process's output so far.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    deinit { stop(kill: true) }

    /// A port nobody uses right now, chosen at random below the kernel's ephemeral range (32768 and up): `bind(0)`
    /// and outgoing connections elsewhere only take ephemeral ports, so a process restarted on this port (crash
    /// tests) finds it still free.
    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_768)
            if canBind(port) { return port }
        }
        throw FjordTestError("no free port in 20000-32767")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        } == 0
    }
}

struct FjordTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A minimal HTTP client for tests (127.0.0.1 only). AsyncHTTPClient rather than URLSession: Foundation's
/// URLSession on Linux was seen to leave a request pending for good in a loaded full test run, and every call here
/// has a hard deadline so a server that stops answering fails the test instead of hanging the run.
enum HTTP {
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        return configuration
    }())

    /// How long one request may take in all, answer included.
    static let deadline: TimeAmount = .seconds(90)

    @discardableResult
    static func request(
        _ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> (Int, Data) {
        guard let target = URL(string: url), target.host == "127.0.0.1" else { throw FjordTestError("tests only talk to 127.0.0.1: \(url)") }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, deadline: .now() + deadline)
        let bytes = try await response.body.collect(upTo: 1 << 30)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }

    /// Sends a prepared `URLRequest` (method, URL, headers, body) through the same client.
    static func send(_ urlRequest: URLRequest) async throws -> (Int, Data) {
        guard let url = urlRequest.url?.absoluteString else { throw FjordTestError("request without a URL") }
        return try await request(urlRequest.httpMethod ?? "GET", url, headers: urlRequest.allHTTPHeaderFields ?? [:],
                                 body: urlRequest.httpBody)
    }

    /// GET with URL-encoded query parameters.
    static func get(_ base: String, _ path: String, _ parameters: [(String, String)], tenant: String? = nil) async throws -> (Int, Data) {
        var components = URLComponents(string: base + path)!
        components.percentEncodedQuery = parameters.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        var headers: [String: String] = [:]
        if let tenant { headers["X-Scope-OrgID"] = tenant }
        return try await request("GET", components.url!.absoluteString, headers: headers)
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func json(_ data: Data) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FjordTestError("not a JSON object: \(String(decoding: data, as: UTF8.self))")
        }
        return object
    }
}
