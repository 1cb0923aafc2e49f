public import FjordWire
public import Logging
public import ServiceLifecycle

/// Runs a bound ``WireServer`` as a lifecycle service: serves until graceful shutdown, then stops accepting and lets
/// in-flight requests finish.
public struct WireServerService: Service {
    let server: WireServer
    let logger: Logger

    public init(server: WireServer, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    public func run() async throws {
        logger.info("wire listening", metadata: ["port": "\(server.localPort ?? 0)", "role": "\(server.configuration.role)"])
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}

/// Runs `body` every `intervalNanos` until graceful shutdown (for reloading the membership file, periodic work).
public struct PeriodicService: Service {
    let intervalNanos: Int64
    let body: @Sendable () async -> Void

    public init(intervalNanos: Int64, body: @escaping @Sendable () async -> Void) {
        self.intervalNanos = intervalNanos
        self.body = body
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(nanoseconds: UInt64(max(1_000_000, intervalNanos)))
                }
            } catch {
                return
            }
            await body()
        }
    }
}
