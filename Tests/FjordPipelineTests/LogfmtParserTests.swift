import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("| logfmt")
struct LogfmtParserTests {
    @Test("pairs and malformed input", arguments: [
        ("foo=bar bar=10ms", ["foo": "bar", "bar": "10ms"]),
        (#"msg="hello \"world\"" n=1"#, ["msg": #"hello "world""#, "n": "1"]),
        ("a=1 =v b=2", ["a": "1", "b": "2"]),
        ("a=b=c d=4", ["d": "4"]),
        (#"fo"o=x y=1"#, ["y": "1"]),
        ("flag a= b=2", ["b": "2"]),
        ("dot.key=1 dash-key=2 1st=3", ["dot_key": "1", "dash_key": "2", "_1st": "3"]),
        (#"note="unterminated"#, [:]),
        (#"{"event": "db.lost", "rows": 71, "latency_ms": 5.1}"#, [:]),
        ("msg=caf\u{FFFD}", ["msg": "caf "]),
    ])
    func pairs(line: String, expected: [String: String]) throws {
        #expect(try labelsAfter([logfmt], line) == expected)
    }

    @Test func keepEmpty() throws {
        let stage = PipelineStage.logfmt(strict: false, keepEmpty: true, extractions: [])
        #expect(try labelsAfter([stage], "a= b c=1") == ["a": "", "b": "", "c": "1"])
    }

    @Test func strictStopsAtFirstError() throws {
        let stage = PipelineStage.logfmt(strict: true, keepEmpty: false, extractions: [])
        #expect(try labelsAfter([stage], "a=1 b=c=d e=5") == [
            "a": "1", "__error__": "LogfmtParserErr",
            "__error_details__": "logfmt syntax error at pos 8 : unexpected '='",
        ])
        let line = #"ts=x level=warning user= msg="client error" note="unterminated"#
        let strictKeep = PipelineStage.logfmt(strict: true, keepEmpty: true, extractions: [])
        #expect(try labelsAfter([strictKeep], line) == [
            "ts": "x", "level": "warning", "user": "", "msg": "client error",
            "__error__": "LogfmtParserErr", "__error_details__": "logfmt syntax error at pos 63 : unterminated quoted value",
        ])
    }

    @Test func extractions() throws {
        let stage = PipelineStage.logfmt(strict: false, keepEmpty: false, extractions: [
            LabelExtraction(name: "m", expression: "method"), LabelExtraction(name: "status"),
            LabelExtraction(name: "missing"),
        ])
        #expect(try labelsAfter([stage], "method=GET status=404 path=/x") == ["m": "GET", "status": "404", "missing": ""])
    }

    @Test func streamLabelCollision() throws {
        #expect(try labelsAfter([logfmt], "level=info x=1", stream: ["level": "warn"]) ==
            ["level": "warn", "level_extracted": "info", "x": "1"])
    }
}

@Suite("| regexp, | pattern, | unpack")
struct OtherParserTests {
    @Test func regexpNamedGroups() throws {
        let stage = PipelineStage.regexp(#"(?P<client>[0-9.]+):(?P<port>[0-9]+) - "(?P<method>[A-Z]+) (?P<path>[^ ]+)"#)
        let line = #"INFO:     172.18.0.35:47607 - "GET /v1/tools HTTP/1.1" 200 OK"#
        #expect(try labelsAfter([stage], line) == ["client": "172.18.0.35", "port": "47607", "method": "GET", "path": "/v1/tools"])
        #expect(try labelsAfter([stage], "no match here") == [:])
    }

    @Test func regexpOptionalGroupGivesEmptyValue() throws {
        let stage = PipelineStage.regexp(#"\| (?P<status>[0-9]{3}) \|\s+(?P<dur>[0-9.]+[mµ]?s)(?P<never>x)?"#)
        let line = #"[GIN] | 200 |        1.012s |     172.18.0.12 | GET     "/api/chat""#
        #expect(try labelsAfter([stage], line) == ["status": "200", "dur": "1.012s", "never": ""])
    }

    @Test func regexpNeedsNamedGroup() {
        #expect(throws: PipelineError(message: "at least one named capture must be supplied", stageIndex: 0)) {
            try LogPipeline(stages: [.regexp("(a)")])
        }
    }

    @Test("Loki's pattern fixtures", arguments: [
        ("foo <foo> bar", "foo buzz bar", ["foo": "buzz"]),
        ("foo <foo> bar<fuzz>", "foo buzz bar", ["foo": "buzz", "fuzz": ""]),
        ("<foo> bar<fuzz>", " bar", ["foo": "", "fuzz": ""]),
        ("<path>?<_>", "/api/plugins/versioncheck?slugIn=snuids", ["path": "/api/plugins/versioncheck"]),
        ("<path>?<_>", "/api/plugins/status", ["path": "/api/plugins/status"]),
        (#"<ip> <userid> <user> [<_>] "<method> <path> <_>" <status> <size>"#,
         #"127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#,
         ["ip": "127.0.0.1", "userid": "user-identifier", "user": "frank", "method": "GET", "path": "/apache_pb.gif",
          "status": "200", "size": "2326"]),
        ("ts=<ts> level=<lvl> method=<m> nothing=<x> <_>", "ts=1 level=info method=GET path=/x",
         ["ts": "1", "lvl": "info", "m": "GET path=/x"]),
        ("x<a>", "y1", [:]),
    ])
    func patternParser(pattern: String, line: String, expected: [String: String]) throws {
        #expect(try labelsAfter([.pattern(pattern)], line) == expected)
    }

    @Test("pattern validation", arguments: [
        ("<_>", "at least one capture is required"),
        ("foo bar", "at least one capture is required"),
        ("<f><g>", "found consecutive capture 'fg': invalid expression"),
        ("<f> f<f>", "duplicate capture name (f): invalid expression"),
    ])
    func patternValidation(pattern: String, message: String) {
        #expect(throws: PipelineError(message: message, stageIndex: 0)) { try LogPipeline(stages: [.pattern(pattern)]) }
    }

    @Test func unpackReplacesLineWithEntry() throws {
        let line = #"{"_entry":"{\"event\":\"http.request\",\"status\":500}","container":"api","namespace":"eap","n":1}"#
        let outcome = try run([.unpack], line, stream: ["job": "packed", "namespace": "eap"])
        #expect(outcome == Outcome(line: #"{"event":"http.request","status":500}"#, labels: [
            "job": "packed", "namespace": "eap", "container": "api", "namespace_extracted": "eap",
        ]))
    }

    @Test func unpackWithoutEntryAddsNothing() throws {
        let outcome = try run([.unpack], #"{"level":"error","msg":"x"}"#, stream: ["app": "o"])
        #expect(outcome == Outcome(line: #"{"level":"error","msg":"x"}"#, labels: ["app": "o"]))
    }

    @Test func unpackOnPlainLine() throws {
        let outcome = try run([.unpack], "packer: buffer flushed", stream: ["job": "packed"])
        #expect(outcome?.labels == ["job": "packed", "__error__": "JSONParserErr",
                                    "__error_details__": "expecting json object(6), but it is not"])
    }

    @Test func unpackThenLogfmt() throws {
        let line = #"{"_entry":"level=warn msg=\"disk low\"","pod":"p1"}"#
        let labels = try labelsAfter([.unpack, logfmt, labelFilter("level", .equal, "warn")], line)
        #expect(labels == ["pod": "p1", "level": "warn", "msg": "disk low"])
    }
}

@Suite("Loki's logfmt fixtures")
struct LokiLogfmtFixtureTests {
    static let stream = ["foo": "bar"]

    /// (line, non-strict labels, strict labels or nil when the same)
    static let fixtures: [(String, [String: String], [String: String]?)] = [
        ("foobar====wqe=sdad1r", [:],
         ["__error__": "LogfmtParserErr", "__error_details__": "logfmt syntax error at pos 8 : unexpected '='"]),
        ("buzz bar=foo", ["bar": "foo"], nil),
        (#"foobar="foo bar""#, ["foobar": "foo bar"], nil),
        (#"foobar="foo\nbar\tbaz""#, ["foobar": "foo\nbar\tbaz"], nil),
        ("foobar=\"foo\nbar\tbaz\"", ["foobar": "foo\nbar\tbaz"], nil),
        (#"foobar="foo ba\\r baz""#, ["foobar": #"foo ba\r baz"#], nil),
        (#"foobar="foo bar" foobar=10ms"#, ["foobar": "foo bar"], nil),
        (#"foo="foo bar" foobar=10ms"#, ["foo_extracted": "foo bar", "foobar": "10ms"], nil),
        (#"foo="foo bar" foo.bar=10ms test-dash=foo"#, ["foo_extracted": "foo bar", "foo_bar": "10ms", "test_dash": "foo"], nil),
        (#"foo="foo bar" =notkey bar=10ms"#, ["foo_extracted": "foo bar", "bar": "10ms"],
         ["foo_extracted": "foo bar", "__error__": "LogfmtParserErr",
          "__error_details__": "logfmt syntax error at pos 15 : unexpected '='"]),
        ("foo=\"foo bar\" b\u{FFFD}r=10ms", ["foo_extracted": "foo bar"],
         ["foo_extracted": "foo bar", "__error__": "LogfmtParserErr",
          "__error_details__": "logfmt syntax error at pos 20 : invalid key"]),
        (#"foo="foo bar" bu"zz=10ms"#, ["foo_extracted": "foo bar"],
         ["foo_extracted": "foo bar", "__error__": "LogfmtParserErr",
          "__error_details__": #"logfmt syntax error at pos 17 : unexpected '"'"#]),
        (#"bar=bu=zz foo="foo bar""#, ["foo_extracted": "foo bar"],
         ["__error__": "LogfmtParserErr", "__error_details__": "logfmt syntax error at pos 7 : unexpected '='"]),
    ]

    @Test(arguments: 0..<fixtures.count)
    func fixture(index: Int) throws {
        let (line, lenient, strict) = Self.fixtures[index]
        var expected = lenient.merging(Self.stream) { new, _ in new }
        #expect(try labelsAfter([logfmt], line, stream: Self.stream) == expected)
        expected = (strict ?? lenient).merging(Self.stream) { new, _ in new }
        #expect(try labelsAfter([.logfmt(strict: true, keepEmpty: false, extractions: [])], line, stream: Self.stream) == expected)
    }

    @Test func keepEmptyAndRuneErrors() throws {
        let keep = PipelineStage.logfmt(strict: false, keepEmpty: true, extractions: [])
        #expect(try labelsAfter([keep], "foo bar=buzz", stream: Self.stream) == ["foo": "bar", "foo_extracted": "", "bar": "buzz"])
        #expect(try labelsAfter([logfmt], "foo=b\u{FFFD}r bar=buzz", stream: Self.stream) ==
            ["foo": "bar", "foo_extracted": "b r", "bar": "buzz"])
    }

    @Test func expressionRenamesAndOverrides() throws {
        let line = #"app=foo level=error spaces="value with ÜFT8👌" ts=2021-02-12T19:18:10.037940878Z"#
        let renamed = PipelineStage.logfmt(strict: false, keepEmpty: false, extractions: [
            LabelExtraction(name: "lvl", expression: "level"), LabelExtraction(name: "spaces"),
        ])
        #expect(try labelsAfter([renamed], line, stream: ["level": "debug"]) ==
            ["level": "debug", "lvl": "error", "spaces": "value with ÜFT8👌"])
        let override = PipelineStage.logfmt(strict: false, keepEmpty: false, extractions: [LabelExtraction(name: "app")])
        #expect(try labelsAfter([override], line, stream: ["app": "bar"]) == ["app": "bar", "app_extracted": "foo"])
        #expect(try labelsAfter([override], line, metadata: ["app": "foo_sm"]) == ["app": "foo_sm", "app_extracted": "foo"])
    }
}
