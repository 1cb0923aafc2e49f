public import FjordConfig
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import NIOSSL
public import ServiceLifecycle

/// The HTTP listener of every Fjord process: Hummingbird's HTTP/1.1 server with the configured idle, header and read
/// timeouts, and TLS when `server.http_tls_config` names a certificate (re-read every `auth.reload_interval`; new
/// connections use the newest valid pair).
public struct HTTPServerService<Context: RequestContext>: Service where Context.Source == ApplicationRequestContextSource {
    let application: Application<RouterResponder<Context>>
    let tls: WatchedFiles<NIOSSLContext>?
    let reloadIntervalNanos: Int64
    let logger: Logger

    /// Builds the server; throws for unusable TLS files (the message names the option and the file).
    public init(router: Router<Context>, config: FjordConfiguration, logger: Logger, serverName: String = "fjord",
                onRunning: @escaping @Sendable (_ host: String, _ port: Int) -> Void) throws {
        let server = config.server
        let host = server.httpListenAddress.isEmpty ? "0.0.0.0" : server.httpListenAddress
        let tls = try HTTPTLS.watcher(certPath: server.httpTLSCertFile, keyPath: server.httpTLSKeyFile)
        let headerTimeout = TimeAmount.nanoseconds(server.httpReadHeaderTimeoutNanos)
        let readTimeout = TimeAmount.nanoseconds(server.httpReadTimeoutNanos)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestTimeoutHandler(headerTimeout: headerTimeout, readTimeout: readTimeout)],
            idleTimeout: .nanoseconds(server.httpIdleTimeoutNanos))
        let builder = HTTPServerBuilder { responder in
            let channel = HTTP1Channel(responder: responder, configuration: http1)
            guard let tls else { return channel }
            return ReloadingTLSChannel(base: channel, contexts: tls)
        }
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
