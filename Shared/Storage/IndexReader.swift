public import FjordModel

/// One stream found in the index, with its chunks that overlap the asked range.
public struct IndexedStream: Sendable, Hashable {
    public var labels: Labels
    /// Distinct chunks, ordered by `from`.
    public var chunks: [ChunkRef]

    public init(labels: Labels, chunks: [ChunkRef]) {
        self.labels = labels
        self.chunks = chunks
    }
}

/// Totals for `/loki/api/v1/index/stats`, computed from chunk refs like Loki's TSDB index: a chunk that only partly
/// overlaps the range contributes its bytes and entries in proportion to the overlapping time.
public struct IndexStats: Sendable, Hashable {
    public var streams = 0
    public var chunks = 0
    /// Uncompressed line + metadata bytes.
    public var bytes = 0
    public var entries = 0

    public init(streams: Int = 0, chunks: Int = 0, bytes: Int = 0, entries: Int = 0) {
        self.streams = streams
        self.chunks = chunks
        self.bytes = bytes
        self.entries = entries
    }
}

/// Reads a tenant's index segments from an object store and answers stream, label and stats lookups.
///
/// Segments are immutable, so decoded segments are cached by key (least recently used ones are dropped beyond
/// `maxCachedSegments`); every lookup lists the relevant periods again, so new segments are seen at once.
public actor IndexReader {
    public let store: any ObjectStore
    public let periods: IndexPeriods
    public let maxCachedSegments: Int
    private var cache: [String: (segment: IndexSegment, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0
    /// Above this many periods in a range, one listing of the tenant's whole index replaces per-period listings.
    private let maxPeriodListings = 64

    public init(store: any ObjectStore, periods: IndexPeriods = IndexPeriods(), maxCachedSegments: Int = 4096) {
        self.store = store
        self.periods = periods
        self.maxCachedSegments = maxCachedSegments
    }

    /// Streams whose labels satisfy every matcher and that have chunks overlapping `[start, end)`, sorted by labels.
    public func streams(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [IndexedStream] {
        guard start < end else { return [] }
        var merged: [Labels: [ChunkRef]] = [:]
        for segment in try await segments(tenant: tenant, start: start, end: end) {
            for series in segment.series {
                let overlapping = series.chunks.filter { $0.overlaps(start: start, end: end) }
                if !overlapping.isEmpty { merged[series.labels, default: []] += overlapping }
            }
        }
        var result: [IndexedStream] = []
        for (labels, chunks) in merged where labels.matches(matchers) {
            var seen = Set<ChunkIdentity>()
            let distinct = chunks.filter { seen.insert(ChunkIdentity($0)).inserted }
                .sorted { $0.from != $1.from ? $0.from < $1.from : $0.through < $1.through }
            result.append(IndexedStream(labels: labels, chunks: distinct))
        }
        // Render each label string once, not once per comparison.
        return result.map { ($0.labels.canonicalString, $0) }
            .sorted { Labels.nameLess($0.0, $1.0) }
            .map(\.1)
    }

    /// Label names of matching streams with data in `[start, end)`, sorted and unique.
    public func labelNames(tenant: String, start: Int64, end: Int64, matchers: [LabelMatcher] = []) async throws -> [String] {
        let names = try await streams(tenant: tenant, matchers: matchers, start: start, end: end).flatMap(\.labels.names)
        return Set(names).sorted(by: Labels.nameLess)
    }

    /// Values of label `name` among matching streams with data in `[start, end)`, sorted and unique.
    public func labelValues(tenant: String, name: String, start: Int64, end: Int64,
                            matchers: [LabelMatcher] = []) async throws -> [String] {
        let values = try await streams(tenant: tenant, matchers: matchers, start: start, end: end).compactMap { $0.labels[name] }
        return Set(values).sorted(by: Labels.nameLess)
    }

    /// Stream, chunk, byte and entry totals of matching streams in `[start, end)`.
    public func stats(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> IndexStats {
        var stats = IndexStats()
        for stream in try await streams(tenant: tenant, matchers: matchers, start: start, end: end) {
            var chunks = 0
            var bytes = 0
            var entries = 0
            for chunk in stream.chunks {
                let factor = IndexReader.overlapFactor(start: start, end: end, from: chunk.from, through: chunk.through)
                chunks += 1
                bytes += Int(Double(chunk.uncompressedSize) * factor)
                entries += Int(Double(chunk.entryCount) * factor)
            }
            if entries > 0 {
                stats.streams += 1
                stats.chunks += chunks
                stats.bytes += bytes
                stats.entries += entries
            }
        }
        return stats
    }

    /// Share of a chunk's time span `[from, through]` inside `[start, end]` (Loki's `GetFactorOfTime`).
    public static func overlapFactor(start: Int64, end: Int64, from: Int64, through: Int64) -> Double {
        if start > through || end < from { return 0 }
        if from == through { return 1 }
        // Differences in integers first: Double cannot tell nearby nanosecond timestamps apart.
        let total = UInt64(bitPattern: through &- from)
        let leading = start > from ? UInt64(bitPattern: start &- from) : 0
        let trailing = through > end ? UInt64(bitPattern: through &- end) : 0
        guard leading < total, trailing <= total - leading else { return 0 }
        return Double(total - leading - trailing) / Double(total)
    }

    /// Decoded segments of `tenant` in the periods overlapping `[start, end)`.
    func segments(tenant: String, start: Int64, end: Int64) async throws -> [IndexSegment] {
        try ChunkStore.validateTenant(tenant)
        let range = periods.periods(from: start, through: end &- 1)
        // A segment listed but gone when fetched was merged by index compaction: list again once to see the merge.
        for attempt in 0..<2 {
            let keys = try await listSegments(tenant: tenant, range: range)
            let missing = keys.filter { cache[$0] == nil }
            let store = self.store
            let fetched: [(String, IndexSegment)]
            do {
                fetched = try await concurrentMap(missing, limit: IndexReader.maxConcurrentFetches) { key in
                    let bytes = try await store.get(key)
                    return (key, try IndexSegment(decoding: bytes, context: "index segment \(key)"))
                }
            } catch let error as ObjectStoreError where error.kind == .notFound && attempt == 0 {
                continue
            }
            for (key, segment) in fetched { cache[key] = (segment, 0) }
            var result: [IndexSegment] = []
            for key in keys {
                guard let entry = cache[key] else { continue }
                clock += 1
                cache[key] = (entry.segment, clock)
                result.append(entry.segment)
            }
            evict()
            return result
        }
        return []
    }

    /// Segments fetched from the store at once.
    static let maxConcurrentFetches = 16

    /// Segment keys of the periods in `range`; forgets cached segments of those periods that are no longer listed.
    private func listSegments(tenant: String, range: ClosedRange<Int64>) async throws -> [String] {
        var keys: [String] = []
        var listedPrefixes: [String] = []
        if range.count <= maxPeriodListings {
            for period in range {
                let prefix = periods.prefix(tenant: tenant, period: period)
                keys += try await store.list(prefix: prefix).map(\.key)
                listedPrefixes.append(prefix)
            }
        } else {
            let prefix = "\(tenant)/index/"
            keys = try await store.list(prefix: prefix).map(\.key).filter { key in
                periods.period(ofSegmentKey: key).map { range.contains($0) } ?? false
            }
        }
        keys = keys.filter { $0.hasSuffix(IndexSegment.fileExtension) }
        let listed = Set(keys)
        for key in cache.keys where !listed.contains(key) && listedPrefixes.contains(where: { key.hasPrefix($0) }) {
            cache.removeValue(forKey: key)
        }
        return keys
    }

    private func evict() {
        guard cache.count > maxCachedSegments else { return }
        let excess = cache.count - maxCachedSegments
        for key in cache.sorted(by: { $0.value.lastUse < $1.value.lastUse }).prefix(excess).map(\.key) {
            cache.removeValue(forKey: key)
        }
    }
}

/// What makes two chunk refs the same stored chunk.
struct ChunkIdentity: Hashable {
    var fingerprint: UInt64
    var from: Int64
    var through: Int64
    var checksum: UInt32

    init(_ ref: ChunkRef) {
        fingerprint = ref.fingerprint
        from = ref.from
        through = ref.through
        checksum = ref.checksum
    }
}
