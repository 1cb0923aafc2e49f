import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("| json")
struct JSONParserTests {
    @Test("flattening, sanitising, skipping", arguments: [
        (#"{"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}}}"#,
         ["app": "foo", "namespace": "prod", "pod_uuid": "foo", "pod_deployment_ref": "foobar"]),
        (#"{"counter":1, "price": {"_net_":5.56909}}"#, ["counter": "1", "price__net_": "5.56909"]),
        (#"{"counter":1,"foo":"foo\\\"bar", "price": {"_net_":5.56909}}"#,
         ["counter": "1", "foo": #"foo\"bar"#, "price__net_": "5.56909"]),
        (#"{"counter":1,"foo":"foo\ufffd", "price": {"_net_":5.56909}}"#,
         ["counter": "1", "foo": "foo ", "price__net_": "5.56909"]),
        (#"{"counter":1, "price": {"net_":["10","20"]}}"#, ["counter": "1"]),
        (#"{"cou-nter":1}"#, ["cou_nter": "1"]),
        (#"{"a.b":{"c":"d"}}"#, ["a_b_c": "d"]),
        (#"{"2fa": true, "ok": false, "nothing": null}"#, ["_2fa": "true", "ok": "false"]),
        (#"{"rate limits": {"remaining-requests": 5, "1x": 2}}"#,
         ["rate_limits_remaining_requests": "5", "rate_limits_1x": "2"]),
        (#"{" ": {"foo":"bar"}}"#, ["foo": "bar"]),
        (#"{" ": {" ":"bar"}}"#, ["": "bar"]),
        (#"{"": {"":"bar"}}"#, ["": "bar"]),
        (#"{"foo":{"cou-nter":1}}""#, ["foo_cou_nter": "1"]),
        (#"{"msg":"caf\u00e9 \u2192 ok"}"#, ["msg": "café → ok"]),
        (#"{"emoji":"\ud83d\ude00"}"#, ["emoji": "😀"]),
        (#"{"bad":"\x"}"#, ["bad": ""]),
        (#"  {"spaced" : "yes" } trailing"#, ["spaced": "yes"]),
    ])
    func flattening(line: String, expected: [String: String]) throws {
        #expect(try labelsAfter([json], line) == expected)
    }

    @Test("errors carry jsonparser's messages", arguments: [
        ("ValueError: expected <dict> & got 'None'", "Value looks like object, but can't find closing '}' symbol", [:]),
        ("", "Value looks like object, but can't find closing '}' symbol", [:]),
        (#"{"a":"b","c":"d"#, "Value is string, but can't find closing '\"' symbol", ["a": "b"]),
        (#"{"a":1"#, "Value is array, but can't find closing ']' symbol", ["a": "1"]),
        (#"{"a":tru}"#, "Unknown value type", [:]),
        (#"{"a":1,}"#, "Value looks like object, but can't find closing '}' symbol", ["a": "1"]),
        (#"{"a" 1}"#, "Malformed JSON error", [:]),
        (#"{"a":{"b":1}"#, "Value is array, but can't find closing ']' symbol", ["a_b": "1"]),
        (#"{"a":{"b":1"#, "Value looks like object, but can't find closing '}' symbol", [:]),
    ])
    func errors(line: String, details: String, partial: [String: String]) throws {
        var expected = partial
        expected["__error__"] = "JSONParserErr"
        expected["__error_details__"] = details
        #expect(try labelsAfter([json], line) == expected)
    }

    @Test func trailingCommaWithSpaceIsAccepted() throws {
        #expect(try labelsAfter([json], #"{"a":1, }"#) == ["a": "1"])
    }

    @Test("extraction expressions", arguments: [
        ("evt", "event", "agent.done"),
        ("status", "http.status", "201"),
        ("path", #"http["path"]"#, "/v1"),
        ("tag0", "tags[0]", "a"),
        ("tag1", "tags[1]", "b c"),
        ("obj", "http", #"{"status": 201, "path": "/v1"}"#),
        ("arr", "tags", #"["a", "b c"]"#),
        ("nil", "gone", ""),
        ("missing", "no.such.field", ""),
        ("deep", #"list[0]["x y"]"#, "z"),
        ("n", "n", ""),
    ])
    func extraction(name: String, expression: String, expected: String) throws {
        let line = #"{"event":"agent.done","http":{"status": 201, "path": "/v1"},"tags":["a", "b c"],"gone":null,"list":[{"x y":"z"}],"n":null}"#
        let labels = try labelsAfter([.json(extractions: [LabelExtraction(name: name, expression: expression)])], line)
        #expect(labels == [name: expected])
    }

    @Test func extractionOnPlainLineSetsOnlyError() throws {
        let stage = PipelineStage.json(extractions: [LabelExtraction(name: "evt", expression: "event")])
        #expect(try labelsAfter([stage], "INFO: plain") == ["__error__": "JSONParserErr"])
    }

    @Test func extractionCollidingWithStreamLabel() throws {
        let stage = PipelineStage.json(extractions: [LabelExtraction(name: "level")])
        let labels = try labelsAfter([stage], #"{"level":"info"}"#, stream: ["level": "error"])
        #expect(labels == ["level": "error", "level_extracted": "info"])
    }

    @Test func invalidExtractionExpression() {
        let stage = PipelineStage.json(extractions: [LabelExtraction(name: "a", expression: "b.[")])
        #expect(throws: PipelineError.self) { try LogPipeline(stages: [stage]) }
    }

    @Test("Loki's expression errors", arguments: [
        ("field with space", "unexpected FIELD"),
        (#""pod"]"#, "unexpected STRING, expecting LSB or FIELD"),
        (#"["pod""#, "unexpected $end, expecting RSB"),
        (#"["pod""uuid"]"#, "unexpected STRING, expecting RSB"),
        ("pod..uuid", "unexpected DOT, expecting FIELD"),
    ])
    func expressionErrors(expression: String, error: String) {
        #expect(throws: PipelineError(message: "cannot parse expression [\(expression)]: syntax error: \(error)")) {
            try JSONPathParser.parse(expression)
        }
    }

    @Test func jsonPathParser() throws {
        #expect(try JSONPathParser.parse(#"a.list[0]["x"]"#) == [.key(Array("a".utf8)), .key(Array("list".utf8)), .index(0), .key(Array("x".utf8))])
        #expect(throws: PipelineError.self) { try JSONPathParser.parse("a[1.5]") }
    }

    @Test func structlogLineFromTheDataset() throws {
        let line = #"{"event": "llm.completion", "tenant_id": "a1b2", "latency_ms": 1210.8, "usage": {"prompt_tokens": 2342, "completion_tokens": 455}, "rate limits": {"remaining-requests": 5}, "cache_hit": true, "tags": ["x"], "level": "info"}"#
        let labels = try labelsAfter([json], line, stream: ["level": "info", "tenant_id": "a1b2"])
        #expect(labels == [
            "level": "info", "tenant_id": "a1b2", "event": "llm.completion", "tenant_id_extracted": "a1b2",
            "latency_ms": "1210.8", "usage_prompt_tokens": "2342", "usage_completion_tokens": "455",
            "rate_limits_remaining_requests": "5", "cache_hit": "true", "level_extracted": "info",
        ])
    }
}
