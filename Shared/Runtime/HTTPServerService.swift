public import FjordConfig
public import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle

/// The HTTP listener of every Fjord process: Hummingbird's HTTP/1.1 server with the configured idle, header, read and
/// write timeouts, and TLS when `server.http_tls_config` names a certificate (re-read every `auth.reload_interval`; new
/// connections use the newest valid pair).
public struct HTTPServerService<Context: RequestContext>: Service where Context.Source == ApplicationRequestContextSource {
    let application: Application<RouterResponder<Context>>
    let tls: WatchedFiles<NIOSSLContext>?
    let reloadIntervalNanos: Int64
    let logger: Logger

    /// Builds the server; throws for unusable TLS files (the message names the option and the file).
    public init(router: Router<Context>, config: FjordConfiguration, logger: Logger, serverName: String = "fjord",
                onRunning: @escaping @Sendable (_ host: String, _ port: Int) -> Void) throws {
        let tls = try HTTPTLS.watcher(certPath: config.server.httpTLSCertFile, keyPath: config.server.httpTLSKeyFile)
        let http1 = Self.http1Configuration(config)
        let builder = HTTPServerBuilder { responder in
            let channel = HTTP1Channel(responder: responder, configuration: http1)
            guard let tls else { return channel }
            return ReloadingTLSChannel(base: channel, contexts: tls)
        }
        try self.init(router: router, builder: builder, tls: tls, config: config, logger: logger,
                      serverName: serverName, onRunning: onRunning)
    }

    /// A server whose requests may also upgrade to WebSocket: `webSocketRouter` decides (its routes added with
    /// `ws(_:shouldUpgrade:onUpgrade:)`); other requests go to `router`. The WebSocket library's auto-ping is off:
    /// it closes a connection (1001 `Ping timeout`) as soon as one pong is a period late, which cut off live tails
    /// of clients that stalled for a second or two; handlers ping themselves (the live tail every second, as Loki,
    /// without a pong deadline). Before the upgrade decision the first request's head must arrive within
    /// `server.http_server_read_header_timeout`, and a malformed one gets a 400, as for plain HTTP
    /// (``FirstRequestGuardChannel``).
    public init(router: Router<Context>, webSocketRouter: Router<Context>, config: FjordConfiguration, logger: Logger,
                serverName: String = "fjord",
                onRunning: @escaping @Sendable (_ host: String, _ port: Int) -> Void) throws
    where Context: WebSocketRequestContext {
        let tls = try HTTPTLS.watcher(certPath: config.server.httpTLSCertFile, keyPath: config.server.httpTLSKeyFile)
        let http1 = Self.http1Configuration(config)
        let responder = webSocketRouter.buildResponder()
        let headerTimeout = TimeAmount.nanoseconds(config.server.httpReadHeaderTimeoutNanos)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: http1,
            ws: WebSocketServerConfiguration(maxFrameSize: 1 << 20, autoPing: .disabled))
        let builder = HTTPServerBuilder { httpResponder in
            let channel = FirstRequestGuardChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: httpResponder, webSocketResponder: responder,
                                                   configuration: configuration),
                timeout: headerTimeout)
            guard let tls else { return channel }
            return ReloadingTLSChannel(base: channel, contexts: tls)
        }
        try self.init(router: router, builder: builder, tls: tls, config: config, logger: logger,
                      serverName: serverName, onRunning: onRunning)
    }

    private static func http1Configuration(_ config: FjordConfiguration) -> HTTP1Channel.Configuration {
        let server = config.server
        let headerTimeout = TimeAmount.nanoseconds(server.httpReadHeaderTimeoutNanos)
        let readTimeout = TimeAmount.nanoseconds(server.httpReadTimeoutNanos)
        let writeTimeout = TimeAmount.nanoseconds(server.httpWriteTimeoutNanos)
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestTimeoutHandler(headerTimeout: headerTimeout, readTimeout: readTimeout,
                                                              writeTimeout: writeTimeout)],
            idleTimeout: idleTimeout(server))
    }

    /// Go's rule, which Loki follows: an idle timeout of 0 falls back to the read timeout; both 0 means none.
    private static func idleTimeout(_ server: FjordConfiguration.Server) -> TimeAmount? {
        let nanos = server.httpIdleTimeoutNanos > 0 ? server.httpIdleTimeoutNanos : server.httpReadTimeoutNanos
        return nanos > 0 ? .nanoseconds(nanos) : nil
    }

    private init(router: Router<Context>, builder: HTTPServerBuilder, tls: WatchedFiles<NIOSSLContext>?,
                 config: FjordConfiguration, logger: Logger, serverName: String,
                 onRunning: @escaping @Sendable (_ host: String, _ port: Int) -> Void) throws {
        let server = config.server
        let host = server.httpListenAddress.isEmpty ? "0.0.0.0" : server.httpListenAddress
        application = Application(
            router: router, server: builder,
            configuration: .init(address: .hostname(host, port: server.httpListenPort), serverName: serverName),
            onServerRunning: { channel in onRunning(host, channel.localAddress?.port ?? server.httpListenPort) },
            logger: logger)
        self.tls = tls
        reloadIntervalNanos = config.auth.reloadIntervalNanos
        self.logger = logger
    }

    /// Whether the listener speaks TLS.
    public var isTLS: Bool { tls != nil }

    public func run() async throws {
        guard let tls else {
            try await application.run()
            return
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [logger, reloadIntervalNanos] in
                try await PeriodicService(intervalNanos: reloadIntervalNanos) {
                    switch tls.reload() {
                    case .unchanged: break
                    case .updated: logger.info("HTTP TLS certificate reloaded", metadata: ["cert_file": "\(tls.paths[0])"])
                    case .rejected(let problem):
                        logger.error("HTTP TLS certificate change rejected; keeping the previous one",
                                     metadata: ["error": "\(problem)"])
                    }
                }.run()
            }
            try await application.run()
            group.cancelAll()
        }
    }
}
