import FjordModel
import FjordStorage
import FjordWAL
import Logging

extension Ingester {
    /// One flush cycle: pick chunks per the flush policy (all with `force`), write them to the store per tenant,
    /// confirm them in memory, log flush marks to the WAL and remove WAL segments no stream needs any more.
    /// Chunks whose write fails stay in memory (closed) and are retried by the next cycle.
    public func flushCycle(force: Bool) async throws {
        try await flushLock.run {
            try await flushCycleLocked(force: force)
        }
    }

    private func flushCycleLocked(force: Bool) async throws {
        let now = WallClock.nowNanos()
        var written: [[FlushJob]] = Array(repeating: [], count: shards.count)
        var firstError: (any Error)?
        for (index, shard) in shards.enumerated() {
            let jobs = await shard.collectFlushes(now: now, force: force)
            guard !jobs.isEmpty else { continue }
            let byTenant = Dictionary(grouping: jobs, by: \.tenant)
            for (tenant, tenantJobs) in byTenant {
                for batch in tenantJobs.chunked(by: max(1, options.concurrentFlushes * 4)) {
                    do {
                        try await sink.writeChunks(tenant: tenant, chunks: batch.map { ($0.labels, $0.chunk) })
                        written[index].append(contentsOf: batch)
                        for job in batch { metrics.chunksFlushed(reason: job.reason).increment() }
                    } catch {
                        logger.error("chunk flush failed; will retry", metadata: [
                            "tenant.id": "\(tenant)", "chunks": "\(batch.count)", "error": "\(error)",
                        ])
                        firstError = firstError ?? error
                    }
                }
            }
        }
        var marksByTenant: [String: [WALFlushMark]] = [:]
        for (index, shard) in shards.enumerated() where !written[index].isEmpty {
            let (marks, deltas) = await shard.completeFlushes(written[index], now: now)
            for (tenant, tenantMarks) in marks { marksByTenant[tenant, default: []].append(contentsOf: tenantMarks) }
            for (tenant, delta) in deltas { streamLimit.adjust(tenant: tenant, by: delta) }
        }
        metrics.streams.record(streamLimit.snapshot.values.reduce(0, +))
        if let wal {
            var last: WALTicket?
            for (tenant, marks) in marksByTenant where !marks.isEmpty {
                last = try wal.append(.flush(WALFlushRecord(tenant: tenant, marks: marks)))
            }
            if let last { try await wal.durable(last) }
            var current = wal.currentSegment
            var oldest = current
            for shard in shards { oldest = min(oldest, await shard.removableBefore(currentSegment: current)) }
            if force, oldest == current {
                // Everything logged is in the store: start a fresh segment so the old one can go too. Pins are
                // read again after the rotation, so an append that raced into the old segment keeps it.
                current = try await wal.rotate()
                oldest = current
                for shard in shards { oldest = min(oldest, await shard.removableBefore(currentSegment: current)) }
            }
            let removed = try wal.removeSegments(before: oldest)
            if oldest == current, force { wal.releaseUnusedSpace() }
            if removed.files > 0 {
                logger.debug("WAL segments removed", metadata: ["wal.files": "\(removed.files)", "wal.bytes": "\(removed.bytes)"])
            }
            metrics.walDiskBytes.record(wal.stats.diskBytes)
        }
        if let firstError { throw firstError }
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
