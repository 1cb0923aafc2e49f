public import FjordModel
public import FjordStorage

/// A tenant's index as the compactor read it: per period, the segment keys and the merged series.
public struct TenantIndexSnapshot: Sendable {
    /// One period's table.
    public struct Table: Sendable {
        public var segmentKeys: [String]
        public var series: [Labels: [ChunkRef]]

        public init(segmentKeys: [String], series: [Labels: [ChunkRef]]) {
            self.segmentKeys = segmentKeys
            self.series = series
        }
    }

    public var tables: [Int64: Table]

    public init(tables: [Int64: Table]) { self.tables = tables }

    /// Every distinct chunk per stream across periods (a chunk crossing midnight is listed once).
    public var chunksByStream: [Labels: [ChunkRef]] {
        var result: [Labels: [ChunkKeyIdentity: ChunkRef]] = [:]
        for table in tables.values {
            for (labels, chunks) in table.series {
                for chunk in chunks { result[labels, default: [:]][ChunkKeyIdentity(chunk)] = chunk }
            }
        }
        return result.mapValues { $0.values.sorted(by: ChunkKeyIdentity.timeOrder) }
    }
}

/// What makes two chunk refs the same object: the fields of its key.
public struct ChunkKeyIdentity: Sendable, Hashable {
    public var fingerprint: UInt64
    public var from: Int64
    public var through: Int64
    public var checksum: UInt32

    public init(_ ref: ChunkRef) {
        fingerprint = ref.fingerprint
        from = ref.from
        through = ref.through
        checksum = ref.checksum
    }

    static func timeOrder(_ lhs: ChunkRef, _ rhs: ChunkRef) -> Bool {
        (lhs.from, lhs.through, lhs.checksum) < (rhs.from, rhs.through, rhs.checksum)
    }
}

/// A delete request as the planner needs it: which streams and times it covers, and whether it deletes whole
/// chunks (no line filter) or only matching lines.
public struct DeletePlanInput: Sendable, Hashable {
    public var id: String
    public var matchers: [LabelMatcher]
    /// Inclusive bounds, Unix ns.
    public var start: Int64
    public var end: Int64
    public var hasLineFilter: Bool

    public init(id: String, matchers: [LabelMatcher], start: Int64, end: Int64, hasLineFilter: Bool) {
        self.id = id
        self.matchers = matchers
        self.start = start
        self.end = end
        self.hasLineFilter = hasLineFilter
    }
}

/// A chunk to build: the entries of `sources` (one stream), merged by time and de-duplicated, without the lines
/// that the delete requests `deletes` remove; cut into chunks of the target size.
public struct ChunkRecipe: Sendable, Hashable {
    public var labels: Labels
    public var sources: [ChunkRef]
    public var deletes: [String]

    public init(labels: Labels, sources: [ChunkRef], deletes: [String] = []) {
        self.labels = labels
        self.sources = sources
        self.deletes = deletes
    }
}

/// Everything one compaction pass changes for a tenant.
public struct TenantCompactionPlan: Sendable {
    /// Chunks to build (merges and partial deletes).
    public var recipes: [ChunkRecipe] = []
    /// Chunks leaving the index (retention, whole-chunk deletes, recipe sources).
    public var removed: Set<ChunkKeyIdentity> = []
    /// Periods whose table must be rewritten (changed chunks, or more than one segment).
    public var periods: Set<Int64> = []
    /// Delete requests this pass completes.
    public var completedDeletes: [String] = []
    /// Chunks dropped by retention (for metrics and logs).
    public var expiredChunks = 0

    public var isEmpty: Bool { recipes.isEmpty && removed.isEmpty && periods.isEmpty && completedDeletes.isEmpty }
}

/// Decides a tenant's compaction, retention and deletes from its index snapshot, with the time passed in. Pure.
///
/// Order: retention first (expired chunks are dropped whole, as Loki does), then delete requests (chunks wholly
/// inside a request without line filter are dropped, other overlapping chunks rewritten), then merging the
/// remaining small chunks of each stream into chunks of about `targetChunkSize`.
public struct CompactionPlanner: Sendable {
    /// Compressed size the merged chunks aim for (the ingester's `chunk_target_size`).
    public var targetChunkSize: Int
    /// Chunks smaller than this share of the target are merged.
    public var smallChunkRatio: Double
    /// Merge small chunks at all.
    public var mergeChunks: Bool
    /// Most source bytes merged in one pass (bounds the compactor's memory); the rest waits for the next pass.
    public var maxMergeBytesPerPass: Int

    public init(targetChunkSize: Int = 1_572_864, smallChunkRatio: Double = 0.5, mergeChunks: Bool = true,
                maxMergeBytesPerPass: Int = 256 << 20) {
        self.targetChunkSize = targetChunkSize
        self.smallChunkRatio = smallChunkRatio
        self.mergeChunks = mergeChunks
        self.maxMergeBytesPerPass = maxMergeBytesPerPass
    }

    public func plan(index: TenantIndexSnapshot, retention: RetentionPolicy?, deletes: [DeletePlanInput],
                     periods: IndexPeriods, now: Int64) -> TenantCompactionPlan {
        var plan = TenantCompactionPlan()
        var mergeBudget = maxMergeBytesPerPass
        for (period, table) in index.tables where table.segmentKeys.count > 1 { plan.periods.insert(period) }
        for (labels, chunks) in index.chunksByStream.sorted(by: { $0.key.canonicalString < $1.key.canonicalString }) {
            var remaining: [ChunkRef] = []
            var deleteRecipes: [ChunkKeyIdentity: (ChunkRef, [String])] = [:]
            for chunk in chunks {
                if let retention, retention.expired(labels: labels, through: chunk.through, now: now) {
                    plan.removed.insert(ChunkKeyIdentity(chunk))
                    plan.expiredChunks += 1
                    continue
                }
                var dropped = false
                var partial: [String] = []
                for request in deletes where labels.matches(request.matchers) {
                    guard chunk.from <= request.end, chunk.through >= request.start else { continue }
                    if !request.hasLineFilter, request.start <= chunk.from, chunk.through <= request.end {
                        dropped = true
                        break
                    }
                    partial.append(request.id)
                }
                if dropped {
                    plan.removed.insert(ChunkKeyIdentity(chunk))
                } else if !partial.isEmpty {
                    deleteRecipes[ChunkKeyIdentity(chunk)] = (chunk, partial)
                } else {
                    remaining.append(chunk)
                }
            }
            for (identity, (chunk, ids)) in deleteRecipes.sorted(by: { ChunkKeyIdentity.timeOrder($0.value.0, $1.value.0) }) {
                plan.recipes.append(ChunkRecipe(labels: labels, sources: [chunk], deletes: ids))
                plan.removed.insert(identity)
            }
            if mergeChunks, mergeBudget > 0 {
                for group in mergeGroups(remaining, periods: periods) {
                    let bytes = group.reduce(0) { $0 + $1.objectSize }
                    guard bytes <= mergeBudget else { break }
                    mergeBudget -= bytes
                    plan.recipes.append(ChunkRecipe(labels: labels, sources: group))
                    for chunk in group { plan.removed.insert(ChunkKeyIdentity(chunk)) }
                }
            }
        }
        for (period, table) in index.tables {
            if table.series.values.contains(where: { $0.contains { plan.removed.contains(ChunkKeyIdentity($0)) } }) {
                plan.periods.insert(period)
            }
        }
        plan.completedDeletes = deletes.map(\.id)
        return plan
    }

    /// Groups of two or more small chunks of one stream, each inside a single period, consecutive in time, whose
    /// sizes add up to at most the target.
    func mergeGroups(_ chunks: [ChunkRef], periods: IndexPeriods) -> [[ChunkRef]] {
        let limit = Int(Double(targetChunkSize) * smallChunkRatio)
        var groups: [[ChunkRef]] = []
        var current: [ChunkRef] = []
        var currentBytes = 0
        var currentPeriod: Int64?
        func close() {
            if current.count > 1 { groups.append(current) }
            current = []
            currentBytes = 0
            currentPeriod = nil
        }
        for chunk in chunks.sorted(by: ChunkKeyIdentity.timeOrder) {
            let span = periods.periods(from: chunk.from, through: chunk.through)
            guard chunk.objectSize < limit, span.count == 1 else {
                close()
                continue
            }
            if currentPeriod != span.lowerBound || currentBytes + chunk.objectSize > targetChunkSize { close() }
            current.append(chunk)
            currentBytes += chunk.objectSize
            currentPeriod = span.lowerBound
        }
        close()
        return groups
    }
}
