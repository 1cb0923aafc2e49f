import FjordConformanceKit
import Foundation
import Testing

/// The parts of the conformance harness the HTTP suite relies on: lcrun's offsets and lcnorm's normalisation of raw
/// responses (checked here, with the other harness tests, because they need no server).
@Suite struct HTTPNormalizationTests {
    static let base: Int64 = 1_795_316_400 * 1_000_000_000

    @Test(arguments: [
        ("1h30m", 5_400_000_000_000), ("-1h", -3_600_000_000_000), ("1.5h", 5_400_000_000_000),
        ("500ms", 500_000_000), ("3600", 3_600_000_000_000), ("2m30s", 150_000_000_000), ("0s", 0),
    ] as [(String, Int64)])
    func offsetsAreParsedLikeLcrun(text: String, nanos: Int64) throws {
        #expect(try ConformanceCase.offset(text) == nanos)
    }

    @Test func badOffsetsAreRejected() {
        for text in ["", "-", "5x", "h", "1h 30m"] {
            #expect(throws: (any Error).self, "\(text)") { try ConformanceCase.offset(text) }
        }
    }

    @Test func matrixIsNormalisedLikeLcnorm() throws {
        let body = #"{"status":"success","data":{"resultType":"matrix","result":["#
            + #"{"metric":{"b":"2"},"values":[[1795316460,"2"],[1795316400.5,"1"]]},"#
            + #"{"metric":{"a":"at 2026-11-22T03:00:01Z"},"values":[[1795316400,"3"]]}]},"warnings":["w2","w1"]}"#
        let answer = try NormalizedAnswer(httpStatus: 200, body: Data(body.utf8), kind: "range", query: "x",
                                          base: Self.base)
        guard case .matrix(let series) = answer.body else {
            Issue.record("not a matrix: \(answer.body.kindName)")
            return
        }
        #expect(series.map(\.labels) == [["a": "at <BASE+1sT>Z"], ["b": "2"]])
        #expect(series[1].values.map(\.0) == [500, 60_000])
        #expect(answer.warnings == ["w1", "w2"])
    }

    @Test func streamsKeepDirectionAndOrderEqualTimestampsByLine() throws {
        let body = #"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"x"},"#
            + #""values":[["1795316400000000009","b"],["1795316400000000009","a"],["1795316400000000001","c"]]}]}}"#
        let answer = try NormalizedAnswer(httpStatus: 200, body: Data(body.utf8), kind: "range", query: "{app=\"x\"}",
                                          base: Self.base)
        guard case .streams(let streams) = answer.body else {
            Issue.record("not streams: \(answer.body.kindName)")
            return
        }
        #expect(streams.first?.values.map(\.1) == ["a", "b", "c"])
        #expect(streams.first?.values.map(\.0) == [9, 9, 1])
    }

    @Test func vectorKeepsServerOrderOnlyForSortQueries() throws {
        let body = #"{"status":"success","data":{"resultType":"vector","result":["#
            + #"{"metric":{"a":"z"},"value":[1795316400,"1"]},{"metric":{"a":"y"},"value":[1795316400,"2"]}]}}"#
        for (query, order) in [("sort(x)", ["z", "y"]), ("sum(x)", ["y", "z"])] {
            let answer = try NormalizedAnswer(httpStatus: 200, body: Data(body.utf8), kind: "instant", query: query,
                                              base: Self.base)
            guard case .vector(let samples, _) = answer.body else {
                Issue.record("not a vector")
                return
            }
            #expect(samples.map { $0.labels["a"] ?? "" } == order, "\(query)")
        }
    }

    @Test func errorsAndMetadataListsAreNormalised() throws {
        let error = try NormalizedAnswer(httpStatus: 400, body: Data("parse error : x\n".utf8), kind: "range",
                                         query: "", base: Self.base)
        guard case .error(400, "parse error : x") = error.body else {
            Issue.record("error not normalised: \(error.body)")
            return
        }
        let empty = try NormalizedAnswer(httpStatus: 200, body: Data(#"{"status":"success"}"#.utf8), kind: "labels",
                                         query: "", base: Self.base)
        guard case .names([]) = empty.body else {
            Issue.record("missing data is not an empty list")
            return
        }
        let series = try NormalizedAnswer(
            httpStatus: 200, body: Data(#"{"status":"success","data":[{"b":"1"},{"a":"2","c":"3"}]}"#.utf8),
            kind: "series", query: "", base: Self.base)
        guard case .series(let sets) = series.body else {
            Issue.record("not series")
            return
        }
        #expect(sets == [["a": "2", "c": "3"], ["b": "1"]])
        #expect(throws: NormalizedAnswer.ShapeError.self) {
            try NormalizedAnswer(httpStatus: 200, body: Data(#"{"data":{"resultType":"what"}}"#.utf8),
                                 kind: "range", query: "", base: Self.base)
        }
    }

    @Test func comparisonUsesTolerancesAndReportsWarnings() {
        let expected = NormalizedAnswer(body: .scalar(time: nil, value: "0.30000000000000004"))
        #expect(expected.differences(from: NormalizedAnswer(body: .scalar(time: 5, value: "0.3"))).isEmpty)
        let withWarning = NormalizedAnswer(body: .names(["a"]), warnings: ["careful"])
        #expect(NormalizedAnswer(body: .names(["a"])).differences(from: withWarning).count == 1)
        #expect(NormalizedAnswer(body: .names(["a", "b"])).differences(from: NormalizedAnswer(body: .names(["a"])))
            .contains("missing e.g. b"))
        let status = NormalizedAnswer(status: 400, errorText: "x").differences(from: NormalizedAnswer(status: 500,
                                                                                                    errorText: "x"))
        #expect(status.first == "HTTP status: expected 400 got 500")
    }

    @Test func pipelineErrorSeriesNeedsTheClosingQuoteBeforeANewline() {
        let text = "pipeline error: 'JSONParserErr' for series: '{a=\"it's.\"}'.\nUse a label filter"
        #expect(Lcnorm.normalizeError(text) == "pipeline error: 'JSONParserErr' for series: '<series>'.\nUse a label filter")
        #expect(Lcnorm.normalizeError("for series: 'x'. no newline") == "for series: 'x'. no newline")
    }
}
