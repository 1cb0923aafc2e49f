public import NIOCore
public import NIOHTTP1
import NIOPosix
import NIOSSL

/// A parsed `http://` or `https://` URL for outgoing requests.
public struct OutboundURL: Sendable, Hashable, CustomStringConvertible {
    public var isTLS: Bool
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String

    /// Parses `scheme://host[:port][/path]`; nil for anything else (user info is not supported).
    public init?(_ text: String) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("http://") {
            isTLS = false
            rest = text.dropFirst(7)
        } else if lower.hasPrefix("https://") {
            isTLS = true
            rest = text.dropFirst(8)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        path = rest.dropFirst(authority.count).isEmpty ? "/" : String(rest.dropFirst(authority.count))
        if !path.hasPrefix("/") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = isTLS ? 443 : 80
            } else {
                guard after.hasPrefix(":"), let value = Int(after.dropFirst()), (1...65535).contains(value) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else { return nil }
            port = value
        } else {
            host = String(authority)
            port = isTLS ? 443 : 80
        }
        guard !host.isEmpty else { return nil }
    }

    /// This URL with `suffix` appended to its path (`/api/v2/alerts`), without doubling the slash.
    public func appendingPath(_ suffix: String) -> OutboundURL {
        var copy = self
        copy.path = (path.hasSuffix("/") ? String(path.dropLast()) : path) + suffix
        return copy
    }

    public var description: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return (isTLS ? "https://" : "http://") + bracketed + ":\(port)" + path
    }
}

/// An HTTP request that got no answer: connection refused, timed out, TLS failure or a broken response.
public struct OutboundHTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A response to an outgoing request.
public struct OutboundResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// TLS settings of outgoing requests (Prometheus' `tls_config`): a CA bundle instead of the system trust store, a
/// client certificate, the name the server's certificate must show, or no verification at all.
public struct OutboundTLSOptions: Sendable, Hashable {
    public var caFile: String
    public var certFile: String
    public var keyFile: String
    public var serverName: String
    public var insecureSkipVerify: Bool

    public init(caFile: String = "", certFile: String = "", keyFile: String = "", serverName: String = "",
                insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.serverName = serverName
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// A small HTTP/1.1 client on SwiftNIO for outgoing calls (the ruler's Alertmanager and remote-write, the agent's
/// pushes): one connection per request (`Connection: close`), an overall deadline, optional TLS with the system
/// trust store or given files. The calls are few (one per batch), so connection reuse is not worth a pool.
public struct OutboundHTTP: Sendable {
    let group: any EventLoopGroup
    let tlsContext: NIOSSLContext?
    let serverName: String
    let userAgent: String

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, userAgent: String = "fjord-ruler") {
        self.group = group
        tlsContext = try? NIOSSLContext(configuration: .makeClientConfiguration())
        serverName = ""
        self.userAgent = userAgent
    }

    /// A client with explicit TLS settings; throws when a certificate or key file cannot be loaded.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, tls: OutboundTLSOptions,
                userAgent: String) throws(OutboundHTTPError) {
        self.group = group
        self.userAgent = userAgent
        serverName = tls.serverName
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if !tls.caFile.isEmpty {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.caFile))
            }
            if !tls.certFile.isEmpty {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(tls.certFile).map { .certificate($0) }
            }
            if !tls.keyFile.isEmpty {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: tls.keyFile, format: .pem))
            }
            if tls.insecureSkipVerify { configuration.certificateVerification = .none }
            tlsContext = try NIOSSLContext(configuration: configuration)
        } catch {
            throw OutboundHTTPError("tls_config: \(error)")
        }
    }

    /// Sends one request and returns the status and body.
    public func send(_ method: HTTPMethod, _ url: OutboundURL, headers: [(String, String)] = [], body: [UInt8] = [],
                     timeout: TimeAmount) async throws(OutboundHTTPError) -> OutboundResponse {
        let loop = group.next()
        let promise = loop.makePromise(of: OutboundResponse.self)
        let tlsContext = self.tlsContext
        let serverName = self.serverName
        if url.isTLS, tlsContext == nil { throw OutboundHTTPError("\(url): TLS is not available") }
        let deadline = loop.scheduleTask(in: timeout) {
            promise.fail(OutboundHTTPError("\(url): no answer within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if url.isTLS, let tlsContext {
                        let name = serverName.isEmpty ? url.host : serverName
                        let handler = try NIOSSLClientHandler(
                            context: tlsContext, serverHostname: name.first?.isNumber == true || name.contains(":") ? nil : name)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            deadline.cancel()
            promise.fail(error)
            throw OutboundHTTPError("\(url): \(error)")
        }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: url.path)
        head.headers.add(name: "Host", value: url.host.contains(":") ? "[\(url.host)]:\(url.port)" : "\(url.host):\(url.port)")
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "User-Agent", value: userAgent)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        do {
            let response = try await promise.futureResult.get()
            deadline.cancel()
            channel.close(promise: nil)
            return response
        } catch {
            deadline.cancel()
            channel.close(promise: nil)
            if let error = error as? OutboundHTTPError { throw error }
            throw OutboundHTTPError("\(url): \(error)")
        }
    }
}

/// Collects one HTTP response and completes the promise (or fails it when the connection ends first).
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<OutboundResponse>
    private var status = 0
    private var body: [UInt8] = []
    private var done = false

    init(promise: EventLoopPromise<OutboundResponse>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            if body.count < 1 << 20, let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard !done else { return }
            done = true
            promise.succeed(OutboundResponse(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(OutboundHTTPError("connection closed before a complete response"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }
}
