public import FjordStorage
public import Logging
import Metrics
public import ServiceLifecycle

/// The compactor role: merges each tenant's per-period index segments into one, so queries read one index file per
/// table instead of one per flush. (Retention and deletes arrive with their own issue.)
public final class Compactor: Sendable {
    let store: ChunkStore
    let planner: CompactionPlanner
    let logger: Logger

    public init(store: ChunkStore, planner: CompactionPlanner = CompactionPlanner(), logger: Logger) {
        self.store = store
        self.planner = planner
        self.logger = logger
    }

    /// One compaction pass. Returns the number of tables compacted.
    @discardableResult
    public func runOnce() async throws -> Int {
        let keys = try await store.objects.list(prefix: "").map(\.key)
        let tables = planner.tablesToCompact(keys: keys, segmentExtension: IndexSegment.fileExtension)
        var compacted = 0
        for table in tables {
            let merged = try await store.compactIndex(tenant: table.tenant, period: table.period)
            if merged > 0 {
                compacted += 1
                logger.debug("index table compacted", metadata: [
                    "tenant.id": "\(table.tenant)", "index.period": "\(table.period)", "index.segments": "\(merged)",
                ])
            }
        }
        Counter(label: "loki_compactor_tables_compacted_total").increment(by: compacted)
        return compacted
    }
}

/// Runs ``Compactor/runOnce()`` every `interval` until graceful shutdown.
public struct CompactorService: Service {
    let compactor: Compactor
    let intervalNanos: Int64

    public init(compactor: Compactor, intervalNanos: Int64) {
        self.compactor = compactor
        self.intervalNanos = intervalNanos
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
            do {
                try await compactor.runOnce()
            } catch {
                compactor.logger.error("compaction failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }
}
