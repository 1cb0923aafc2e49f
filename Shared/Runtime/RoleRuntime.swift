public import FjordAuth
public import FjordConfig
import FjordLokiAPI
public import FjordWire
import Foundation
public import Hummingbird
public import Logging
import Metrics
import NIOCore
public import Prometheus
public import ServiceLifecycle

/// What every Fjord executable does around its role: read the configuration from the command line, set up logging
/// and Prometheus metrics, serve the operational HTTP endpoints, and build wire-protocol settings (with optional
/// mutual TLS) from the configuration. Roles put their own services in the `ServiceGroup` it runs.
public enum RoleRuntime {
    /// Parses the command line. Prints and exits for `-help`, `-config.docs`, `-version`, `-verify-config` and
    /// configuration errors (exit status 1 with the error on stderr). `role` forces `target` for `fjord-<role>`.
    public static func loadConfiguration(program: String, role: String?, version: String) -> FjordConfiguration {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let role { arguments.insert("-target=\(role)", at: 0) }
        let loaded: LoadedConfiguration
        do {
            loaded = try ConfigLoader.load(arguments: arguments, environment: ProcessInfo.processInfo.environment) { path in
                try String(contentsOfFile: path, encoding: .utf8)
            }
        } catch {
            FileHandle.standardError.write(Data("\(program): \(error)\n".utf8))
            exit(1)
        }
        if loaded.helpRequested {
            print(GoFlags.usage(program: program))
            exit(0)
        }
        if loaded.docsRequested {
            print(ConfigDocs.markdown(), terminator: "")
            exit(0)
        }
        if loaded.versionRequested {
            print("\(program) \(version)")
            exit(0)
        }
        if let role, loaded.config.target != role {
            FileHandle.standardError.write(Data("\(program): -target must be \(role) for this executable\n".utf8))
            exit(1)
        }
        if loaded.verifyOnly {
            if let problem = startupProblem(loaded.config) {
                FileHandle.standardError.write(Data("\(program): \(problem)\n".utf8))
                exit(1)
            }
            print("\(program): configuration is valid")
            exit(0)
        }
        if let problem = startupProblem(loaded.config) {
            FileHandle.standardError.write(Data("\(program): \(problem)\n".utf8))
            exit(1)
        }
        if loaded.printConfig {
            FileHandle.standardError.write(Data(ConfigLoader.render(loaded.config).utf8))
        }
        return loaded.config
    }

    /// What a configuration lacks, checked before start-up (and by `-verify-config`): the security settings
    /// (``SecurityChecks``), and for cluster roles the membership file and internal TLS files.
    static func startupProblem(_ config: FjordConfiguration) -> String? {
        if let problem = SecurityChecks.problem(config) { return problem }
        if config.server.internalTLSEnabled {
            for (key, path) in [("server.internal_tls_cert_file", config.server.internalTLSCertFile),
                                ("server.internal_tls_key_file", config.server.internalTLSKeyFile),
                                ("server.internal_tls_ca_file", config.server.internalTLSCAFile)] {
                if path.isEmpty { return "\(key) is required when server.internal_tls_enabled is true" }
                if !FileManager.default.isReadableFile(atPath: path) { return "\(key): cannot read \(path)" }
            }
        }
        guard ["gateway", "querier", "ruler"].contains(config.target) || !config.ring.membershipFile.isEmpty else {
            return nil
        }
        if config.ring.membershipFile.isEmpty {
            return "ring.membership_file is required for the \(config.target) role (see docs/ring.md)"
        }
        do {
            _ = try MembershipFile.load(config)
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// Logging to stderr at the configured level, and Prometheus metrics. Returns the role's logger and the registry
    /// behind `/metrics`.
    public static func bootstrap(_ config: FjordConfiguration, label: String) -> (Logger, PrometheusCollectorRegistry) {
        bootstrap(logLevel: config.server.logLevel, label: label)
    }

    /// ``bootstrap(_:label:)`` for processes with their own configuration (`fjord-agent`): `logLevel` is Loki's
    /// `debug`, `info`, `warn` or `error`.
    public static func bootstrap(logLevel: String, label: String) -> (Logger, PrometheusCollectorRegistry) {
        let level = Logger.Level(rawValue: logLevel == "warn" ? "warning" : logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return (Logger(label: label), registry)
    }

    /// The operational HTTP server of a cluster role: `/ready`, `/metrics`, `/config`, plus `routes`. With an
    /// `authenticator` (a role serving tenant data, like the ruler) every route but `/ready` needs credentials and
    /// `/metrics` and `/config` an admin credential.
    public static func operationsServer(
        config: FjordConfiguration, registry: PrometheusCollectorRegistry, logger: Logger,
        readiness: @escaping @Sendable () async -> String?, authenticator: Authenticator? = nil,
        routes: (Router<APIRequestContext>) -> Void = { _ in }
    ) throws -> some Service {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AuthMiddleware(authenticator: authenticator))
        let admin = TenantResolver(config: config, authenticated: authenticator != nil)
        router.get("/ready") { _, _ in
            respond(MetadataResponseEncoder.encodeReady(notReadyReason: await readiness()))
        }
        router.get("/metrics") { _, context in
            try admin.requireAdmin(context.credential)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/config") { request, context in
            try admin.requireAdmin(context.credential)
            let diffs = request.uri.queryParameters["mode"] == "diffs"
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: ConfigLoader.render(config, onlyChanged: diffs))))
        }
        routes(router)
        return try httpApplication(router: router, config: config, logger: logger)
    }

    /// The HTTP server of a role on the configured address (TLS and timeouts from `server:`).
    public static func httpApplication<Context: RequestContext>(router: Router<Context>, config: FjordConfiguration,
                                                               logger: Logger) throws -> HTTPServerService<Context>
        where Context.Source == ApplicationRequestContextSource
    {
        try HTTPServerService(router: router, config: config, logger: logger) { host, port in
            logger.info("HTTP listening", metadata: [
                "address": "\(host):\(port)", "role": "\(config.target)",
                "tls": "\(!config.server.httpTLSCertFile.isEmpty)",
            ])
        }
    }

    static func respond(_ body: EncodedBody) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = body.contentType
        return Response(status: .init(code: body.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    /// Internal TLS settings, or nil when disabled.
    public static func tls(_ config: FjordConfiguration) -> WireTLSConfiguration? {
        guard config.server.internalTLSEnabled else { return nil }
        return WireTLSConfiguration(certificatePath: config.server.internalTLSCertFile,
                                    privateKeyPath: config.server.internalTLSKeyFile,
                                    caPath: config.server.internalTLSCAFile)
    }

    /// The internal listener's settings for `role`.
    public static func wireServerConfiguration(_ config: FjordConfiguration, role: String, node: String) -> WireServerConfiguration {
        let host = config.server.internalListenAddress.isEmpty ? "0.0.0.0" : config.server.internalListenAddress
        return WireServerConfiguration(host: host, port: config.server.internalListenPort, role: role, node: node,
                                       tls: tls(config))
    }

    /// Outgoing wire connections' settings for a process of `role`.
    public static func wireClientConfiguration(_ config: FjordConfiguration, role: String, node: String) -> WireClientConfiguration {
        WireClientConfiguration(role: role, node: node, tls: tls(config))
    }

    /// A name for this process in logs and hellos: `ring.instance_id` or the host name.
    public static func nodeName(_ config: FjordConfiguration) -> String {
        config.ring.instanceID.isEmpty ? ProcessInfo.processInfo.hostName : config.ring.instanceID
    }
}
