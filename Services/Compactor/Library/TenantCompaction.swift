import FjordModel
import FjordStorage
import Logging

/// What one pass did for a tenant.
public struct TenantCompactionResult: Sendable, Hashable {
    public var segmentsRemoved = 0
    public var segmentsWritten = 0
    public var chunksRemoved = 0
    public var chunksWritten = 0
    public var expiredChunks = 0
    public var sourceBytes = 0
    public var writtenBytes = 0
    public var deletesCompleted: [String] = []

    public init() {}
}

/// The compactor's I/O for one tenant: read the index, run the planner, build new chunks, switch the index, and
/// sweep old chunks later. Crash-safe by order: (1) the job record, (2) new chunks, (3) new segments, (4) delete the
/// replaced segments — from here on queries see only the new index — (5) a sweep marker, (6) delete requests marked
/// processed, (7) the job record removed. Until (4) the index is the union of old and new segments, which holds
/// every entry (reads merge overlapping chunks and drop identical entries); a rerun after a crash rolls the job
/// forward when every new segment exists and back otherwise, so the same work is never half done twice.
struct TenantCompaction: Sendable {
    let store: ChunkStore
    let tenant: String
    let planner: CompactionPlanner
    let rewriter: ChunkRewriter
    let logger: Logger

    var objects: any ObjectStore { store.objects }

    /// Every segment of the tenant, decoded, by period.
    func loadIndex() async throws -> TenantIndexSnapshot {
        let keys = try await objects.list(prefix: "\(tenant)/index/").map(\.key)
            .filter { $0.hasSuffix(IndexSegment.fileExtension) }
        var tables: [Int64: TenantIndexSnapshot.Table] = [:]
        for key in keys {
            guard let period = store.periods.period(ofSegmentKey: key) else { continue }
            let segment: IndexSegment
            do {
                segment = try IndexSegment(decoding: try await objects.get(key), context: "index segment \(key)")
            } catch let error as ObjectStoreError where error.kind == .notFound {
                continue  // replaced meanwhile (by another pass that has since lost its lock)
            }
            var table = tables[period] ?? TenantIndexSnapshot.Table(segmentKeys: [], series: [:])
            table.segmentKeys.append(key)
            for series in segment.series { table.series[series.labels, default: []] += series.chunks }
            tables[period] = table
        }
        return TenantIndexSnapshot(tables: tables)
    }

    /// Finishes or undoes a job left by a crashed pass. Returns the delete requests it completed.
    func recover(now: Int64, markProcessed: ([String]) async throws -> Void) async throws -> Bool {
        let key = CompactionJournal.jobKey(tenant: tenant)
        let bytes: [UInt8]
        do {
            bytes = try await objects.get(key)
        } catch let error as ObjectStoreError where error.kind == .notFound {
            return false
        }
        let job = try CompactionJournal.decode(CompactionJob.self, bytes, key: key)
        var complete = true
        for segment in job.newSegments where try await !objects.exists(segment) {
            complete = false
            break
        }
        if complete {
            logger.info("finishing an interrupted compaction", metadata: ["tenant.id": "\(tenant)"])
            try await commit(job, markProcessed: markProcessed)
        } else {
            logger.info("undoing an interrupted compaction", metadata: ["tenant.id": "\(tenant)"])
            let old = Set(job.oldSegments)
            for segment in job.newSegments where !old.contains(segment) { try await objects.delete(segment) }
            let referenced = referencedKeys(try await loadIndex())
            for chunk in job.newChunks where !referenced.contains(chunk) { try await objects.delete(chunk) }
            try await objects.delete(key)
        }
        return true
    }

    /// One pass: plan, build, switch. `deletes` are the requests due for processing.
    func run(retention: RetentionPolicy?, deletes: [DeletePlanInput], filter: (any DeleteLineFilter)?, now: Int64,
             markProcessed: ([String]) async throws -> Void) async throws -> TenantCompactionResult {
        var result = TenantCompactionResult()
        let index = try await loadIndex()
        let plan = planner.plan(index: index, retention: retention, deletes: deletes, periods: store.periods, now: now)
        guard !plan.isEmpty else { return result }
        if plan.periods.isEmpty {
            // Only delete requests that touch nothing: they are done.
            try await markProcessed(plan.completedDeletes)
            result.deletesCompleted = plan.completedDeletes
            return result
        }
        var built: [EncodedChunk] = []
        for recipe in plan.recipes {
            built += try await rewriter.build(recipe, tenant: tenant, store: store, deletes: filter)
            result.sourceBytes += recipe.sources.reduce(0) { $0 + $1.objectSize }
        }
        // The new tables: old refs minus removed plus the new chunks, for every period being rewritten.
        var newTables: [Int64: [Labels: [ChunkKeyIdentity: ChunkRef]]] = [:]
        for period in plan.periods {
            var series: [Labels: [ChunkKeyIdentity: ChunkRef]] = [:]
            for (labels, chunks) in index.tables[period]?.series ?? [:] {
                for chunk in chunks where !plan.removed.contains(ChunkKeyIdentity(chunk)) {
                    series[labels, default: [:]][ChunkKeyIdentity(chunk)] = chunk
                }
            }
            newTables[period] = series
        }
        for chunk in built {
            let ref = ChunkRef(chunk)
            for period in store.periods.periods(from: chunk.from, through: chunk.through) {
                precondition(plan.periods.contains(period), "a rebuilt chunk reaches period \(period) outside its sources'")
                newTables[period, default: [:]][chunk.labels, default: [:]][ChunkKeyIdentity(ref)] = ref
            }
        }
        var segments: [(key: String, bytes: [UInt8])] = []
        for (period, series) in newTables.sorted(by: { $0.key < $1.key }) where !series.isEmpty {
            let segment = IndexSegment(series: series.map { labels, chunks in
                IndexSeries(labels: labels, chunks: chunks.values.sorted(by: ChunkKeyIdentity.timeOrder))
            })
            let bytes = segment.encode(level: store.indexCompressionLevel)
            let range = segment.timeRange
            segments.append((store.periods.segmentKey(tenant: tenant, period: period, segment: bytes,
                                                      from: range.from, through: range.through), bytes))
        }
        let newKeys = Set(built.map { ChunkKey.make(tenant: tenant, chunk: $0) })
        let removedKeys = Set(index.chunksByStream.values.joined()
            .filter { plan.removed.contains(ChunkKeyIdentity($0)) }.map { $0.key(tenant: tenant) })
        let job = CompactionJob(
            createdAt: now, newChunks: newKeys.sorted(), newSegments: segments.map(\.key),
            oldSegments: plan.periods.flatMap { index.tables[$0]?.segmentKeys ?? [] }.sorted(),
            sweep: removedKeys.subtracting(newKeys).sorted(), deleteRequests: plan.completedDeletes)
        try await objects.put(CompactionJournal.jobKey(tenant: tenant), try CompactionJournal.encode(job))
        for chunk in built {
            try await objects.put(ChunkKey.make(tenant: tenant, chunk: chunk), chunk.bytes)
            result.writtenBytes += chunk.bytes.count
        }
        for segment in segments { try await objects.put(segment.key, segment.bytes) }
        try await commit(job, markProcessed: markProcessed)
        result.segmentsWritten = segments.count
        result.segmentsRemoved = Set(job.oldSegments).subtracting(job.newSegments).count
        result.chunksWritten = built.count
        result.chunksRemoved = job.sweep.count
        result.expiredChunks = plan.expiredChunks
        result.deletesCompleted = plan.completedDeletes
        return result
    }

    /// Steps (4)–(7): switch the index, record the chunks to sweep, finish the delete requests, drop the job.
    private func commit(_ job: CompactionJob, markProcessed: ([String]) async throws -> Void) async throws {
        let keep = Set(job.newSegments)
        for segment in job.oldSegments where !keep.contains(segment) { try await objects.delete(segment) }
        if !job.sweep.isEmpty {
            let marker = SweepMarker(createdAt: job.createdAt, chunks: job.sweep)
            try await objects.put(try CompactionJournal.markerKey(tenant: tenant, marker: marker),
                                  try CompactionJournal.encode(marker))
        }
        if !job.deleteRequests.isEmpty { try await markProcessed(job.deleteRequests) }
        try await objects.delete(CompactionJournal.jobKey(tenant: tenant))
    }

    /// Deletes the chunks of markers older than `delay` that no segment references any more (a replica may have
    /// flushed an identical chunk since), then the markers. Returns the number of chunks deleted.
    func sweep(now: Int64, delay: Int64) async throws -> Int {
        let markers = try await objects.list(prefix: CompactionJournal.markerPrefix(tenant: tenant)).map(\.key)
        var due: [(String, SweepMarker)] = []
        for key in markers {
            let marker = try CompactionJournal.decode(SweepMarker.self, try await objects.get(key), key: key)
            if marker.createdAt + delay <= now { due.append((key, marker)) }
        }
        guard !due.isEmpty else { return 0 }
        let referenced = referencedKeys(try await loadIndex())
        var deleted = 0
        for (key, marker) in due {
            for chunk in marker.chunks where !referenced.contains(chunk) {
                try await objects.delete(chunk)
                deleted += 1
            }
            try await objects.delete(key)
        }
        return deleted
    }

    private func referencedKeys(_ index: TenantIndexSnapshot) -> Set<String> {
        Set(index.chunksByStream.values.joined().map { $0.key(tenant: tenant) })
    }
}
