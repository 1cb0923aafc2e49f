import FjordModel
import FjordServiceAPI
@testable import FjordWire
import Testing

@Suite struct WireTailCodingTests {
    @Test func batchesRoundTripAndSplitIntoParts() throws {
        let labelsA = Labels(sortedPairs: [LabelPair("app", "a")])
        let labelsB = Labels(sortedPairs: [LabelPair("app", "b")])
        var big = EntryBatch()
        for index in 0..<200 {
            big.append(timestamp: Int64(index), line: Array(String(repeating: "x", count: 100).utf8),
                       metadata: index == 3 ? Labels(sortedPairs: [LabelPair("trace_id", "t")]) : Labels())
        }
        var small = EntryBatch()
        small.append(timestamp: 7, line: Array("seven".utf8))
        let batch = TailBatch(streams: [TailedStream(labels: labelsA, entries: big), TailedStream(labels: labelsB, entries: small)],
                              dropped: [DroppedTailEntry(timestamp: 9, labels: labelsB)])
        let parts = WireTailCoding.encode(batch, partBytes: 4096)
        #expect(parts.count > 3)
        #expect(parts.allSatisfy { $0.count <= 4096 + 512 })
        var joined = TailBatch()
        for part in parts {
            let decoded = try WireTailCoding.decode(part)
            joined.streams += decoded.streams
            joined.dropped += decoded.dropped
        }
        let aEntries = joined.streams.filter { $0.labels == labelsA }.flatMap { stream in
            (0..<stream.entries.count).map { (stream.entries.timestamps[$0], stream.entries.metadata($0)) }
        }
        #expect(aEntries.map(\.0) == (0..<200).map(Int64.init))
        #expect(aEntries[3].1 == Labels(sortedPairs: [LabelPair("trace_id", "t")]))
        #expect(joined.streams.last?.labels == labelsB)
        #expect(joined.dropped == batch.dropped)
        // The empty acknowledgement part decodes as an empty batch; garbage is a typed error.
        #expect(try WireTailCoding.decode(WireTailCoding.encode(TailBatch(), partBytes: 4096)[0]).isEmpty)
        #expect(throws: WireError.self) { try WireTailCoding.decode([5, 1, 2]) }
    }
}
