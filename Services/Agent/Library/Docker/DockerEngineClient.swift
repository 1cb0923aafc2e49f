import NIOCore
import NIOHTTP1
import NIOPosix

/// A failed Docker Engine API call.
public struct DockerAPIError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One piece of a streamed Docker response.
public enum DockerResponsePart: Sendable {
    case head(status: Int)
    case body([UInt8])
}

/// A minimal HTTP/1.1 client for the Docker Engine API over its unix socket (SwiftNIO): JSON calls collected whole,
/// and streamed responses (`/containers/{id}/logs?follow=1`) as an async sequence of body chunks.
public struct DockerEngineClient: Sendable {
    public let socketPath: String
    let group: any EventLoopGroup

    public init(socketPath: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.socketPath = socketPath
        self.group = group
    }

    /// Starts a GET of `path` (with query) and streams the answer; the stream ends when Docker closes it.
    public func stream(_ path: String) async throws -> AsyncThrowingStream<DockerResponsePart, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: DockerResponsePart.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(DockerStreamHandler(continuation: continuation))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(unixDomainSocketPath: socketPath).get()
        } catch {
            throw DockerAPIError("cannot connect to the Docker socket \(socketPath): \(error)")
        }
        continuation.onTermination = { _ in channel.close(promise: nil) }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "docker")
        head.headers.add(name: "User-Agent", value: "fjord-agent")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return stream
    }

    /// GETs `path` and returns the status and the whole body (at most 64 MiB).
    public func get(_ path: String) async throws -> (status: Int, body: [UInt8]) {
        var status = 0
        var body: [UInt8] = []
        for try await part in try await stream(path) {
            switch part {
            case .head(let code): status = code
            case .body(let bytes):
                body += bytes
                if body.count > 64 << 20 { throw DockerAPIError("\(path): answer too large") }
            }
        }
        return (status, body)
    }

    /// GETs `path` and parses the JSON answer; non-2xx answers are errors with Docker's message.
    public func getJSON(_ path: String) async throws -> JSONValue {
        let (status, body) = try await get(path)
        guard (200..<300).contains(status) else {
            let message = (try? JSONParser.parse(body))?["message"]?.stringValue ?? String(decoding: body.prefix(256), as: UTF8.self)
            throw DockerAPIError("GET \(path): \(status) \(message)")
        }
        return try JSONParser.parse(body)
    }
}

/// Forwards an HTTP response into an `AsyncThrowingStream`.
final class DockerStreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    let continuation: AsyncThrowingStream<DockerResponsePart, any Error>.Continuation

    init(continuation: AsyncThrowingStream<DockerResponsePart, any Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            continuation.yield(.head(status: Int(head.status.code)))
        case .body(var buffer):
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { continuation.yield(.body(bytes)) }
        case .end:
            continuation.finish()
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }
}
