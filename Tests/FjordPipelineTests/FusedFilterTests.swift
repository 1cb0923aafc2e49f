import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

/// The two-pass `parser | filter` evaluation must give exactly the single-pass answers. A `drop` of a label
/// that never exists between parser and filter prevents the fusion, which gives the reference answer.
@Suite("Parser + filter fusion")
struct FusedFilterTests {
    static let lines = [
        #"{"level":"error","msg":"a","latency_ms":1500}"#,
        #"{"level":"info","msg":"b","latency_ms":"slow"}"#,
        #"{"msg":"c","level":"error","level":"info"}"#,
        #"{"http":{"status":503},"level":"error"}"#,
        #"{"level":"error","broken":tru}"#,
        #"{"broken":tru,"level":"error"}"#,
        #"not json at all"#,
        #"level=error msg="x y" status=503 latency_ms=2000"#,
        #"level=info status=abc latency_ms=10"#,
        #"status=503 status=200 level=error"#,
        #"level=error msg="unterminated"#,
        #"{"status": 503, "level": "warn", "nested": {"level": "error"}}"#,
    ]

    static let filters: [LabelFilterExpr] = [
        .string(matcher("level", .equal, "error")),
        .string(matcher("level", .regexMatch, "err.*")),
        .string(matcher("level_extracted", .equal, "error")),
        .number(name: "latency_ms", op: .greater, value: 1000, literal: "1000"),
        .number(name: "http_status", op: .greaterOrEqual, value: 500, literal: "500"),
        .or(.number(name: "status", op: .equal, value: 503, literal: "503"), .string(matcher("msg", .equal, "b"))),
        .and(.string(matcher("level", .notEqual, "info")), .number(name: "status", op: .less, value: 600, literal: "600")),
        .string(matcher("missing", .equal, "")),
    ]

    static let parsers: [PipelineStage] = [
        .json(extractions: []),
        .logfmt(strict: false, keepEmpty: false, extractions: []),
        .logfmt(strict: true, keepEmpty: true, extractions: []),
    ]

    static let streams: [[String: String]] = [["app": "a"], ["app": "a", "level": "warn"], ["status": "1"]]

    @Test(arguments: parsers)
    func fusionMatchesSinglePass(parser: PipelineStage) throws {
        for filter in Self.filters {
            let fused = [parser, PipelineStage.labelFilter(filter)]
            #expect(try LogPipeline(stages: fused).programs.first is FilteredParserProgram)
            let reference = [parser, .drop([LabelSelection(name: "zz_never_present")]), .labelFilter(filter)]
            for stream in Self.streams {
                for metadata in [[:], ["msg": "m"]] as [[String: String]] {
                    for line in Self.lines {
                        let expected = try run(reference, line, stream: stream, metadata: metadata)
                        let actual = try run(fused, line, stream: stream, metadata: metadata)
                        #expect(actual == expected, "\(filter) on \(line) in \(stream)")
                    }
                }
            }
        }
    }

    @Test func ipAndErrorFiltersAreNotFused() throws {
        let ip = try LogPipeline(stages: [json, .labelFilter(.ip(name: "c", equal: true, pattern: "10.0.0.0/8"))])
        #expect(!(ip.programs.first is FilteredParserProgram))
        let error = try LogPipeline(stages: [json, labelFilter("__error__", .equal, "")])
        #expect(!(error.programs.first is FilteredParserProgram))
    }
}
