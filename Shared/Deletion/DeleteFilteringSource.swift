public import FjordModel

/// A ``LogSource`` that hides the lines of delete requests: queries stop returning deleted lines as soon as a request
/// is stored, before and after the compactor removed them (Loki's `filter-and-delete` and `filter-only` modes).
/// Streams no request matches pass through untouched.
public struct DeleteFilteringSource: LogSource {
    public let inner: any LogSource
    /// The tenant's requests in force (cached by the provider).
    public let requests: @Sendable (String) async throws -> [CompiledDeleteRequest]

    public init(inner: any LogSource, requests: @escaping @Sendable (String) async throws -> [CompiledDeleteRequest]) {
        self.inner = inner
        self.requests = requests
    }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        let streams = try await inner.select(tenant: tenant, matchers: matchers, start: start, end: end)
        let active = try await requests(tenant).filter { $0.request.end >= start && $0.request.start < end }
        guard !active.isEmpty else { return streams }
        return streams.map { stream in
            let deleters = active.compactMap { $0.lineDeleter(labels: stream.labels) }
            guard !deleters.isEmpty else { return stream }
            let bounds = active.filter { $0.lineDeleter(labels: stream.labels) != nil }.map { ($0.request.start, $0.request.end) }
            return StreamData(labels: stream.labels, blocks: stream.blocks.map { block in
                bounds.contains { block.maxTime >= $0.0 && block.minTime <= $0.1 }
                    ? FilteredBlock(inner: block, deleters: deleters) : block
            })
        }
    }
}

/// A block whose decoded entries lose the lines a delete request matches. Bounds stay the inner block's (a
/// superset), which readers accept.
struct FilteredBlock: EntryBlock {
    let inner: any EntryBlock
    let deleters: [@Sendable (Int64, UnsafeRawBufferPointer, Labels) -> Bool]

    var minTime: Int64 { inner.minTime }
    var maxTime: Int64 { inner.maxTime }
    var entryCount: Int { inner.entryCount }

    func decode(_ content: BlockContent) async throws -> EntryBatch {
        // Line filters need the lines even when the caller wants only timestamps and sizes.
        let full = try await inner.decode(content.includesLines ? content : .full)
        var kept = EntryBatch(capacity: full.count, lineBytesCapacity: full.totalLineBytes)
        for index in 0..<full.count {
            let timestamp = full.timestamps[index]
            let metadata = full.metadata(index)
            let deleted = full.withLine(index) { line in deleters.contains { $0(timestamp, line, metadata) } }
            if !deleted { kept.append(from: full, at: index) }
        }
        return kept
    }
}
