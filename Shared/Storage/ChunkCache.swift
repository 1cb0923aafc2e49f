/// A bounded cache of decoded chunks keyed by object key, shared by concurrent queries: a chunk being fetched is
/// fetched once and every waiter gets it; beyond `capacityBytes` the least recently used chunks are dropped.
actor ChunkCache {
    let capacityBytes: Int
    private var entries: [String: (chunk: DecodedChunk, size: Int, lastUse: UInt64)] = [:]
    private var inFlight: [String: Task<DecodedChunk, any Error>] = [:]
    private var totalBytes = 0
    private var clock: UInt64 = 0

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Bytes of cached chunk files.
    var cachedBytes: Int { totalBytes }

    /// The cached chunk for `key`, or the result of `load` (a decoded chunk and its file size), cached.
    func chunk(_ key: String, load: @escaping @Sendable () async throws -> (DecodedChunk, Int)) async throws -> DecodedChunk {
        clock += 1
        if let entry = entries[key] {
            entries[key] = (entry.chunk, entry.size, clock)
            return entry.chunk
        }
        if let pending = inFlight[key] { return try await pending.value }
        let task = Task { () async throws -> DecodedChunk in
            let (chunk, size) = try await load()
            self.store(key, chunk, size)
            return chunk
        }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        return try await task.value
    }

    private func store(_ key: String, _ chunk: DecodedChunk, _ size: Int) {
        guard size <= capacityBytes else { return }
        clock += 1
        if let old = entries[key] { totalBytes -= old.size }
        entries[key] = (chunk, size, clock)
        totalBytes += size
        while totalBytes > capacityBytes,
              let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            totalBytes -= oldest.value.size
            entries.removeValue(forKey: oldest.key)
        }
    }
}
