import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("line_format / label_format templates")
struct TemplateTests {
    func format(_ template: String, _ labels: [String: String], line: String = "the line",
                timestamp: Int64 = 1_795_326_123_871_000_000) throws -> Outcome? {
        try run([.lineFormat(template)], line, stream: labels, timestamp: timestamp)
    }

    @Test("conformance line_format cases", arguments: [
        ("{{.event}} {{.http_status}}", ["event": "auth.login"], "auth.login "),
        ("{{ .event | ToUpper }} {{ .domain | title }} {{ lower .provider }} {{ upper .outcome }}",
         ["event": "remote-sync-complete", "domain": "adapter", "provider": "memcached", "outcome": "success"],
         "REMOTE-SYNC-COMPLETE Adapter memcached SUCCESS"),
        (##"{{ regexReplaceAll "agt_([0-9a-f]+)" .path "agent:${1}" }} {{ regexReplaceAllLiteral "[0-9]" .status "#" }}"##,
         ["path": "/v1/agents/agt_72f5", "status": "401"], "/v1/agents/agent:72f5 ###"),
        ("{{ add .status 1 }} {{ sub .status 100 }} {{ mul .bytes 2 }} {{ div .bytes 3 }} {{ mod .bytes 7 }} {{ max 3 9 1 }} {{ min 3 9 1 }}",
         ["status": "200", "bytes": "1158"], "201 100 2316 386 3 9 1"),
        (#"{{ count "[0-9]" .request_id }} {{ bytes .resp_size }} {{ duration .duration }} {{ duration_seconds .duration }}"#,
         ["request_id": "req_7a0c2f9889163788", "resp_size": "1.2kB", "duration": "15.2ms"], "13 1200 0.0152 0.0152"),
        (#"{{ if contains "agents" .path }}A{{ end }}{{ if hasPrefix "/v1" .path }}P{{ end }}{{ if hasSuffix "run" .path }}S{{ end }} {{ repeat 3 "-" }} {{ substr 0 8 .request_id }} {{ trimAll "/" .path }} {{ replace "/" "." .path }} {{ trimSuffix "B" "12B" }} {{ trimPrefix "/" .path }} {{ trim "  x " }}"#,
         ["path": "/v1/agents", "request_id": "req_7a0c2f9889163788"], "AP --- req_7a0c v1/agents .v1.agents 12 v1/agents x"),
        ("[{{.nonexistent}}] {{.container}}", ["container": "eap-redis-1"], "[] eap-redis-1"),
        ("{{ .level | indent 2 }}|{{ .level | nindent 1 }}", ["level": "info"], "  info|\n info"),
        (#"{{ __timestamp__ | date "04:05.000" }} {{ __line__ | trunc 5 }} {{ __timestamp__ | unixEpoch }}"#, [:],
         "42:03.871 the l 1795326123"),
    ])
    func conformance(template: String, labels: [String: String], expected: String) throws {
        #expect(try format(template, labels)?.line == expected)
    }

    @Test func templateErrorKeepsLine() throws {
        let outcome = try format("{{ call .level }}", ["level": "warning"], line: "original")
        #expect(outcome?.line == "original")
        #expect(outcome?.labels["__error__"] == "TemplateFormatErr")
        #expect(outcome?.labels["__error_details__"] ==
            #"template: line:1:3: executing "line" at <call .level>: error calling call: non-function .level of type string"#)
    }

    @Test("Go template language", arguments: [
        (#"{{ if eq .status "200" }}ok{{ else if eq .status "404" }}missing{{ else }}ko{{ end }}"#, ["status": "404"], "missing"),
        (#"{{- /* comment */ -}}  {{ .a -}}   !"#, ["a": "x"], "x!"),
        (#"{{ with .a }}[{{ . }}]{{ else }}none{{ end }}"#, ["a": ""], "none"),
        (#"{{ $x := .a }}{{ $x }}{{ $x = "z" }}{{ $x }}"#, ["a": "y"], "yz"),
        (#"{{ range $k, $v := . }}{{ $k }}={{ $v }};{{ end }}"#, ["b": "2", "a": "1"], "a=1;b=2;"),
        (#"{{ printf "%s-%05.1f-%d-%q-%v" .a 3.14159 42 "q" true }}"#, ["a": "x"], #"x-003.1-42-"q"-true"#),
        (#"{{ and .a .b }}|{{ or .c .b }}|{{ not .c }}"#, ["a": "1", "b": "2"], "2|2|true"),
        (#"{{ len .a }} {{ index . "a" }}"#, ["a": "héllo"], "6 héllo"),
        (#"{{ .a | default "none" }} {{ .b | default "none" }}"#, ["b": "set"], "none set"),
        (#"{{ float64 .a | printf "%.2f" }} {{ int .b }} {{ addf 0.1 0.2 }} {{ divf 1 3 }} {{ round 2.555 2 }}"#,
         ["a": "1.5", "b": "7.0"], "1.50 7 0.3 0.3333333333333333 2.56"),
        (#"{{ ceil 1.2 }} {{ floor 1.8 }} {{ maxf 1 2.5 }} {{ mul 1000 1000 }} {{ bytes "2MB" }}"#, [:], "2 1 2.5 1000000 2e+06"),
        (#"{{ b64enc "hello" }} {{ b64dec "aGVsbG8" }} {{ urlencode "a b&c" }} {{ urldecode "a+b%26c" }}"#, [:],
         "aGVsbG8= hello a+b%26c a b&c"),
        (#"{{ alignLeft 5 "ab" }}|{{ alignRight 5 "ab" }}|{{ alignLeft 1 "ab" }}"#, [:], "ab   |   ab|a"),
        (#"{{ unixToTime "1679577215" | date "2006-01-02T15:04:05Z07:00" }}"#, [:], "2023-03-23T13:13:35Z"),
        (#"{{ toDateInZone "2006-01-02 15:04" "UTC" "2024-02-29 10:30" | unixEpochMillis }}"#, [:], "1709202600000"),
        (#"{{ (fromJson .j).a }} {{ index (fromJson .j) "b" }}"#, ["j": #"{"a":"x","b":2}"#], "x 2"),
        (#"{{ __timestamp__ }}"#, [:], "2026-11-22 05:42:03.871 +0000 UTC"),
        (#"{{ "a\tb" }} {{ `raw\n` }} {{ 'x' }} {{ 1.5e3 }} {{ 0x10 }}"#, [:], "a\tb raw\\n 120 1500 16"),
        (#"{{ ToLower "ÀB" }} {{ TrimSpace "  x  " }} {{ Replace "aaa" "a" "b" 2 }} {{ TrimLeft "xxy" "x" }}"#, [:],
         "àb x bba y"),
    ])
    func language(template: String, labels: [String: String], expected: String) throws {
        #expect(try format(template, labels)?.line == expected)
    }

    @Test("Go's error texts", arguments: [
        (#"{{ eq .status 200 }}"#,
         #"template: line:1:3: executing "line" at <eq .status 200>: error calling eq: incompatible types for comparison"#),
        (#"{{ trunc .n "x" }}"#,
         #"template: line:1:9: executing "line" at <.n>: wrong type for value; expected int; got string"#),
        (#"{{ repeat "3" "x" }}"#, #"template: line:1:10: executing "line" at <"3">: expected integer; found "3""#),
        (#"{{ div 1 0 }}"#, #"template: line:1:3: executing "line" at <div 1 0>: error calling div: runtime error: integer divide by zero"#),
        (#"{{ .a.b }}"#, #"template: line:1:3: executing "line" at <.a.b>: can't evaluate field b in type string"#),
    ])
    func executionErrors(template: String, message: String) throws {
        #expect(try format(template, ["status": "200", "n": "5", "a": "x"])?.labels["__error_details__"] == message)
    }

    @Test("parse errors", arguments: [
        ("{{ nope .a }}", "invalid line template: template: line:1: function \"nope\" not defined"),
        ("{{ .a ", "invalid line template: template: line:1: unclosed action"),
        ("{{ end }}", "invalid line template: template: line:1: unexpected {{end}}"),
        ("{{ if .a }}x", "invalid line template: template: line:1: unexpected EOF"),
    ])
    func parseErrors(template: String, message: String) {
        #expect(throws: PipelineError(message: message, stageIndex: 0)) { try LogPipeline(stages: [.lineFormat(template)]) }
    }

    @Test func simpleKeyCopiesLabel() throws {
        #expect(try format("{{.msg}}", ["msg": "hello"])?.line == "hello")
        #expect(try format("{{ .missing }}", [:])?.line == "")
    }

    @Test func lineFormatThenFilter() throws {
        let stages: [PipelineStage] = [.decolorize, .lineFormat("{{__line__}}"), contains("INFO task")]
        #expect(try passes(stages, "\u{1B}[32mINFO\u{1B}[0m task done"))
    }

    @Test func labelFormatRenamesAndTemplates() throws {
        let stages: [PipelineStage] = [logfmt, .labelFormat([.rename(destination: "http_method", source: "method"),
                                                            .rename(destination: "code", source: "status"),
                                                            .rename(destination: "foo", source: "nonexistent")])]
        #expect(try labelsAfter(stages, "method=GET status=200 path=/x", stream: ["app": "p"]) ==
            ["app": "p", "http_method": "GET", "code": "200", "path": "/x"])
        let twoStages: [PipelineStage] = [json, .labelFormat([.rename(destination: "level", source: "level_extracted")]),
                                          .labelFormat([.template(destination: "what", template: "{{.event}}@{{.domain}}")])]
        #expect(try labelsAfter(twoStages, #"{"level":"error","event":"e","domain":"d"}"#, stream: ["level": "error"]) ==
            ["level": "error", "event": "e", "domain": "d", "what": "e@d"])
    }

    @Test func labelFormatTemplatesSeeLabelsBeforeTheStage() throws {
        let stage = PipelineStage.labelFormat([.template(destination: "a", template: "new"),
                                               .template(destination: "b", template: "{{.a}}")])
        #expect(try labelsAfter([stage], "x", stream: ["a": "old"]) == ["a": "new", "b": "old"])
    }

    @Test func labelFormatValidation() {
        #expect(throws: PipelineError(message: "__error__ cannot be formatted", stageIndex: 0)) {
            try LogPipeline(stages: [.labelFormat([.template(destination: "__error__", template: "x")])])
        }
        #expect(throws: PipelineError(message: "multiple label name 'a' not allowed in a single format operation", stageIndex: 0)) {
            try LogPipeline(stages: [.labelFormat([.rename(destination: "a", source: "b"), .template(destination: "a", template: "x")])])
        }
    }

    @Test func requiredLabelNamesFromTemplates() throws {
        let pipeline = try LogPipeline(stages: [.lineFormat("{{ .a }} {{ if .b }}{{ .c.d }}{{ end }}"),
                                                .labelFormat([.rename(destination: "x", source: "y")])])
        #expect(Set(pipeline.requiredLabelNames) == ["a", "b", "c", "d", "y"])
    }
}
