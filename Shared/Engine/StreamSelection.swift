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

extension SourceStream {
    /// Cuts streams (in their given order) into at most `count` contiguous runs of similar entry counts. Returns
    /// index ranges into `streams`, in order.
    static func contiguousGroups(_ streams: [SourceStream], count: Int) -> [Range<Int>] {
        guard count > 1, streams.count > 1 else { return streams.isEmpty ? [] : [streams.indices] }
        let sizes = streams.map { stream in max(1, stream.blocks.reduce(0) { $0 + $1.entryCount }) }
        let total = sizes.reduce(0, +)
        var groups: [Range<Int>] = []
        var start = 0
        var cumulative = 0
        for index in streams.indices {
            cumulative += sizes[index]
            // Close the group when it reaches its share of the total (the last group takes the rest).
            let target = total * (groups.count + 1) / count
            if cumulative >= target, groups.count < count - 1, index + 1 < streams.count {
                groups.append(start..<(index + 1))
                start = index + 1
            }
        }
        groups.append(start..<streams.count)
        return groups
    }
}

extension Array where Element == SourceStream {
    /// Streams sorted by tenant, then by Go's order of their canonical label strings: an order that does not depend
    /// on which source returned a stream first or on the time range selected.
    func canonicallyOrdered() -> [SourceStream] {
        let keys = map { [UInt8]($0.labels.canonicalString.utf8) }
        return indices.sorted { lhs, rhs in
            if self[lhs].tenant != self[rhs].tenant { return self[lhs].tenant < self[rhs].tenant }
            return keys[lhs].lexicographicallyPrecedes(keys[rhs])
        }.map { self[$0] }
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
