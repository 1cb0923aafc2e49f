import FjordModel

// Encodings of FjordModel values shared by several message bodies (layouts in docs/wire-protocol.md).

extension WireWriter {
    /// `[uvarint count]([string name][string value])*`, pairs in the set's (sorted) order.
    mutating func labels(_ labels: Labels) {
        count(labels.count)
        for pair in labels.pairs {
            string(pair.name)
            string(pair.value)
        }
    }

    /// `[uvarint count]([string name][u8 kind][string value])*`; kind 0 `=`, 1 `!=`, 2 `=~`, 3 `!~`.
    mutating func matchers(_ matchers: [LabelMatcher]) {
        count(matchers.count)
        for matcher in matchers {
            string(matcher.name)
            u8(WireWriter.kindCodes[matcher.kind] ?? 0)
            string(matcher.value)
        }
    }

    static let kindCodes: [LabelMatcher.Kind: UInt8] = [.equal: 0, .notEqual: 1, .regexMatch: 2, .notRegexMatch: 3]

    /// An entry batch with lines: count, first timestamp and zig-zag deltas (any order), line lengths, the line
    /// bytes, then a metadata flag and one label set per entry when any entry has metadata.
    mutating func entryBatch(_ batch: EntryBatch) {
        precondition(batch.hasLines, "the wire carries entry batches with their lines")
        count(batch.count)
        var previous: Int64 = 0
        for timestamp in batch.timestamps {
            varint(timestamp &- previous)
            previous = timestamp
        }
        for index in 0..<batch.count { count(batch.lineLength(index)) }
        raw(batch.lineBytes[0..<batch.totalLineBytes])
        bool(!batch.metadata.isEmpty)
        for entryMetadata in batch.metadata { labels(entryMetadata) }
    }
}

extension WireReader {
    mutating func labels() throws(WireError) -> Labels {
        let pairCount = try count(limit: 1 << 16, minimumBytesEach: 2, "label count")
        var pairs: [LabelPair] = []
        pairs.reserveCapacity(pairCount)
        for _ in 0..<pairCount {
            let name = try string()
            let value = try string()
            if let last = pairs.last, !Labels.nameLess(last.name, name) {
                throw failure("label names not sorted and unique (\(last.name), \(name))")
            }
            pairs.append(LabelPair(name: name, value: value))
        }
        return Labels(sortedPairs: pairs)
    }

    mutating func matchers() throws(WireError) -> [LabelMatcher] {
        let matcherCount = try count(limit: 1 << 16, minimumBytesEach: 3, "matcher count")
        var out: [LabelMatcher] = []
        out.reserveCapacity(matcherCount)
        let kinds: [LabelMatcher.Kind] = [.equal, .notEqual, .regexMatch, .notRegexMatch]
        for _ in 0..<matcherCount {
            let name = try string()
            let code = try u8()
            guard Int(code) < kinds.count else { throw failure("matcher kind \(code)") }
            let value = try string()
            do {
                out.append(try LabelMatcher(name: name, kind: kinds[Int(code)], value: value))
            } catch {
                throw failure("matcher \(name)\(kinds[Int(code)].rawValue)\(value): \(error)")
            }
        }
        return out
    }

    mutating func entryBatch() throws(WireError) -> EntryBatch {
        let entryCount = try count(minimumBytesEach: 2, "entry count")
        var timestamps = [Int64]()
        timestamps.reserveCapacity(entryCount)
        var previous: Int64 = 0
        for _ in 0..<entryCount {
            previous &+= try varint()
            timestamps.append(previous)
        }
        var lineStarts = [UInt32]()
        lineStarts.reserveCapacity(entryCount + 1)
        lineStarts.append(0)
        var total = 0
        for _ in 0..<entryCount {
            total += try count(limit: Int(UInt32.max), minimumBytesEach: 0, "line length")
            guard total <= remaining else { throw failure("line lengths add up to more than the \(remaining) bytes left") }
            lineStarts.append(UInt32(total))
        }
        let lineBytes = Array(try take(total))
        var metadata: [Labels] = []
        if try bool() {
            metadata.reserveCapacity(entryCount)
            for _ in 0..<entryCount { metadata.append(try labels()) }
        }
        return EntryBatch(timestamps: timestamps, lineStarts: lineStarts, lineBytes: lineBytes, metadata: metadata,
                          hasLines: true)
    }
}
