import FjordStorage

/// Decides whether a compactor may act given the lock object's content. Pure.
enum CompactorLockDecision {
    /// True when `owner` may take or keep the lock at `now`: no lock, an expired one, or its own.
    static func mayAcquire(_ record: CompactorLockRecord?, owner: String, now: Int64) -> Bool {
        guard let record else { return true }
        return record.owner == owner || record.expiresAt <= now
    }
}

/// The lock object (`compactor.lock`) that lets one compactor act at a time: an owner and an expiry, renewed while
/// the owner works. Object stores have no compare-and-swap, so acquiring writes the record and reads it back after a
/// short pause: of two compactors racing, the later write wins and the other sees it and steps back. A crashed
/// owner's lock expires after the TTL; the same owner (same instance ID) takes it back at once after a restart.
struct CompactorLock: Sendable {
    let objects: any ObjectStore
    let owner: String
    let ttl: Int64
    let settleNanos: UInt64

    /// Takes or renews the lock; false when another compactor holds it.
    func acquire(now: Int64) async throws -> Bool {
        guard CompactorLockDecision.mayAcquire(try await read(), owner: owner, now: now) else { return false }
        try await objects.put(CompactionJournal.lockKey,
                              try CompactionJournal.encode(CompactorLockRecord(owner: owner, expiresAt: now + ttl)))
        if settleNanos > 0 { try await Task.sleep(nanoseconds: settleNanos) }
        return try await read()?.owner == owner
    }

    /// Removes the lock if this compactor holds it.
    func release() async throws {
        if try await read()?.owner == owner { try await objects.delete(CompactionJournal.lockKey) }
    }

    private func read() async throws -> CompactorLockRecord? {
        do {
            let bytes = try await objects.get(CompactionJournal.lockKey)
            return try? CompactionJournal.decode(CompactorLockRecord.self, bytes, key: CompactionJournal.lockKey)
        } catch let error as ObjectStoreError where error.kind == .notFound {
            return nil
        }
    }
}
