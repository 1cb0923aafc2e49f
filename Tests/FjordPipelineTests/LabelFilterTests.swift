import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("Label filters")
struct LabelFilterTests {
    let proxyLine = "method=POST status=503 duration=1.5s size=20KB client=10.0.4.38 empty="

    @Test("string matchers", arguments: [
        (labelFilter("method", .equal, "POST"), true),
        (labelFilter("method", .notEqual, "POST"), false),
        (labelFilter("method", .regexMatch, "PO.*"), true),
        (labelFilter("method", .regexMatch, "OST"), false),
        (labelFilter("method", .notRegexMatch, "GET|PUT"), true),
        (labelFilter("missing", .equal, ""), true),
        (labelFilter("missing", .regexMatch, ".*"), true),
        (labelFilter("__error__", .equal, ""), true),
    ])
    func strings(stage: PipelineStage, expected: Bool) throws {
        #expect(try passes([logfmt, stage], proxyLine) == expected)
    }

    @Test("one-sided regexes are substring tests, as in Loki (grafana/loki#23892)", arguments: [
        ("al.*", "prealpha", true),
        (".*al", "alpha", true),
        ("warn|warning", "prewarn", true),
        ("foo|bar", "xfoo", false),
        ("foo|bar", "bar", true),
        ("al[a-z]*", "prealpha", false),
        ("(?i)ALPHA", "alpha", true),
        (".+", "", false),
    ])
    func lokiRegexSimplification(pattern: String, value: String, expected: Bool) throws {
        let stages: [PipelineStage] = [logfmt, labelFilter("name", .regexMatch, pattern)]
        #expect(try passes(stages, "name=\(value) x=1") == expected)
    }

    @Test("numeric, duration and bytes comparisons", arguments: [
        (numberFilter("status", .greaterOrEqual, 500), true),
        (numberFilter("status", .equal, 503), true),
        (numberFilter("status", .less, 500), false),
        (PipelineStage.labelFilter(.duration(name: "duration", op: .greaterOrEqual, seconds: 1.5, literal: "1500ms")), true),
        (PipelineStage.labelFilter(.duration(name: "duration", op: .greater, seconds: 1.5, literal: "1500ms")), false),
        (PipelineStage.labelFilter(.bytes(name: "size", op: .equal, bytes: 20000, literal: "20KB")), true),
        (PipelineStage.labelFilter(.bytes(name: "size", op: .greater, bytes: 20000, literal: "20KB")), false),
        (numberFilter("missing", .greater, 1), false),
        (PipelineStage.labelFilter(.ip(name: "client", equal: true, pattern: "10.0.0.0/8")), true),
        (PipelineStage.labelFilter(.ip(name: "client", equal: false, pattern: "10.0.0.0/8")), false),
        (PipelineStage.labelFilter(.ip(name: "missing", equal: true, pattern: "10.0.0.0/8")), false),
    ])
    func comparisons(stage: PipelineStage, expected: Bool) throws {
        #expect(try passes([logfmt, stage], proxyLine) == expected)
    }

    @Test func conversionFailureKeepsLineWithError() throws {
        let labels = try labelsAfter([logfmt, numberFilter("duration", .greater, 5)], proxyLine)
        #expect(labels?["__error__"] == "LabelFilterErr")
        #expect(labels?["__error_details__"] == "strconv.ParseFloat: parsing \"1.5s\": invalid syntax")
        let duration = PipelineStage.labelFilter(.duration(name: "method", op: .greater, seconds: 1, literal: "1s"))
        #expect(try labelsAfter([logfmt, duration], proxyLine)?["__error_details__"] == "time: invalid duration \"POST\"")
    }

    @Test func firstErrorIsKept() throws {
        let stages: [PipelineStage] = [logfmt, numberFilter("duration", .greater, 5), numberFilter("method", .greater, 5)]
        #expect(try labelsAfter(stages, proxyLine)?["__error_details__"] == "strconv.ParseFloat: parsing \"1.5s\": invalid syntax")
    }

    @Test func ipFilterKeepsErroredLines() throws {
        let stages: [PipelineStage] = [json, .labelFilter(.ip(name: "client", equal: true, pattern: "10.0.0.0/8"))]
        #expect(try passes(stages, "not json"))
    }

    @Test func andBindsTighterThanOr() throws {
        // method="GET" and status=404 or method="POST"
        let expr = LabelFilterExpr.or(
            .and(.string(matcher("method", .equal, "GET")), .number(name: "status", op: .equal, value: 404, literal: "404")),
            .string(matcher("method", .equal, "POST")))
        #expect(try passes([logfmt, .labelFilter(expr)], proxyLine))
        #expect(try !passes([logfmt, .labelFilter(expr)], "method=GET status=500"))
        #expect(try passes([logfmt, .labelFilter(expr)], "method=GET status=404"))
    }

    @Test func andEvaluatesBothSidesLikeLoki() throws {
        // (method="GET" and duration > 1) or status=503: the right side of `and` still records its error.
        let expr = LabelFilterExpr.or(
            .and(.string(matcher("method", .equal, "GET")), .number(name: "duration", op: .greater, value: 1, literal: "1")),
            .number(name: "status", op: .equal, value: 503, literal: "503"))
        #expect(try labelsAfter([logfmt, .labelFilter(expr)], proxyLine)?["__error__"] == "LabelFilterErr")
    }

    @Test func errorFilterDropsErroredLines() throws {
        let stages: [PipelineStage] = [json, labelFilter("__error__", .equal, "")]
        #expect(try !passes(stages, "plain"))
        #expect(try passes(stages, #"{"a":1}"#))
    }
}

@Suite("| drop, | keep, | decolorize")
struct DropKeepTests {
    @Test func dropNamesAndMatchers() throws {
        let stage = PipelineStage.drop([LabelSelection(name: "a"), LabelSelection(name: "b", matcher: matcher("b", .equal, "2")),
                                        LabelSelection(name: "c", matcher: matcher("c", .regexMatch, "9.*"))])
        #expect(try labelsAfter([logfmt, stage], "a=1 b=2 c=3 d=4", stream: ["app": "x"]) == ["app": "x", "c": "3", "d": "4"])
    }

    @Test func dropStreamLabelAndError() throws {
        let stage = PipelineStage.drop([LabelSelection(name: "app"), LabelSelection(name: "__error__"),
                                        LabelSelection(name: "__error_details__")])
        #expect(try labelsAfter([json, stage], "oops", stream: ["app": "x", "env": "p"]) == ["env": "p"])
    }

    @Test func keepListedLabelsAndErrors() throws {
        let stage = PipelineStage.keep([LabelSelection(name: "a"), LabelSelection(name: "b", matcher: matcher("b", .equal, "9"))])
        #expect(try labelsAfter([logfmt, stage], "a=1 b=2", stream: ["app": "x"]) == ["a": "1"])
        let errored = try labelsAfter([json, .keep([LabelSelection(name: "app")])], "plain", stream: ["app": "x", "env": "p"])
        #expect(errored == ["app": "x", "__error__": "JSONParserErr",
                            "__error_details__": "Value looks like object, but can't find closing '}' symbol"])
    }

    @Test func decolorizeRemovesAnsiSequences() throws {
        let line = "\u{1B}[1;32m[2026-11-22 03:00:01,123: INFO/MainProcess]\u{1B}[0m Task tasks.sync[abc] succeeded"
        #expect(try run([.decolorize], line)?.line == "[2026-11-22 03:00:01,123: INFO/MainProcess] Task tasks.sync[abc] succeeded")
        #expect(try run([.decolorize], "plain")?.line == "plain")
        #expect(try run([.decolorize], "a\u{9B}31mb")?.line == "ab")
    }
}
