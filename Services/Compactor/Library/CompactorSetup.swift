public import FjordConfig
import FjordLogQL
import FjordModel
public import FjordStorage
public import Logging

extension RetentionPolicy {
    /// A tenant's retention from its limits (`retention_period`, `retention_stream`). Rules whose selector does not
    /// parse are reported by ``Compactor/validateRetention(_:)`` at start-up and skipped here.
    public init(limits: FjordConfiguration.Limits) {
        self.init(period: limits.retentionPeriodNanos, streams: limits.retentionStream.compactMap { rule in
            guard let matchers = try? LogQLParser.parseMatchers(rule.selector, validate: true) else { return nil }
            return StreamRetentionRule(matchers: matchers, priority: rule.priority, period: rule.periodNanos)
        })
    }
}

extension Compactor {
    /// A compactor configured from `compactor:`, `ingester:` (chunk sizes) and the tenants' limits; `limits`
    /// returns a tenant's limits after runtime overrides.
    public static func make(config: FjordConfiguration, store: ChunkStore, logger: Logger,
                            limits: @escaping @Sendable (String) -> FjordConfiguration.Limits,
                            deletes: (any DeleteRequestSource)? = nil, lockOwner: String) -> Compactor {
        let enabled = config.compactor.retentionEnabled
        return Compactor(
            store: store,
            planner: CompactionPlanner(targetChunkSize: config.ingester.chunkTargetSize,
                                       mergeChunks: config.compactor.mergeSmallChunks),
            rewriter: ChunkRewriter(blockSize: config.ingester.chunkBlockSize,
                                    targetChunkSize: config.ingester.chunkTargetSize,
                                    compressionLevel: Int32(config.ingester.chunkCompressionLevel)),
            logger: logger,
            retention: { tenant in enabled ? RetentionPolicy(limits: limits(tenant)) : nil },
            deletes: enabled ? deletes : nil,
            deleteDelay: config.compactor.retentionDeleteDelayNanos,
            lockOwner: lockOwner, lockTTL: config.compactor.lockTTLNanos)
    }

    /// Problems with `retention_stream` selectors, for start-up.
    public static func validateRetention(_ limits: FjordConfiguration.Limits) -> String? {
        for rule in limits.retentionStream {
            do {
                _ = try LogQLParser.parseMatchers(rule.selector, validate: true)
            } catch {
                return "limits_config.retention_stream: invalid selector \(rule.selector): \(error)"
            }
        }
        return nil
    }
}
