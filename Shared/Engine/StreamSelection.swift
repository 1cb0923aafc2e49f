import FjordModel

/// A stream selected for a query, with the tenant it belongs to.
struct SourceStream: Sendable {
    var labels: Labels
    var tenant: String
    var blocks: [any EntryBlock]
}

extension TenantScope {
    /// Selects, for every tenant of the scope, the streams whose entries may fall in `[start, end)`.
    func selectStreams(from source: any LogSource, start: Int64, end: Int64) async throws(QueryError)
        -> [SourceStream]
    {
        var streams: [SourceStream] = []
        for selection in selections {
            let selected: [StreamData]
            do {
                selected = try await source.select(tenant: selection.tenant, matchers: selection.matchers,
                                                   start: start, end: end)
            } catch {
                throw QueryError.storage(error)
            }
            for stream in selected {
                streams.append(SourceStream(labels: stream.labels, tenant: selection.tenant, blocks: stream.blocks))
            }
        }
        return streams
    }
}

extension Labels {
    /// Go's string order of the canonical label strings (`{a="1", b="2"}`), which Loki uses to sort streams.
    static func canonicalLess(_ lhs: Labels, _ rhs: Labels) -> Bool {
        lhs.canonicalString.utf8.lexicographicallyPrecedes(rhs.canonicalString.utf8)
    }
}
