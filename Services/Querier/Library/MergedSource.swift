public import FjordModel

/// A ``LogSource`` over several sources (the ingesters' memory, then the store) that joins the blocks of the same
/// stream; the engine's stream cursor merges overlapping blocks and drops identical entries.
///
/// Sources are read in order: the ingesters first, the store last. A chunk the ingester flushes between the two
/// reads is then seen twice (de-duplicated) rather than not at all, because the ingester drops a chunk from memory
/// only after the store's index lists it.
public struct MergedSource: LogSource {
    public let sources: [any LogSource]

    public init(_ sources: [any LogSource]) { self.sources = sources }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        if sources.count == 1, let only = sources.first {
            return try await only.select(tenant: tenant, matchers: matchers, start: start, end: end)
        }
        var merged: [Labels: Int] = [:]
        var out: [StreamData] = []
        for source in sources {
            for stream in try await source.select(tenant: tenant, matchers: matchers, start: start, end: end) {
                if let index = merged[stream.labels] {
                    out[index].blocks.append(contentsOf: stream.blocks)
                } else {
                    merged[stream.labels] = out.count
                    out.append(stream)
                }
            }
        }
        return out
    }
}
