import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny in-process HTTP server for the self-test: answers pushes (the first one with 429 to exercise retries),
/// query_range with a canned answer, and records what it received.
final class SelfTestServer: Sendable {
    let state: SelfTestState
    private let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }

    static func start(group: any EventLoopGroup) async throws -> SelfTestServer {
        let state = SelfTestState()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(SelfTestHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SelfTestServer(channel: channel, state: state)
    }

    private init(channel: any Channel, state: SelfTestState) {
        self.channel = channel
        self.state = state
    }

    func stop() async { try? await channel.close().get() }
}

/// What the self-test server received, and the responses it chooses.
final class SelfTestState: Sendable {
    struct Received: Sendable {
        var pushBodies: [[UInt8]] = []
        var pushContentTypes: [String] = []
        var queries: [String] = []
        var tenants: [String] = []
        var pushAttempts = 0
    }

    private let received = Mutex(Received())

    var snapshot: Received { received.withLock { $0 } }

    /// The response to one request.
    func respond(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8]) -> (Int, String) {
        received.withLock { state in
            if let tenant = headers.first(name: "X-Scope-OrgID") { state.tenants.append(tenant) }
            if uri.hasPrefix("/loki/api/v1/push") {
                state.pushAttempts += 1
                if state.pushAttempts == 1 { return (429, "too many requests") }
                state.pushBodies.append(body)
                state.pushContentTypes.append(headers.first(name: "Content-Type") ?? "")
                return (204, "")
            }
            if uri.hasPrefix("/loki/api/v1/query_range") {
                state.queries.append(uri)
                if uri.contains("unsupported") { return (400, "parse error : unsupported") }
                return (200, #"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"b"},"values":[["1","Traceback x"],["2","Traceback y"]]}]}}"#)
            }
            if uri == "/ready" { return (200, "ready") }
            return (404, "404 page not found")
        }
    }
}

/// Collects one request and writes the ``SelfTestServer``'s response (keep-alive).
private final class SelfTestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: SelfTestState
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(state: SelfTestState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll()
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let requestHead = head else { return }
            let (status, text) = state.respond(method: requestHead.method, uri: requestHead.uri,
                                                headers: requestHead.headers, body: body)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(text.utf8.count))
            let responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status),
                                                headers: headers)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
