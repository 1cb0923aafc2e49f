public import FjordConfig
public import FjordRuntime
public import Hummingbird
public import Logging
public import ServiceLifecycle

/// The gateway's HTTP side as lifecycle services, shared by `fjord-gateway` and the all-in-one `fjord`: the HTTP
/// server (TLS, timeouts) with Loki's API behind authentication, and the watcher that re-reads the credentials file.
public enum GatewayHTTP {
    /// Builds the services; `routes` adds more routes to the router (the all-in-one's ruler API). Throws for
    /// unusable TLS or credentials files (a start-up error).
    public static func services(_ deps: GatewayDependencies, config: FjordConfiguration, logger: Logger,
                                listening message: String = "HTTP listening", metadata: Logger.Metadata = [:],
                                routes: (Router<APIRequestContext>) -> Void = { _ in }) throws -> [any Service] {
        var deps = deps
        let (authenticator, services) = try APIAuthentication.make(config, logger: logger)
        deps.authenticator = authenticator
        let router = GatewayRoutes.makeRouter(deps)
        routes(router)
        let http = try HTTPServerService(router: router, webSocketRouter: GatewayRoutes.makeWebSocketRouter(deps),
                                         config: config, logger: logger) { host, port in
            var metadata = metadata
            metadata["address"] = "\(host):\(port)"
            metadata["tls"] = "\(!config.server.httpTLSCertFile.isEmpty)"
            metadata["authentication"] = "\(APIAuthentication.mode(config))"
            logger.info("\(message)", metadata: metadata)
        }
        if !http.isTLS {
            logger.warning("the HTTP API is plain HTTP (server.http_allow_insecure): credentials and logs cross the network unencrypted")
        }
        return services + [http]
    }
}
