import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("Sample extraction")
struct SampleExtractorTests {
    func samples(_ stages: [PipelineStage], _ operation: RangeOperation, unwrap: UnwrapExpr? = nil,
                 grouping: Grouping? = nil, pushed: Grouping? = nil, lines: [String],
                 stream: [String: String] = ["app": "a"]) throws -> [(Double, [String: String])] {
        let pipeline = try LogPipeline(stages: stages)
        let extractor = try SampleExtractor(pipeline: pipeline, operation: operation, unwrap: unwrap, grouping: grouping,
                                            pushedDownGrouping: pushed)
        let processor = extractor.makeProcessor(streamLabels: Labels(stream))
        var out: [(Double, [String: String])] = []
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            guard let sample = bytes.withUnsafeBytes({ processor.process(timestamp: Int64(index), line: $0, metadata: Labels()) })
            else { continue }
            var labels: [String: String] = [:]
            for pair in sample.labels { labels[pair.name] = pair.value }
            out.append((sample.value, labels))
        }
        return out
    }

    @Test func countAndBytes() throws {
        let counted = try samples([contains("x")], .countOverTime, lines: ["x1", "y", "x22"])
        #expect(counted.map(\.0) == [1, 1])
        #expect(counted.map(\.1) == [["app": "a"], ["app": "a"]])
        let bytes = try samples([.decolorize], .bytesOverTime, lines: ["\u{1B}[0mab"])
        #expect(bytes.map(\.0) == [2])
    }

    @Test func unwrapConversions() throws {
        let lines = ["d=1.5s b=1.2kB n=42 e=", "d=abc b=1 n=x", "other=1"]
        let float = try samples([logfmt], .sumOverTime, unwrap: UnwrapExpr(label: "n"), lines: lines)
        #expect(float.count == 2)
        #expect(float[0].0 == 42)
        #expect(float[0].1 == ["app": "a", "d": "1.5s", "b": "1.2kB"])
        #expect(float[1].1["__error__"] == "SampleExtractionErr")
        #expect(float[1].1["__error_details__"] == "strconv.ParseFloat: parsing \"x\": invalid syntax")
        let duration = try samples([logfmt], .sumOverTime, unwrap: UnwrapExpr(label: "d", conversion: .duration), lines: lines)
        #expect(duration[0].0 == 1.5)
        let bytes = try samples([logfmt], .sumOverTime, unwrap: UnwrapExpr(label: "b", conversion: .bytes), lines: lines)
        #expect(bytes.map(\.0) == [1200, 1])
        let empty = try samples([PipelineStage.logfmt(strict: false, keepEmpty: true, extractions: [])], .sumOverTime,
                                unwrap: UnwrapExpr(label: "e"), lines: lines)
        #expect(empty.isEmpty)
    }

    @Test func postFiltersDropErrors() throws {
        let unwrap = UnwrapExpr(label: "n", postFilters: [.string(matcher("__error__", .equal, ""))])
        let values = try samples([logfmt], .sumOverTime, unwrap: unwrap, lines: ["n=1", "n=x", "n=3"])
        #expect(values.map(\.0) == [1, 3])
    }

    @Test func groupingByAndWithout() throws {
        let lines = ["method=GET status=200", "method=POST status=500"]
        let by = try samples([logfmt], .countOverTime, grouping: nil, pushed: Grouping(without: false, labels: ["method"]),
                             lines: lines)
        #expect(by.map(\.1) == [["method": "GET"], ["method": "POST"]])
        let without = try samples([logfmt], .countOverTime, pushed: Grouping(without: true, labels: ["status", "app"]),
                                  lines: lines)
        #expect(without.map(\.1) == [["method": "GET"], ["method": "POST"]])
        let unwrapBy = try samples([logfmt], .maxOverTime, unwrap: UnwrapExpr(label: "status"),
                                   grouping: Grouping(without: false, labels: ["method"]), lines: lines)
        #expect(unwrapBy.map(\.1) == [["method": "GET"], ["method": "POST"]])
    }

    @Test func emptyGroupingSkipsParsing() throws {
        // sum(count_over_time({…} | json [5m])): parsers do not run, so unparsable lines carry no error.
        let quiet = try samples([json], .countOverTime, pushed: Grouping(without: false, labels: []), lines: ["not json"])
        #expect(quiet.map(\.1) == [[:]])
        // With grouping the parser runs and the error keeps all labels.
        let loud = try samples([json], .countOverTime, pushed: Grouping(without: false, labels: ["app"]), lines: ["not json"])
        #expect(loud.first?.1["__error__"] == "JSONParserErr")
        // Without any grouping all labels are kept.
        let plain = try samples([json], .countOverTime, lines: ["not json"])
        #expect(plain.first?.1["__error__"] == "JSONParserErr")
    }

    @Test func errorFilterPreservesErrors() throws {
        // sum(count_over_time({…} | json | __error__!="" [5m])) keeps errors as requested.
        let stages: [PipelineStage] = [json, labelFilter("__error__", .notEqual, "")]
        let kept = try samples(stages, .countOverTime, pushed: Grouping(without: false, labels: []), lines: ["not json"])
        #expect(kept.first?.1["__preserve_error__"] == "true")
    }

    @Test func unwrappedLabelIsRemovedWithoutGrouping() throws {
        let values = try samples([json], .maxOverTime, unwrap: UnwrapExpr(label: "duration_ms"),
                                 lines: [#"{"event":"swap","duration_ms":30.5}"#])
        #expect(values.map(\.1) == [["app": "a", "event": "swap"]])
        #expect(values.map(\.0) == [30.5])
    }

    @Test func pushDownRule() {
        #expect(SampleExtractor.pushesDownGrouping(vector: .sum, range: .countOverTime))
        #expect(!SampleExtractor.pushesDownGrouping(vector: .max, range: .countOverTime))
        #expect(!SampleExtractor.pushesDownGrouping(vector: .sum, range: .maxOverTime))
    }
}

@Suite("Parser hints")
struct ParserHintTests {
    @Test func extractionStopsOnceRequiredLabelsAreFound() throws {
        // sum by (level) (count_over_time({…} | json [5m])): only `level` is extracted, parsing stops there, so the
        // broken tail raises no error (as in Loki).
        let pipeline = try LogPipeline(stages: [json])
        let extractor = try SampleExtractor(pipeline: pipeline, operation: .countOverTime, unwrap: nil, grouping: nil,
                                            pushedDownGrouping: Grouping(without: false, labels: ["level"]))
        let processor = extractor.makeProcessor(streamLabels: Labels(["app": "a"]))
        let early = Array(#"{"level":"warn","x":tru"#.utf8)
        let sample = early.withUnsafeBytes { processor.process(timestamp: 0, line: $0, metadata: Labels()) }
        #expect(sample?.labels == Labels(["level": "warn"]))
        let late = Array(#"{"x":tru,"level":"warn"}"#.utf8)
        let broken = late.withUnsafeBytes { processor.process(timestamp: 0, line: $0, metadata: Labels()) }
        #expect(broken?.labels["__error__"] == "JSONParserErr")
    }

    @Test func hintsFollowLoki() {
        let byLevel = ParserHints(requiredLabelNames: ["status"], groups: ["level_extracted"], without: false,
                                  noLabels: false, metricLabelName: "")
        #expect(byLevel.required?.map(\.string) == ["status", "level_extracted", "level"])
        let without = ParserHints(requiredLabelNames: ["status"], groups: ["a"], without: true, noLabels: false,
                                  metricLabelName: "")
        #expect(without.required == nil)
        let none = ParserHints(requiredLabelNames: [], groups: [], without: false, noLabels: true, metricLabelName: "")
        #expect(none.noLabels)
        let preserve = ParserHints(requiredLabelNames: ["__error__"], groups: [], without: false, noLabels: true,
                                   metricLabelName: "")
        #expect(preserve.preserveError && !preserve.noLabels)
    }
}
