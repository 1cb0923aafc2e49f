import FjordModel

/// A block held in memory; decoding without lines drops the line bytes like a storage block would.
public struct MemoryBlock: EntryBlock {
    public let batch: EntryBatch

    public init(batch: EntryBatch) { self.batch = batch }

    public var minTime: Int64 { batch.timestamps.first ?? 0 }
    public var maxTime: Int64 { batch.timestamps.last ?? 0 }
    public var entryCount: Int { batch.count }

    public func decode(_ content: BlockContent) async throws -> EntryBatch {
        switch content {
        case .full, .fullIfContaining:
            return batch
        case .timestampsAndSizes:
            return EntryBatch(timestamps: batch.timestamps, lineStarts: batch.lineStarts, lineBytes: [],
                              metadata: batch.metadata, hasLines: false)
        }
    }
}

/// An in-memory ``LogSource`` for tests (the engine's, the query frontend's): streams per tenant, cut into blocks of
/// `blockSize` entries.
public struct MemoryLogSource: LogSource {
    private var streams: [String: [StreamData]] = [:]

    /// Collects entries, then builds the source.
    public struct Builder {
        private struct Entry {
            var time: Int64
            var line: [UInt8]
            var metadata: Labels
        }

        private var entries: [String: [Labels: [Entry]]] = [:]
        public var blockSize: Int

        public init(blockSize: Int = 1000) {
            self.blockSize = blockSize
        }

        public mutating func add(tenant: String = "fake", labels: Labels, time: Int64, line: String,
                          metadata: Labels = Labels()) {
            entries[tenant, default: [:]][labels, default: []].append(
                Entry(time: time, line: Array(line.utf8), metadata: metadata))
        }

        public mutating func add(tenant: String = "fake", labels: Labels, time: Int64, line: [UInt8],
                          metadata: Labels = Labels()) {
            entries[tenant, default: [:]][labels, default: []].append(
                Entry(time: time, line: line, metadata: metadata))
        }

        /// Sorts every stream by time (stable), drops exact duplicates (as the ingester's head block does) and cuts
        /// blocks.
        public func build() -> MemoryLogSource {
            var source = MemoryLogSource()
            for (tenant, byStream) in entries {
                var streams: [StreamData] = []
                for (labels, unsorted) in byStream {
                    let sorted = unsorted.enumerated().sorted { lhs, rhs in
                        lhs.element.time != rhs.element.time ? lhs.element.time < rhs.element.time
                            : lhs.offset < rhs.offset
                    }.map(\.element)
                    var unique: [Entry] = []
                    for entry in sorted {
                        var duplicate = false
                        for earlier in unique.reversed() {
                            if earlier.time != entry.time { break }
                            if earlier.line == entry.line, earlier.metadata == entry.metadata { duplicate = true }
                        }
                        if !duplicate { unique.append(entry) }
                    }
                    var blocks: [any EntryBlock] = []
                    var start = 0
                    while start < unique.count {
                        let end = min(start + blockSize, unique.count)
                        var batch = EntryBatch(capacity: end - start)
                        for entry in unique[start..<end] {
                            batch.append(timestamp: entry.time, line: entry.line, metadata: entry.metadata)
                        }
                        blocks.append(MemoryBlock(batch: batch))
                        start = end
                    }
                    streams.append(StreamData(labels: labels, blocks: blocks))
                }
                source.streams[tenant] = streams
            }
            return source
        }
    }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        (streams[tenant] ?? []).compactMap { stream in
            guard stream.labels.matches(matchers) else { return nil }
            let blocks = stream.blocks.filter { $0.maxTime >= start && $0.minTime < end }
            return blocks.isEmpty ? nil : StreamData(labels: stream.labels, blocks: blocks)
        }
    }
}
