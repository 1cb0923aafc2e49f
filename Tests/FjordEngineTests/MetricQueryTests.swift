import FjordConformanceKit
import FjordEngine
import FjordLogQL
import FjordModel
import Testing

/// Metric queries over a small data set whose answers are worked out by hand:
/// `{app="a", level="info"}` every 10 s from 10 s to 120 s ("xxxx"), `{app="a", level="error"}` at 15, 45, 75,
/// 105 s ("yy"), `{app="b", level="info"}` at 5 and 65 s ("z").
@Suite struct MetricQueryTests {
    static let info = labels(["app": "a", "level": "info"])
    static let error = labels(["app": "a", "level": "error"])
    static let other = labels(["app": "b", "level": "info"])

    static let source: MemoryLogSource = {
        var builder = MemoryLogSource.Builder(blockSize: 5)
        for index in 1...12 { builder.add(labels: info, time: base + Int64(index * 10) * second, line: "xxxx") }
        for time in [15, 45, 75, 105] as [Int64] { builder.add(labels: error, time: base + time * second, line: "yy") }
        for time in [5, 65] as [Int64] { builder.add(labels: other, time: base + time * second, line: "z") }
        return builder.build()
    }()

    let all = [regex("app", ".+")]
    let appA = [equal("app", "a")]

    func matrix(_ expression: MetricExpr, start: Int64 = 60, end: Int64 = 120, step: Int64 = 60,
                limits: QueryLimits = QueryLimits()) async throws -> [Labels: [Double]] {
        let engine = QueryEngine(source: Self.source, limits: limits)
        let result = try await engine.execute(
            .metric(expression),
            .range(tenants: ["fake"], start: base + start * second, end: base + end * second, step: step * second))
        guard case .matrix(let series) = result.data else {
            Issue.record("expected a matrix, got \(result.data)")
            return [:]
        }
        var values: [Labels: [Double]] = [:]
        for item in series { values[item.labels] = item.points.map(\.value) }
        return values
    }

    func vector(_ expression: MetricExpr, at time: Int64 = 60) async throws -> [(Labels, Double)] {
        let engine = QueryEngine(source: Self.source)
        let result = try await engine.execute(.metric(expression),
                                              .instant(tenants: ["fake"], time: base + time * second))
        guard case .vector(let samples) = result.data else {
            Issue.record("expected a vector, got \(result.data)")
            return []
        }
        #expect(samples.allSatisfy { $0.timestampMillis == (base + time * second) / 1_000_000 })
        return samples.map { ($0.labels, $0.value) }
    }

    // MARK: Range aggregations

    @Test func countOverTimePerStream() async throws {
        let result = try await matrix(range(.countOverTime, appA, seconds: 60))
        #expect(result == [Self.info: [6, 6], Self.error: [2, 2]])
    }

    @Test func rateDividesByTheRangeInSeconds() async throws {
        let result = try await matrix(range(.rate, appA, seconds: 60))
        #expect(result == [Self.info: [0.1, 0.1], Self.error: [2.0 / 60, 2.0 / 60]])
    }

    @Test func bytesOverTimeSumsLineLengths() async throws {
        let result = try await matrix(range(.bytesOverTime, appA, seconds: 60))
        #expect(result == [Self.info: [24, 24], Self.error: [4, 4]])
        let rate = try await matrix(range(.bytesRate, appA, seconds: 60))
        #expect(rate == [Self.info: [0.4, 0.4], Self.error: [4.0 / 60, 4.0 / 60]])
    }

    @Test func lineFilterBeforeCounting() async throws {
        let result = try await matrix(range(.countOverTime, all, [contains("y")], seconds: 60))
        #expect(result == [Self.error: [2, 2]])
    }

    @Test func offsetShiftsTheWindowButNotTheTimestamp() async throws {
        let engine = QueryEngine(source: Self.source)
        let result = try await engine.execute(
            .metric(range(.countOverTime, appA, seconds: 60, offset: 60 * second)),
            .range(tenants: ["fake"], start: base + 60 * second, end: base + 120 * second, step: 60 * second))
        guard case .matrix(let series) = result.data else {
            Issue.record("expected a matrix")
            return
        }
        #expect(series.map(\.labels) == [Self.error, Self.info])
        #expect(series[1].points == [SamplePoint(timestampMillis: (base + 120 * second) / 1_000_000, value: 6)])
    }

    @Test func absentOverTimeReportsEmptyWindowsWithTheEqualityMatchers() async throws {
        let result = try await matrix(range(.absentOverTime, [equal("app", "b"), regex("level", ".+")], seconds: 30))
        #expect(result == [labels(["app": "b"]): [1, 1]])
        let present = try await matrix(range(.absentOverTime, appA, seconds: 60))
        #expect(present.isEmpty)
    }

    @Test func stepsWithEmptyWindowsHaveNoPoint() async throws {
        let result = try await matrix(range(.countOverTime, [equal("app", "b")], seconds: 10), start: 0, end: 120,
                                      step: 10)
        #expect(result == [Self.other: [1, 1]])
    }

    // MARK: Vector aggregations

    @Test func sumByGroupsAndSumWithoutGroupingPushesDown() async throws {
        #expect(try await matrix(aggregate(.sum, range(.countOverTime, all, seconds: 60), by: ["level"]))
            == [labels(["level": "info"]): [7, 7], labels(["level": "error"]): [2, 2]])
        #expect(try await matrix(aggregate(.sum, range(.countOverTime, all, seconds: 60))) == [Labels(): [9, 9]])
        #expect(try await matrix(aggregate(.sum, range(.countOverTime, all, seconds: 60), without: ["level"]))
            == [labels(["app": "a"]): [8, 8], labels(["app": "b"]): [1, 1]])
    }

    @Test(arguments: [
        (VectorOperation.avg, 3.0), (.count, 3.0), (.max, 6.0), (.min, 1.0), (.stdvar, 14.0 / 3),
        (.stddev, (14.0 / 3).squareRoot()), (.sum, 9.0),
    ])
    func reducesEveryStep(operation: VectorOperation, expected: Double) async throws {
        let result = try await vector(aggregate(operation, range(.countOverTime, all, seconds: 60)))
        #expect(result.count == 1)
        #expect(result.first?.0 == Labels())
        #expect(abs((result.first?.1 ?? .nan) - expected) < 1e-12)
    }

    @Test func topkAndBottomkKeepOriginalLabels() async throws {
        let top = try await vector(aggregate(.topk, range(.countOverTime, all, seconds: 60), k: 1))
        #expect(top.map(\.0) == [Self.info])
        let bottom = try await vector(aggregate(.bottomk, range(.countOverTime, all, seconds: 60), k: 2))
        #expect(bottom.map(\.0) == [Self.error, Self.other])
        let perApp = try await vector(aggregate(.topk, range(.countOverTime, all, seconds: 60), by: ["app"], k: 1))
        #expect(perApp.map(\.0) == [Self.info, Self.other])
        // A huge k is valid LogQL and keeps every series; it must not reserve memory for k of them (found by the
        // HTTP fuzz test: topk(99999999999, ...) aborted the process).
        let huge = try await vector(aggregate(.topk, range(.countOverTime, all, seconds: 60), k: 99_999_999_999))
        #expect(huge.count == 3)
    }

    @Test func sortOrdersInstantVectorsByValue() async throws {
        let descending = try await vector(aggregate(.sortDesc, range(.countOverTime, all, seconds: 60)))
        #expect(descending.map(\.1) == [6, 2, 1])
        let ascending = try await vector(aggregate(.sort, range(.countOverTime, all, seconds: 60)))
        #expect(ascending.map(\.1) == [1, 2, 6])
    }

    @Test func instantVectorsAreSortedByLabels() async throws {
        let result = try await vector(range(.countOverTime, all, seconds: 60))
        #expect(result.map(\.0) == [Self.error, Self.info, Self.other])
        #expect(result.map(\.1) == [2, 6, 1])
    }

    // MARK: Binary operations

    @Test func arithmeticWithALiteral() async throws {
        let doubled = try await matrix(binary(.multiply, range(.countOverTime, appA, seconds: 60), .literal(2)))
        #expect(doubled == [Self.info: [12, 12], Self.error: [4, 4]])
        let divided = try await vector(binary(.divide, range(.countOverTime, appA, seconds: 60), .literal(0)))
        #expect(divided.allSatisfy { $0.1.isNaN })
        let modulo = try await vector(binary(.modulo, .literal(7), range(.countOverTime, appA, seconds: 60)))
        #expect(modulo.map(\.1) == [1, 1])
    }

    @Test func comparisonsFilterOrReturnBool() async throws {
        let filtered = try await vector(binary(.greater, range(.countOverTime, all, seconds: 60), .literal(1)))
        #expect(filtered.map(\.1) == [2, 6])
        let flags = try await vector(binary(.greater, range(.countOverTime, all, seconds: 60), .literal(1),
                                            returnBool: true))
        #expect(flags.map(\.1) == [1, 1, 0])
        let literalLeft = try await vector(binary(.greater, .literal(2), range(.countOverTime, all, seconds: 60)))
        #expect(literalLeft.map(\.0) == [Self.other])
        #expect(literalLeft.map(\.1) == [1])
    }

    @Test func groupLeftCopiesTheOneSide() async throws {
        let many = aggregate(.sum, range(.countOverTime, all, seconds: 60), by: ["app", "level"])
        let one = aggregate(.sum, range(.countOverTime, all, seconds: 60), by: ["app"])
        let result = try await vector(binary(.divide, many, one,
                                             matching: VectorMatching(on: true, labels: ["app"],
                                                                      card: .manyToOne(include: []))))
        #expect(result.map(\.0) == [Self.error, Self.info, Self.other])
        #expect(result.map(\.1) == [0.25, 0.75, 1])
    }

    @Test func oneToOneOnKeepsOnlyTheMatchingLabels() async throws {
        let lhs = aggregate(.sum, range(.countOverTime, all, seconds: 60), by: ["app"])
        let rhs = aggregate(.sum, range(.countOverTime, all, seconds: 60), by: ["app"])
        let result = try await vector(binary(.add, lhs, rhs, matching: VectorMatching(on: true, labels: ["app"])))
        #expect(result.map(\.1) == [16, 2])
    }

    @Test func manyToManyMatchingFailsWithStatus500() async throws {
        let lhs = aggregate(.sum, range(.countOverTime, all, seconds: 60), by: ["app", "level"])
        let expression = binary(.divide, lhs, lhs, matching: VectorMatching(on: true, labels: ["app"]))
        let expected = QueryError(.internalError, "found duplicate series on the right hand-side;many-to-many "
            + "matching not allowed: matching labels must be unique on one side")
        await #expect(throws: expected) { _ = try await matrix(expression) }
        #expect(expected.status == 500)
    }

    @Test func setOperators() async throws {
        let appSeries = range(.countOverTime, appA, seconds: 60)
        let infoSeries = range(.countOverTime, [equal("level", "info")], seconds: 60)
        #expect(try await vector(binary(.and, appSeries, infoSeries)).map(\.0) == [Self.info])
        #expect(try await vector(binary(.or, appSeries, infoSeries)).map(\.0) == [Self.error, Self.info, Self.other])
        #expect(try await vector(binary(.unless, appSeries, infoSeries)).map(\.0) == [Self.error])
    }

    @Test func labelReplaceMergesSeriesKeepingEveryPoint() async throws {
        let inner = aggregate(.sum, range(.countOverTime, appA, seconds: 60), by: ["app", "level"])
        let replaced = MetricExpr.labelReplace(LabelReplaceExpr(inner: inner, destination: "level", replacement: "",
                                                                source: "level", regex: ".*"))
        let result = try await matrix(replaced)
        #expect(result.keys.map { $0 } == [labels(["app": "a"])])
        #expect(result[labels(["app": "a"])]?.sorted() == [2, 2, 6, 6])
    }

    // MARK: Literals and vector()

    @Test func literalsAreScalarsForInstantAndMatricesForRangeQueries() async throws {
        let engine = QueryEngine(source: Self.source)
        let instant = try await engine.execute(.metric(.literal(2)), .instant(tenants: ["fake"], time: base))
        guard case .scalar(let time, let value) = instant.data else {
            Issue.record("expected a scalar")
            return
        }
        #expect(time == base / 1_000_000 && value == 2)
        #expect(try await matrix(.literal(3.5)) == [Labels(): [3.5, 3.5]])
        #expect(try await vector(.vector(1)).map(\.1) == [1])
        let fallback = binary(.or, aggregate(.sum, range(.rate, [equal("app", "none")], seconds: 60)), .vector(0))
        #expect(try await matrix(fallback) == [Labels(): [0, 0]])
    }

    // MARK: Limits

    @Test func seriesLimitUsesLokisText() async throws {
        await #expect(throws: QueryError.seriesLimit(2)) {
            _ = try await matrix(range(.countOverTime, all, seconds: 60), limits: QueryLimits(maxQuerySeries: 2))
        }
        #expect(QueryError.seriesLimit(500).message.hasPrefix("maximum number of series (500) reached for a single query;"))
    }

    @Test func approxTopkIsRejectedUnlessEnabled() async throws {
        await #expect(throws: QueryError.approxTopkDisabled) {
            _ = try await vector(aggregate(.approxTopk, range(.countOverTime, all, seconds: 60), k: 1))
        }
    }

    @Test func rangeLimitRejectsLongWindows() async throws {
        await #expect(throws: QueryError.intervalLimit(range: 3600 * second, limit: 60 * second)) {
            _ = try await matrix(range(.countOverTime, all, seconds: 3600),
                                 limits: QueryLimits(maxQueryRange: 60 * second))
        }
        #expect(QueryError.intervalLimit(range: 3600 * second, limit: 60 * second).message
            == "[interval] value exceeds limit: [1h] > [1m]")
    }
}
