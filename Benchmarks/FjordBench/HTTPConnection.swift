import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP request as the benchmark sends it.
struct BenchRequest: Sendable {
    var method: HTTPMethod
    /// Path and query, e.g. `/loki/api/v1/query_range?query=...`.
    var uri: String
    var headers: [(String, String)] = []
    var body: [UInt8]? = nil
}

/// An HTTP response: status and the whole body.
struct BenchResponse: Sendable {
    let status: Int
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why an exchange failed without a response.
struct HTTPConnectionError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// One keep-alive HTTP/1.1 connection on SwiftNIO that sends one request at a time (no pipelining).
final class HTTPConnection: Sendable {
    private let channel: any Channel
    let host: String
    let port: Int

    private init(channel: any Channel, host: String, port: Int) {
        self.channel = channel
        self.host = host
        self.port = port
    }

    static func connect(group: any EventLoopGroup, host: String, port: Int) async throws -> HTTPConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler(host: "\(host):\(port)"))
                }
            }
            .connect(host: host, port: port).get()
        return HTTPConnection(channel: channel, host: host, port: port)
    }

    var isActive: Bool { channel.isActive }

    /// Sends `request` and waits for the whole response; the connection is closed when `timeout` passes first.
    func send(_ request: BenchRequest, timeout: TimeAmount) async throws -> BenchResponse {
        let promise = channel.eventLoop.makePromise(of: BenchResponse.self)
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        channel.writeAndFlush(Exchange(request: request, promise: promise)).whenFailure { error in
            promise.fail(error)
        }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// A request paired with the promise its response completes.
private struct Exchange: Sendable {
    let request: BenchRequest
    let promise: EventLoopPromise<BenchResponse>
}

/// Encodes an ``Exchange``'s request and completes its promise with the response that follows.
private final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private var pending: EventLoopPromise<BenchResponse>?
    private var status = 0
    private var body: [UInt8] = []

    init(host: String) { self.host = host }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.promise.fail(HTTPConnectionError(message: "a request is already in flight on this connection"))
            promise?.fail(HTTPConnectionError(message: "busy"))
            return
        }
        pending = exchange.promise
        status = 0
        body.removeAll(keepingCapacity: true)
        let request = exchange.request
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "User-Agent", value: "fjord-bench")
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(request.body?.count ?? 0))
        let head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.uri, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let bytes = request.body, !bytes.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body.append(contentsOf: bytes) }
        case .end:
            let response = BenchResponse(status: status, body: body)
            let promise = pending
            pending = nil
            promise?.succeed(response)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(HTTPConnectionError(message: "connection error: \(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPConnectionError(message: "connection closed before the response was complete (or timed out)"))
        context.fireChannelInactive()
    }

    private func fail(_ error: HTTPConnectionError) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
