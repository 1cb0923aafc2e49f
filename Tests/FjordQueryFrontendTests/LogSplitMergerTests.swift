import FjordModel
import FjordQueryFrontend
import Testing

@Suite struct LogSplitMergerTests {
    static func stream(_ name: String, _ times: [Int64]) -> ResultStream {
        let labels = Labels(["s": name])
        return ResultStream(labels: labels, streamLabels: labels,
                            entries: times.map { ResultEntry(timestamp: $0, line: Array("\($0)".utf8)) })
    }

    @Test func keepsTheFirstEntriesInDirectionOrder() {
        var merger = LogSplitMerger(limit: 5, direction: .backward)
        #expect(merger.add([Self.stream("b", [100, 90]), Self.stream("a", [95])]) == .next)
        #expect(merger.add([]) == .next)
        // Newest-first: 80, 79 are kept, 60 and 50 are beyond the limit.
        #expect(merger.add([Self.stream("a", [80, 60]), Self.stream("c", [79, 50])]) == .complete)
        let result = merger.result
        #expect(result.map { $0.labels["s"] } == ["a", "b", "c"])
        #expect(result.map { $0.entries.map(\.timestamp) } == [[95, 80], [100, 90], [79]])
        #expect(merger.add([Self.stream("d", [10])]) == .complete)
    }

    @Test func aTieAtTheCutAsksForTheSplitAgain() {
        var merger = LogSplitMerger(limit: 2, direction: .forward)
        #expect(merger.add([Self.stream("a", [1])]) == .next)
        #expect(merger.add([Self.stream("a", [5]), Self.stream("b", [5])]) == .rerun(limit: 1))
        #expect(merger.add([Self.stream("b", [5])]) == .complete)
        #expect(merger.result.map { $0.entries.map(\.timestamp) } == [[1], [5]])
    }
}
