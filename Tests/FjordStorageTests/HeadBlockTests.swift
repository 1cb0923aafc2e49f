import FjordModel
import FjordStorage
import Testing

@Suite struct HeadBlockTests {
    @Test func dropsIdenticalEntriesKeepsSameTimeDifferentLines() {
        var head = HeadBlock()
        #expect(head.append(timestamp: 10, line: Array("a".utf8)) == .appended(0))
        #expect(head.append(timestamp: 10, line: Array("b".utf8)) == .appended(1))
        #expect(head.append(timestamp: 10, line: Array("a".utf8)) == .duplicate(of: 0))
        #expect(head.append(timestamp: 10, line: Array("a".utf8), metadata: Labels(["k": "v"])) == .appended(2))
        #expect(head.append(timestamp: 10, line: Array("a".utf8), metadata: Labels(["k": "v"])) == .duplicate(of: 2))
        #expect(head.append(timestamp: 11, line: Array("a".utf8)) == .appended(3))
        #expect(head.count == 4)
        #expect(head.uncompressedSize == 4 + 2)
    }

    @Test func outOfOrderEntriesSortStably() {
        var head = HeadBlock()
        let arrivals: [(Int64, String)] = [(5, "e1"), (3, "c1"), (5, "e2"), (1, "a"), (3, "c2"), (3, "c1"), (5, "e1"), (9, "z")]
        var results: [HeadBlock.AppendResult] = []
        for (time, line) in arrivals { results.append(head.append(timestamp: time, line: Array(line.utf8))) }
        #expect(results[5] == .duplicate(of: 1))
        #expect(results[6] == .duplicate(of: 0))
        #expect(!head.isSorted)
        let sorted = head.sortedBatch().testEntries.map { "\($0.timestamp):\(String(decoding: $0.line, as: UTF8.self))" }
        #expect(sorted == ["1:a", "3:c1", "3:c2", "5:e1", "5:e2", "9:z"])
        #expect(head.minTime == 1 && head.maxTime == 9)
    }

    @Test func inOrderDuplicatesFoundWithoutIndex() {
        var head = HeadBlock()
        for time in 0..<100 { head.append(timestamp: Int64(time), line: Array("line \(time)".utf8)) }
        #expect(head.append(timestamp: 50, line: Array("line 50".utf8)) == .duplicate(of: 50))
        #expect(head.isSorted)
        #expect(head.append(timestamp: 99, line: Array("line 99".utf8)) == .duplicate(of: 99))
        #expect(head.append(timestamp: 50, line: Array("other".utf8)) == .appended(100))
        #expect(!head.isSorted)
        #expect(head.append(timestamp: 50, line: Array("other".utf8)) == .duplicate(of: 100))
        #expect(head.append(timestamp: 20, line: Array("line 20".utf8)) == .duplicate(of: 20))
    }

    @Test func snapshotIsImmutableAndSorted() async throws {
        var head = HeadBlock()
        head.append(timestamp: 2, line: Array("b".utf8))
        head.append(timestamp: 1, line: Array("a".utf8))
        let snapshot = head.snapshot()
        head.append(timestamp: 0, line: Array("later".utf8))
        let decoded = try await snapshot.decode(.full)
        #expect(decoded.testEntries == [TestEntry(1, "a"), TestEntry(2, "b")])
        #expect(snapshot.entryCount == 2 && snapshot.minTime == 1 && snapshot.maxTime == 2)
        let sizes = try await snapshot.decode(.timestampsAndSizes)
        #expect(!sizes.hasLines && sizes.timestamps == [1, 2])
    }
}
