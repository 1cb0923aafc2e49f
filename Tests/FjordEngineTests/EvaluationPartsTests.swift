@testable import FjordEngine
import FjordLogQL
import FjordModel
import FjordRegex
import Testing

/// The pure pieces of evaluation: window functions, label_replace expansion, extraction planning.
@Suite struct EvaluationPartsTests {
    func aggregate(_ operation: RangeOperation, _ values: [Double], times: [Int64]? = nil, range: Int64 = 60 * second,
                   parameter: Double? = nil, unwrap: Bool = true) -> Double {
        let times = times ?? values.indices.map { base + Int64($0) * second }
        return times.withUnsafeBufferPointer { timeBuffer in
            values.withUnsafeBufferPointer { valueBuffer in
                RangeFunctions.aggregate(operation, range: range, parameter: parameter, hasUnwrap: unwrap,
                                         times: timeBuffer, values: valueBuffer)
            }
        }
    }

    @Test func overTimeFunctions() {
        let values: [Double] = [3, 1, 4, 1, 5]
        #expect(aggregate(.sumOverTime, values) == 14)
        #expect(aggregate(.avgOverTime, values) == 2.8)
        #expect(aggregate(.minOverTime, values) == 1)
        #expect(aggregate(.maxOverTime, values) == 5)
        #expect(aggregate(.firstOverTime, values) == 3)
        #expect(aggregate(.lastOverTime, values) == 5)
        #expect(abs(aggregate(.stdvarOverTime, values) - 2.56) < 1e-12)
        #expect(abs(aggregate(.stddevOverTime, values) - 2.56.squareRoot()) < 1e-12)
        #expect(aggregate(.rate, values) == 14.0 / 60)
        #expect(aggregate(.rate, values, unwrap: false) == 5.0 / 60)
        #expect(aggregate(.countOverTime, values) == 5)
    }

    @Test func maxAndMinSkipALeadingNaN() {
        #expect(aggregate(.maxOverTime, [.nan, 2, 1]) == 2)
        #expect(aggregate(.minOverTime, [.nan, 2, 1]) == 1)
    }

    @Test func averageStaysInfinite() {
        #expect(aggregate(.avgOverTime, [.infinity, 1, 2]) == .infinity)
    }

    @Test(arguments: [(0.5, 2.5), (0.0, 1.0), (1.0, 4.0), (0.25, 1.75), (-0.1, -Double.infinity),
                      (1.5, Double.infinity)])
    func quantileInterpolatesLinearly(phi: Double, expected: Double) {
        #expect(aggregate(.quantileOverTime, [4, 1, 3, 2], parameter: phi) == expected)
    }

    @Test func rateCounterHandlesResetsAndNeedsTwoSamples() {
        #expect(aggregate(.rateCounter, [5]) == 0)
        // Same arithmetic as Loki (nanosecond times minus a millisecond range): 1, 2 then a reset to 1.
        let times = [base, base + 10 * second, base + 20 * second]
        let value = aggregate(.rateCounter, [1, 2, 1], times: times)
        let sampled = Double(20 * second) / 1000
        let increase = (1.0 - 1.0 + 2.0)
        let durationToZero = sampled * (1.0 / increase)
        let toStart = min(Double(60 * second / 1_000_000) / 1000, durationToZero)
        let average = sampled / 2
        let extrapolated = sampled + (toStart < average * 1.1 ? toStart : average / 2) + 0
        #expect(abs(value - increase * (extrapolated / sampled) / 60) < 1e-12)
    }

    @Test func goSecondsKeepsNanoseconds() {
        #expect(RangeFunctions.seconds(90 * second) == 90)
        #expect(RangeFunctions.seconds(1_500_000_000) == 1.5)
    }

    @Test(arguments: [
        ("$1", "b"), ("${1}x", "bx"), ("$1x", ""), ("$$1", "$1"), ("x-$name", "x-b"), ("${name}", "b"),
        ("$", "$"), ("${1", "${1"), ("$0", "ab"), ("$9", ""), ("$01", ""),
    ])
    func labelReplaceExpandsLikeGo(template: String, expected: String) throws {
        let regex = try RE2Regex("^(?:a(?P<name>b))$")
        let match = try #require(regex.firstMatch(in: "ab"))
        #expect(LabelReplaceEvaluator.expand(template, source: Array("ab".utf8), match: match,
                                             groupNames: regex.groupNames) == expected)
    }

    @Test func labelReplaceDeletesTheDestinationOnAnEmptyResult() throws {
        let expression = LabelReplaceExpr(inner: .vector(1), destination: "dst", replacement: "$1", source: "src",
                                          regex: "x(.*)")
        let evaluator = try LabelReplaceEvaluator(expression)
        #expect(evaluator.replace(labels(["src": "x", "dst": "old"])) == labels(["src": "x"]))
        #expect(evaluator.replace(labels(["src": "xy"])) == labels(["src": "xy", "dst": "y"]))
        #expect(evaluator.replace(labels(["src": "nope", "dst": "old"])) == labels(["src": "nope", "dst": "old"]))
    }

    @Test func labelReplaceRejectsABadRegexAtParseTime() {
        let expression = LabelReplaceExpr(inner: .vector(1), destination: "dst", replacement: "$1", source: "src",
                                          regex: "(")
        #expect(throws: QueryError.self) { _ = try LabelReplaceEvaluator(expression) }
    }

    func plan(_ pipeline: [PipelineStage], operation: RangeOperation = .countOverTime, grouping: Grouping? = nil,
              pushed: Grouping? = nil, unwrap: UnwrapExpr? = nil) -> ExtractionPlan {
        let aggregation = RangeAggregation(
            operation: operation,
            range: LogRangeExpr(selector: LogSelectorExpr(matchers: [equal("a", "b")], pipeline: pipeline),
                                range: 60 * second, unwrap: unwrap),
            grouping: grouping)
        return ExtractionPlan(aggregation: aggregation, pushedGrouping: pushed)
    }

    @Test func parsersAreSkippedWhenNoLabelIsKept() {
        let singleton = Grouping(without: false, labels: [])
        let skipped = plan([.json(extractions: []), contains("x")], pushed: singleton)
        #expect(skipped.stages == [contains("x")])
        #expect(skipped.noLabels)
        let grouped = plan([.json(extractions: [])], pushed: Grouping(without: false, labels: ["container"]))
        #expect(grouped.stages == [.json(extractions: [])])
        let filtered = plan([.json(extractions: []), .labelFilter(.string(equal("level", "error")))], pushed: singleton)
        #expect(filtered.stages.count == 2)
        let absent = plan([.logfmt(strict: false, keepEmpty: false, extractions: [])], operation: .absentOverTime)
        #expect(absent.stages.isEmpty && absent.needsOnlySizes)
    }

    @Test func onlySizesAreReadForCountingWithoutStages() {
        #expect(plan([]).needsOnlySizes)
        #expect(plan([], operation: .bytesRate).needsOnlySizes)
        #expect(!plan([contains("x")]).needsOnlySizes)
        #expect(!plan([], operation: .sumOverTime, unwrap: UnwrapExpr(label: "x")).needsOnlySizes)
    }

    @Test func groupingKeepsErrorLabels() {
        let grouped = plan([], pushed: Grouping(without: false, labels: ["app"]))
        #expect(grouped.group(labels(["app": "a", "pod": "p"])) == labels(["app": "a"]))
        let failing = labels(["app": "a", "__error__": "JSONParserErr"])
        #expect(grouped.group(failing) == failing)
        let without = plan([], pushed: Grouping(without: true, labels: ["pod"]))
        #expect(without.group(labels(["app": "a", "pod": "p"])) == labels(["app": "a"]))
    }

    @Test func prometheusLabelOrder() {
        #expect(ResultAssembly.compare(labels(["a": "1"]), labels(["a": "1", "b": "2"])) < 0)
        #expect(ResultAssembly.compare(labels(["a": "2"]), labels(["a": "10"])) > 0)
        #expect(ResultAssembly.compare(labels(["b": "1"]), labels(["a": "1", "c": "1"])) > 0)
    }

    @Test func pipelineErrorTextMatchesLoki() {
        let error = QueryError.pipelineError(series: labels(["__error__": "JSONParserErr", "app": "a"]))
        #expect(error.message.hasPrefix("pipeline error: 'JSONParserErr' for series: '{__error__=\"JSONParserErr\", "
            + "app=\"a\"}'.\nUse a label filter to intentionally skip this error. (e.g | __error__!=\"JSONParserErr\")."))
        #expect(error.status == 400)
    }
}
