import FjordCompactor
import FjordModel
import FjordStorage
import Foundation
import Logging
import Synchronization
import Testing

/// An object store that fails every mutation after `budget` of them: a crash at that point of a compaction.
final class CrashingObjectStore: ObjectStore {
    let inner: any ObjectStore
    let budget = Mutex<Int>(Int.max)

    init(_ inner: any ObjectStore) { self.inner = inner }

    struct Crash: Error {}

    func crash(after mutations: Int) { budget.withLock { $0 = mutations } }

    private func spend() throws {
        try budget.withLock { remaining in
            guard remaining > 0 else { throw Crash() }
            remaining -= 1
        }
    }

    func put(_ key: String, _ data: [UInt8]) async throws { try spend(); try await inner.put(key, data) }
    func get(_ key: String) async throws -> [UInt8] { try await inner.get(key) }
    func get(_ key: String, range: Range<Int>) async throws -> [UInt8] { try await inner.get(key, range: range) }
    func list(prefix: String) async throws -> [ObjectInfo] { try await inner.list(prefix: prefix) }
    func delete(_ key: String) async throws { try spend(); try await inner.delete(key) }
    func exists(_ key: String) async throws -> Bool { try await inner.exists(key) }
}

@Suite struct CompactorStoreTests {
    static let day: Int64 = 24 * 3_600_000_000_000
    static let base: Int64 = 1_795_316_400_000_000_000

    /// Writes `flushes` small chunks for each of two streams, like an ingester flushing often, plus one chunk written
    /// twice with overlapping entries (two replicas that cut differently).
    static func seed(_ store: ChunkStore, tenant: String = "t", at start: Int64 = base, flushes: Int = 6) async throws {
        for flush in 0..<flushes {
            for app in ["a", "b"] {
                var batch = EntryBatch()
                for line in 0..<20 {
                    let ts = start + Int64(flush) * 60_000_000_000 + Int64(line) * 1_000_000
                    batch.append(timestamp: ts, line: Array("app=\(app) flush=\(flush) line=\(line) id=\(ts)".utf8))
                }
                let labels = Labels(["app": app])
                try await store.writeChunks(tenant: tenant, [(labels, EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(batch)]))])
            }
        }
        var replica = EntryBatch()
        for line in 10..<20 {
            let ts = start + Int64(line) * 1_000_000
            replica.append(timestamp: ts, line: Array("app=a flush=0 line=\(line) id=\(ts)".utf8))
        }
        let labels = Labels(["app": "a"])
        try await store.writeChunks(tenant: tenant, [(labels, EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(replica)]))])
    }

    /// Every entry a query over all time returns, as text lines in query order.
    static func everything(_ store: ChunkStore, tenant: String = "t") async throws -> [String] {
        var lines: [String] = []
        let streams = try await store.select(tenant: tenant, matchers: [try LabelMatcher(name: "app", kind: .regexMatch, value: ".+")],
                                             start: .min / 2, end: .max / 2)
        for stream in streams {
            var cursor = StreamCursor(blocks: stream.blocks, start: .min / 2, end: .max / 2, direction: .forward)
            let batch = try await cursor.collect()
            for index in 0..<batch.count {
                lines.append("\(stream.labels) \(batch.timestamps[index]) \(batch.lineString(index))")
            }
        }
        return lines
    }

    static func compactor(_ store: ChunkStore, retention: RetentionPolicy? = nil, delay: Int64 = 0,
                          owner: String = "test") -> Compactor {
        Compactor(store: store, planner: CompactionPlanner(targetChunkSize: 64 << 10), rewriter: ChunkRewriter(blockSize: 4096, targetChunkSize: 64 << 10),
                  logger: Logger(label: "test"), retention: { _ in retention }, deleteDelay: delay, lockOwner: owner)
    }

    @Test func mergingKeepsEveryEntryOnceAndLeavesFewerObjects() async throws {
        let objects = MemoryObjectStore()
        let store = ChunkStore(objects: objects)
        try await Self.seed(store)
        let before = try await Self.everything(store)
        let objectsBefore = try await objects.list(prefix: "t/").count
        #expect(before.count == 2 * 6 * 20)
        let compactor = Self.compactor(store)
        let summary = try await compactor.runOnce(now: Self.base)
        #expect(summary.result.chunksWritten == 2)
        #expect(try await Self.everything(store) == before)
        // Sweep (delay 0) on the next pass removes the replaced chunks.
        let second = try await compactor.runOnce(now: Self.base + 1)
        #expect(summary.chunksSwept + second.chunksSwept == 13)
        #expect(second.result == TenantCompactionResult())
        #expect(try await Self.everything(store) == before)
        let keys = try await objects.list(prefix: "t/").map(\.key)
        #expect(keys.filter { $0.contains("/chunks/") }.count == 2)
        #expect(keys.filter { $0.hasSuffix(".fidx") }.count == 1)
        #expect(keys.count < objectsBefore)
    }

    /// The object stores the retention test runs over here; S3 (a moto process) is in
    /// ``CompactorRetentionIntegrationTests``.
    enum LocalStore: String, CaseIterable, Sendable { case memory, filesystem }

    @Test(arguments: LocalStore.allCases)
    func retentionWithAFakeClockRemovesOldDataOnly(_ kind: LocalStore) async throws {
        switch kind {
        case .memory:
            try await Self.retentionRemovesOldDataOnly(MemoryObjectStore())
        case .filesystem:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-compactor-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await Self.retentionRemovesOldDataOnly(try FilesystemObjectStore(root: directory))
        }
    }

    /// Retention with a fake clock over `objects`: data older than the period disappears from queries at once and from
    /// the store (chunks and index) after the delete delay; data inside the period is untouched.
    static func retentionRemovesOldDataOnly(_ objects: any ObjectStore) async throws {
        let store = ChunkStore(objects: objects)
        let now = Self.base
        let old = now - 40 * Self.day
        try await Self.seed(store, at: old, flushes: 2)
        let oldKeys = Set(try await objects.list(prefix: "t/chunks/").map(\.key))
        #expect(oldKeys.count == 5)
        try await Self.seed(store, at: now - Self.day, flushes: 2)
        let cutoff = now - 30 * Self.day
        let recent = try await Self.everything(store).filter { line in
            (Int64(line.split(separator: " ")[1]) ?? 0) >= cutoff
        }
        #expect(try await Self.indexedChunkKeys(store).isSuperset(of: oldKeys))
        let delay: Int64 = 2 * 3_600_000_000_000
        let compactor = Self.compactor(store, retention: RetentionPolicy(period: 30 * Self.day), delay: delay)
        let summary = try await compactor.runOnce(now: now)
        #expect(summary.result.expiredChunks == 5)
        let after = try await Self.everything(store)
        #expect(after == recent)
        #expect(after.count == 2 * 2 * 20)
        // Before the delete delay the old objects are still there; after it they are gone.
        #expect(try await objects.list(prefix: "t/chunks/").map(\.key).filter(oldKeys.contains).count == oldKeys.count)
        try await compactor.runOnce(now: now + delay)
        #expect(try await objects.list(prefix: "t/chunks/").map(\.key).filter(oldKeys.contains).isEmpty)
        #expect(try await objects.list(prefix: "t/index/").allSatisfy { !$0.key.contains("index_\(IndexPeriods().period(of: old))/") })
        #expect(try await Self.everything(store) == after)
        // The index no longer lists the expired chunks, for this reader and a fresh one (another querier).
        for reader in [store, ChunkStore(objects: objects)] {
            #expect(try await Self.indexedChunkKeys(reader).isDisjoint(with: oldKeys))
            let oldRange = try await reader.select(tenant: "t", matchers: [try LabelMatcher(name: "app", kind: .regexMatch, value: ".+")],
                                                   start: old - Self.day, end: cutoff)
            #expect(oldRange.allSatisfy { $0.blocks.isEmpty })
            #expect(try await Self.everything(reader) == recent)
        }
    }

    /// The chunk keys a query over all time would read, straight from the index (no chunk fetched).
    static func indexedChunkKeys(_ store: ChunkStore, tenant: String = "t") async throws -> Set<String> {
        let streams = try await store.select(tenant: tenant, matchers: [try LabelMatcher(name: "app", kind: .regexMatch, value: ".+")],
                                             start: .min / 2, end: .max / 2)
        return Set(streams.flatMap { $0.blocks.compactMap { ($0 as? StoredBlock)?.key } })
    }

    @Test func aCrashAtAnyStepLosesNothingAndARerunCompletes() async throws {
        var step = 0
        var crashed = true
        while crashed {
            let memory = MemoryObjectStore()
            let crashing = CrashingObjectStore(memory)
            let store = ChunkStore(objects: crashing)
            try await Self.seed(store)
            let before = try await Self.everything(store)
            crashing.crash(after: step)
            do {
                try await Self.compactor(store).runOnce(now: Self.base)
                crashed = false
            } catch is CrashingObjectStore.Crash {
                crashed = true
            }
            crashing.crash(after: .max)
            // A fresh reader (another querier) and the crashed one both see exactly the old entries.
            #expect(try await Self.everything(ChunkStore(objects: memory)) == before, "after a crash at mutation \(step)")
            #expect(try await Self.everything(store) == before, "after a crash at mutation \(step)")
            let rerun = try await Self.compactor(store).runOnce(now: Self.base + 1)
            #expect(rerun.acted)
            try await Self.compactor(store).runOnce(now: Self.base + 2)
            #expect(try await Self.everything(ChunkStore(objects: memory)) == before, "after the rerun of crash \(step)")
            let keys = try await memory.list(prefix: "t/").map(\.key)
            #expect(keys.filter { $0.contains("/chunks/") }.count == 2, "crash \(step): \(keys)")
            #expect(keys.filter { $0.hasSuffix(".fidx") }.count == 1, "crash \(step)")
            #expect(!keys.contains { $0.contains("/compactor/") }, "crash \(step): \(keys)")
            step += 1
        }
        #expect(step > 10)
    }

    @Test func anotherOwnersLiveLockStopsACompactor() async throws {
        let store = ChunkStore(objects: MemoryObjectStore())
        try await Self.seed(store, flushes: 2)
        let first = Compactor(store: store, logger: Logger(label: "a"), lockOwner: "a", lockTTL: 1000)
        let second = Compactor(store: store, logger: Logger(label: "b"), lockOwner: "b", lockTTL: 1000)
        // "a" crashed while holding the lock: write its record as it would have.
        try await store.objects.put("compactor.lock", Array(#"{"expiresAt":1500,"owner":"a"}"#.utf8))
        #expect(try await !second.runOnce(now: 1000).acted)
        #expect(try await second.runOnce(now: 1500).acted)
        #expect(try await !store.objects.exists("compactor.lock"))
        #expect(try await first.runOnce(now: 1600).acted)
    }
}
