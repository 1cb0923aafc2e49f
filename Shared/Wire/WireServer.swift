import FjordServiceAPI
public import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// The server side of the wire protocol: accepts connections from other roles, checks their hello, and answers
/// requests by calling a ``WireHandler``.
///
/// Per connection, up to `maxConcurrentRequestsPerConnection` requests run at once (each in its own child task);
/// the next request is read from the socket only when one finishes, so a busy server pushes back through TCP.
/// Streamed answers wait for the channel to be writable. A request past its deadline is answered with a
/// `timeout` error frame and its handler is cancelled; a client's `cancel` frame cancels the handler silently.
///
/// Use: `let server = try await WireServer.bind(configuration: …, handler: …)`, then `try await server.run()` in
/// a task (a service's `run()`). ``shutdown()`` drains gracefully: it stops accepting connections and reading new
/// requests, lets the requests in flight finish, then closes each connection and `run()` returns. Cancelling
/// `run()` stops at once (handlers are cancelled). With swift-service-lifecycle:
/// `try await withGracefulShutdownHandler { try await server.run() } onGracefulShutdown: { server.shutdown() }`.
public final class WireServer: Sendable {
    public let configuration: WireServerConfiguration
    let handler: any WireHandler
    private let listener: NIOAsyncChannel<NIOAsyncChannel<WireFrame, WireFrame>, Never>
    private let quiescing: ServerQuiescingHelper

    private init(configuration: WireServerConfiguration, handler: any WireHandler,
                 listener: NIOAsyncChannel<NIOAsyncChannel<WireFrame, WireFrame>, Never>, quiescing: ServerQuiescingHelper) {
        self.configuration = configuration
        self.handler = handler
        self.listener = listener
        self.quiescing = quiescing
    }

    /// Binds the listening socket (so ``localPort`` is known) without serving yet.
    public static func bind(configuration: WireServerConfiguration, handler: any WireHandler,
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> WireServer {
        let tls = try configuration.tls?.makeServerContext()
        let maxFrameBytes = configuration.maxFrameBytes
        let hello = WireHello(role: configuration.role, node: configuration.node, maxFrameBytes: configuration.maxFrameBytes)
        let quiescing = ServerQuiescingHelper(group: eventLoopGroup)
        let listener = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(WireFrameDecoder(maxFrameBytes: maxFrameBytes)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(WireFrameEncoder()))
                    try channel.pipeline.syncOperations.addHandler(WireServerHelloHandler(
                        hello: hello, acceptedClientRoles: configuration.acceptedClientRoles,
                        timeout: .nanoseconds(configuration.handshakeTimeout.nanoseconds)))
                    try channel.pipeline.syncOperations.addHandler(WireDrainHandler())
                    return try NIOAsyncChannel<WireFrame, WireFrame>(wrappingChannelSynchronously: channel)
                }
            }
        return WireServer(configuration: configuration, handler: handler, listener: listener, quiescing: quiescing)
    }

    /// The bound port (useful with port 0).
    public var localPort: Int? { listener.channel.localAddress?.port }

    /// Serves connections until ``shutdown()`` or cancellation; returns after every connection has ended.
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await listener.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask {
                            let session = WireServerConnection(server: self, connection: connection)
                            await session.run()
                        }
                    }
                }
            }
        } onCancel: {
            listener.channel.close(promise: nil)
        }
    }

    /// Drains: stops accepting connections and reading requests; ``run()`` returns once the requests in flight
    /// have been answered and every connection is closed.
    public func shutdown() {
        quiescing.initiateShutdown(promise: nil)
    }

    /// Maps anything a handler or decoder throws to the error frame a client receives.
    static func wireError(_ error: any Error) -> WireError {
        switch error {
        case let wire as WireError: return wire
        case let service as ServiceError: return WireError(service)
        case is CancellationError: return WireError(.cancelled, "the request was cancelled")
        default: return WireError(.internalError, String(describing: error))
        }
    }
}
