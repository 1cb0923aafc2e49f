public import ServiceLifecycle

/// Runs the ingester's flush loop until graceful shutdown, then shuts the ingester down (flush if configured,
/// close the WAL). Place it before the HTTP server in the `ServiceGroup` so the server stops taking pushes first.
public struct IngesterService: Service {
    let ingester: Ingester

    public init(ingester: Ingester) { self.ingester = ingester }

    public func run() async throws {
        let period = UInt64(max(1_000_000, ingester.options.flushCheckPeriodNanos))
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(nanoseconds: period)
                }
            } catch {
                break
            }
            do {
                try await ingester.flushCycle(force: false)
            } catch {
                ingester.logger.error("flush cycle failed", metadata: ["error": "\(error)"])
            }
        }
        await ingester.shutdown()
    }
}
