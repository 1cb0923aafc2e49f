import FjordModel

/// A stream selected for a query, with the tenant it belongs to.
struct SourceStream: Sendable {
    var labels: Labels
    var tenant: String
    var blocks: [any EntryBlock]
}

extension SourceStream {
    /// Splits streams into at most `count` groups of similar entry counts (largest first onto the lightest group),
    /// for concurrent workers. Returns indices into `streams`.
    static func balancedGroups(_ streams: [SourceStream], count: Int) -> [[Int]] {
        guard count > 1 else { return [Array(streams.indices)] }
        let sizes = streams.map { stream in stream.blocks.reduce(0) { $0 + $1.entryCount } }
        var groups = [[Int]](repeating: [], count: count)
        var loads = [Int](repeating: 0, count: count)
        for index in streams.indices.sorted(by: { sizes[$0] > sizes[$1] }) {
            let lightest = loads.indices.min { loads[$0] < loads[$1] } ?? 0
            groups[lightest].append(index)
            loads[lightest] += sizes[index]
        }
        return groups.filter { !$0.isEmpty }
    }
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
