import FjordLokiAPI
import FjordRuntime
import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

/// The `fjord-agent` process: command line, logging, metrics, the ops HTTP server (`/ready`, `/metrics`,
/// `/targets`) and the ``Agent``.
public enum AgentRole {
    /// The command line, Promtail's flags that matter for a shipper.
    public struct Options: Sendable {
        public var configFile = ""
        public var expandEnv = false
        public var checkSyntax = false
        public var printConfig = false
        public var httpListenPort: Int?
        public var httpListenAddress: String?
        public var positionsFile: String?
        public var logLevel: String?
        public var version = false
        public var help = false
    }

    public static let usage = """
        Usage: fjord-agent -config.file=FILE [flags]
          -config.file string          the YAML configuration (Promtail's layout, docs/agent.md)
          -config.expand-env           expand ${VAR} and ${VAR:-default} in the configuration
          -check-syntax                check the configuration and exit
          -print-config-stderr         print the parsed client and scrape settings to stderr at start
          -server.http-listen-port int     overrides server.http_listen_port
          -server.http-listen-address str  overrides server.http_listen_address
          -positions.file string       overrides positions.filename
          -log.level string            overrides server.log_level (debug, info, warn, error)
          -version                     print the version and exit
        """

    public static func parseArguments(_ arguments: [String]) throws(AgentConfigError) -> Options {
        var options = Options()
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else { throw AgentConfigError("unexpected argument \(argument)") }
            argument = String(argument.drop { $0 == "-" })
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                value = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            func required() throws(AgentConfigError) -> String {
                if let value { return value }
                guard index < arguments.count else { throw AgentConfigError("flag -\(argument) needs a value") }
                index += 1
                return arguments[index - 1]
            }
            func flag() throws(AgentConfigError) -> Bool {
                guard let value else { return true }
                guard let parsed = Bool(value) else { throw AgentConfigError("flag -\(argument): invalid boolean \(value)") }
                return parsed
            }
            switch argument {
            case "config.file": options.configFile = try required()
            case "config.expand-env": options.expandEnv = try flag()
            case "check-syntax": options.checkSyntax = try flag()
            case "print-config-stderr": options.printConfig = try flag()
            case "server.http-listen-port":
                let text = try required()
                guard let port = Int(text) else { throw AgentConfigError("flag -server.http-listen-port: invalid port \(text)") }
                options.httpListenPort = port
            case "server.http-listen-address": options.httpListenAddress = try required()
            case "positions.file": options.positionsFile = try required()
            case "log.level": options.logLevel = try required()
            case "version": options.version = try flag()
            case "h", "help": options.help = true
            default: throw AgentConfigError("flag provided but not defined: -\(argument)")
            }
        }
        return options
    }

    /// Reads the configuration file and applies the command-line overrides.
    public static func loadConfig(_ options: Options) throws(AgentConfigError) -> AgentConfig {
        guard !options.configFile.isEmpty else { throw AgentConfigError("-config.file is required") }
        let text: String
        do {
            text = try String(contentsOfFile: options.configFile, encoding: .utf8)
        } catch {
            throw AgentConfigError("cannot read \(options.configFile): \(error.localizedDescription)")
        }
        var config = try AgentConfigParser.parse(
            text, environment: options.expandEnv ? ProcessInfo.processInfo.environment : nil)
        if let port = options.httpListenPort { config.server.httpListenPort = port }
        if let address = options.httpListenAddress { config.server.httpListenAddress = address }
        if let positions = options.positionsFile { config.positions.filename = positions }
        if let level = options.logLevel { config.server.logLevel = level }
        return config
    }

    /// The process: parse, check, run until SIGTERM/SIGINT.
    public static func main(version: String) async {
        let options: Options
        let config: AgentConfig
        do {
            options = try parseArguments(Array(CommandLine.arguments.dropFirst()))
            if options.help {
                print(usage)
                exit(0)
            }
            if options.version {
                print("fjord-agent \(version)")
                exit(0)
            }
            config = try loadConfig(options)
        } catch {
            FileHandle.standardError.write(Data("fjord-agent: \(error)\n".utf8))
            exit(1)
        }
        if options.checkSyntax {
            print("fjord-agent: configuration is valid")
            exit(0)
        }
        if options.printConfig {
            FileHandle.standardError.write(Data(describe(config).utf8))
        }
        let (logger, registry) = RoleRuntime.bootstrap(logLevel: config.server.logLevel, label: "fjord.agent")
        do {
            let agent = try Agent(config: config, logger: logger)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: agent)]
            if !config.server.disable {
                services.append(.init(service: operationsServer(config: config, agent: agent, registry: registry,
                                                                logger: logger)))
            }
            logger.info("fjord-agent starting", metadata: [
                "version": "\(version)", "clients": "\(config.clients.count)",
                "scrape_configs": "\(config.scrapeConfigs.count)", "positions": "\(config.positions.filename)",
            ])
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                          logger: logger))
            try await group.run()
        } catch {
            FileHandle.standardError.write(Data("fjord-agent: \(error)\n".utf8))
            exit(1)
        }
    }

    /// A summary of the parsed configuration (`-print-config-stderr`).
    static func describe(_ config: AgentConfig) -> String {
        var text = "clients:\n"
        for client in config.clients { text += "  - url: \(client.url) tenant_id: \(client.tenantID)\n" }
        text += "positions: \(config.positions.filename)\nscrape_configs:\n"
        for scrape in config.scrapeConfigs {
            text += "  - job_name: \(scrape.jobName) stages: \(scrape.pipelineStages.map(\.name).joined(separator: ","))\n"
        }
        return text
    }

    /// `/ready`, `/metrics`, `/targets`.
    static func operationsServer(config: AgentConfig, agent: Agent, registry: PrometheusCollectorRegistry,
                                 logger: Logger) -> some Service {
        let router = Router(context: BasicRequestContext.self)
        router.get("/ready") { _, _ in
            text(MetadataResponseEncoder.encodeReady(notReadyReason: nil))
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/targets") { _, _ in
            let targets = await agent.registry.snapshot()
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: targetsJSON(targets))))
        }
        let host = config.server.httpListenAddress.isEmpty ? "0.0.0.0" : config.server.httpListenAddress
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: config.server.httpListenPort), serverName: "fjord-agent"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? config.server.httpListenPort
                logger.info("HTTP listening", metadata: ["address": "\(host):\(port)"])
            },
            logger: logger)
    }

    static func text(_ body: EncodedBody) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = body.contentType
        return Response(status: .init(code: body.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    /// `/targets` as JSON: `[{"job":…,"kind":…,"name":…,"labels":{…},"state":…,"details":{…}}]`.
    public static func targetsJSON(_ targets: [TargetInfo]) -> String {
        func object(_ map: [String: String]) -> JSONValue {
            .object(map.keys.sorted().map { ($0, .string(map[$0] ?? "")) })
        }
        return JSONValue.array(targets.map { target in
            .object([
                ("job", .string(target.job)), ("kind", .string(target.kind)), ("name", .string(target.name)),
                ("labels", object(target.labels)), ("state", .string(target.state)), ("details", object(target.details)),
            ])
        }).json
    }
}
