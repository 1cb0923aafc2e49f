import Foundation
import Logging
import ServiceLifecycle

/// The agent at work: the positions keeper, one ``PushClient`` per `clients:` entry and the source loops of every
/// scrape config. On shutdown the sources stop first (flushing what their pipelines hold), then the clients send
/// what is queued, then the positions file is written a last time.
public final class Agent: Service, Sendable {
    public let config: AgentConfig
    public let positions: PositionsKeeper
    public let clients: [PushClient]
    public let registry = TargetRegistry()
    let context: SourceContext
    let logger: Logger

    public init(config: AgentConfig, logger: Logger,
                clock: @escaping @Sendable () -> Int64 = { Agent.wallClock() }) throws(AgentConfigError) {
        self.config = config
        self.logger = logger
        positions = try PositionsKeeper(config: config.positions, consumers: config.clients.count, logger: logger)
        var clients: [PushClient] = []
        for client in config.clients {
            clients.append(try PushClient(config: client, positions: positions, logger: logger, clock: clock))
        }
        self.clients = clients
        context = SourceContext(router: EntryRouter(clients: clients, positions: positions), positions: positions,
                                registry: registry, clock: clock, logger: logger, pollNanos: config.minPollNanos,
                                partialLineTimeoutNanos: config.partialLineTimeoutNanos)
    }

    public static func wallClock() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    public func run() async throws {
        let clientTasks = clients.map { client in Task { await client.run() } }
        let positions = self.positions
        let clock = context.clock
        let syncPeriod = max(100_000_000, min(config.positions.syncPeriodNanos, 1_000_000_000))
        let syncTask = Task {
            while await pause(syncPeriod) { await positions.sync(now: clock()) }
        }
        let sources = Task { await self.runSources() }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await sources.value
            } onGracefulShutdown: {
                sources.cancel()
            }
        } onCancel: {
            sources.cancel()
        }
        logger.info("sources stopped; sending what is queued")
        for client in clients { await client.stop() }
        for task in clientTasks { await task.value }
        syncTask.cancel()
        await positions.sync(now: clock(), force: true)
        logger.info("fjord-agent stopped")
    }

    /// Runs every scrape config's sources until cancelled.
    func runSources() async {
        await withTaskGroup(of: Void.self) { group in
            for scrape in config.scrapeConfigs {
                if !scrape.staticConfigs.isEmpty {
                    let manager = FileTargetManager(scrape: scrape, syncPeriodNanos: config.targetSyncPeriodNanos,
                                                    context: context)
                    group.addTask { await manager.run() }
                }
                for docker in scrape.dockerSDConfigs {
                    let discovery = DockerDiscovery(scrape: scrape, config: docker, context: context)
                    group.addTask { await discovery.run() }
                }
                if let journal = scrape.journal {
                    let target = JournalTarget(scrape: scrape, config: journal, context: context)
                    group.addTask { await target.run() }
                }
            }
            await group.waitForAll()
        }
    }
}
