public import FjordModel
public import FjordStorage
public import Logging
import Metrics

/// Where the compactor gets the delete requests due for processing and reports the ones it applied (the delete
/// request store; nil when deletion is off).
public protocol DeleteRequestSource: Sendable {
    /// Requests of `tenant` to apply now (past their cancellation window), and the filter that finds their lines.
    func due(tenant: String, now: Int64) async throws -> (requests: [DeletePlanInput], filter: any DeleteLineFilter)
    /// Marks requests processed.
    func markProcessed(tenant: String, ids: [String], now: Int64) async throws
    /// Tenants that have delete requests (so tenants without index data are still visited).
    func tenants() async throws -> [String]
}

/// Totals of one ``Compactor/runOnce(now:)``.
public struct CompactionSummary: Sendable, Hashable {
    /// False when another compactor held the lock.
    public var acted = true
    public var tenantsChanged = 0
    public var recoveredJobs = 0
    public var result = TenantCompactionResult()
    public var chunksSwept = 0

    public init() {}
}

/// The compactor: per tenant, merges index segments and small chunks, applies retention and delete requests, and
/// sweeps replaced chunks after `retention_delete_delay`. One compactor acts at a time (a lock object in the store).
/// Every decision is made by the pure ``CompactionPlanner`` with the time passed in.
public final class Compactor: Sendable {
    public let store: ChunkStore
    let planner: CompactionPlanner
    let rewriter: ChunkRewriter
    let logger: Logger
    /// A tenant's retention, or nil when retention is off.
    let retention: @Sendable (String) -> RetentionPolicy?
    let deletes: (any DeleteRequestSource)?
    let deleteDelay: Int64
    let lock: CompactorLock

    public init(store: ChunkStore, planner: CompactionPlanner = CompactionPlanner(), rewriter: ChunkRewriter = ChunkRewriter(),
                logger: Logger, retention: @escaping @Sendable (String) -> RetentionPolicy? = { _ in nil },
                deletes: (any DeleteRequestSource)? = nil, deleteDelay: Int64 = 2 * 3600 * 1_000_000_000,
                lockOwner: String = "fjord-compactor", lockTTL: Int64 = 300_000_000_000, lockSettleNanos: UInt64 = 0) {
        self.store = store
        self.planner = planner
        self.rewriter = rewriter
        self.logger = logger
        self.retention = retention
        self.deletes = deletes
        self.deleteDelay = deleteDelay
        self.lock = CompactorLock(objects: store.objects, owner: lockOwner, ttl: lockTTL, settleNanos: lockSettleNanos)
    }

    /// One pass over every tenant at time `now` (Unix ns).
    @discardableResult
    public func runOnce(now: Int64) async throws -> CompactionSummary {
        var summary = CompactionSummary()
        guard try await lock.acquire(now: now) else {
            logger.debug("another compactor holds the lock")
            summary.acted = false
            return summary
        }
        for tenant in try await tenants() {
            guard try await lock.acquire(now: now) else {
                summary.acted = false
                return summary
            }
            let pass = TenantCompaction(store: store, tenant: tenant, planner: planner, rewriter: rewriter, logger: logger)
            let deletes = self.deletes
            let markProcessed: ([String]) async throws -> Void = { ids in
                try await deletes?.markProcessed(tenant: tenant, ids: ids, now: now)
            }
            if try await pass.recover(now: now, markProcessed: markProcessed) { summary.recoveredJobs += 1 }
            let due = try await deletes?.due(tenant: tenant, now: now)
            let result = try await pass.run(retention: retention(tenant), deletes: due?.requests ?? [], filter: due?.filter,
                                            now: now, markProcessed: markProcessed)
            if result != TenantCompactionResult() {
                summary.tenantsChanged += 1
                logger.info("tenant compacted", metadata: [
                    "tenant.id": "\(tenant)", "segments.removed": "\(result.segmentsRemoved)",
                    "chunks.written": "\(result.chunksWritten)", "chunks.removed": "\(result.chunksRemoved)",
                    "chunks.expired": "\(result.expiredChunks)", "deletes.completed": "\(result.deletesCompleted.count)",
                ])
            }
            summary.result.add(result)
            summary.chunksSwept += try await pass.sweep(now: now, delay: deleteDelay)
        }
        try await lock.release()
        Counter(label: "loki_compactor_chunks_written_total").increment(by: summary.result.chunksWritten)
        Counter(label: "loki_compactor_chunks_swept_total").increment(by: summary.chunksSwept)
        Counter(label: "loki_compactor_expired_chunks_total").increment(by: summary.result.expiredChunks)
        return summary
    }

    /// Tenants with index data, compactor records or delete requests.
    func tenants() async throws -> [String] {
        var names = Set<String>()
        for key in try await store.objects.list(prefix: "").map(\.key) {
            let parts = key.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            if parts.count == 3, parts[1] == "index" || parts[1] == "compactor" { names.insert(String(parts[0])) }
        }
        for tenant in try await deletes?.tenants() ?? [] { names.insert(tenant) }
        return names.sorted()
    }
}

extension TenantCompactionResult {
    mutating func add(_ other: TenantCompactionResult) {
        segmentsRemoved += other.segmentsRemoved
        segmentsWritten += other.segmentsWritten
        chunksRemoved += other.chunksRemoved
        chunksWritten += other.chunksWritten
        expiredChunks += other.expiredChunks
        sourceBytes += other.sourceBytes
        writtenBytes += other.writtenBytes
        deletesCompleted += other.deletesCompleted
    }
}
