import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("Line filters")
struct LineFilterTests {
    @Test("substring filters", arguments: [
        ("foo bar", [contains("bar")], true),
        ("foo bar", [contains("baz")], false),
        ("foo bar", [contains("")], true),
        ("foo bar", [notContains("bar")], false),
        ("foo bar", [notContains("")], false),
        ("foo bar", [contains("baz", "bar")], true),
        ("foo bar", [notContains("baz", "bar")], false),
        ("foo bar", [notContains("baz", "qux")], true),
        ("foo bar", [contains("foo"), contains("bar")], true),
        ("foo bar", [contains("foo"), notContains("bar")], false),
        ("café au lait", [contains("café")], true),
    ])
    func substring(line: String, stages: [PipelineStage], expected: Bool) throws {
        #expect(try passes(stages, line) == expected)
    }

    @Test("regex filters (RE2, unanchored, `.` stops at newlines)", arguments: [
        ("latency_ms\": 12345", [regex("latency_ms\": [0-9]{5,}")], true),
        ("latency_ms\": 1234", [regex("latency_ms\": [0-9]{5,}")], false),
        ("Traceback\nValueError: x", [regex("Traceback.*Error:")], false),
        ("Traceback\nValueError: x", [regex("(?s)Traceback.*Error:")], true),
        ("GPU VRAM low", [regex("(?i)vram")], true),
        ("cache.hit", [notRegex("cache\\.(hit|miss)")], false),
        ("cache-hit", [notRegex("cache\\.(hit|miss)")], true),
        ("status=503", [regex("status=50[234]")], true),
        ("error here", [regex("error|timeout")], true),
        ("all good", [regex("error|timeout")], false),
        ("anything", [regex(".*")], true),
        ("", [regex(".+")], false),
        ("x", [regex(".+")], true),
        ("foo", [regex("")], true),
    ])
    func regexFilters(line: String, stages: [PipelineStage], expected: Bool) throws {
        #expect(try passes(stages, line) == expected)
    }

    @Test("pattern filters follow Loki's Matcher.Test", arguments: [
        ("foo bar baz", "<_> bar", false),
        ("foo bar baz", "<_> baz", true),
        ("foo bar baz", "foo <_>", true),
        (" bar ", "<_> bar <_>", false),
        (" bar ", "<_>bar<_>", true),
        ("x level=error y path=/v1/agents/run z", "<_> level=error <_> path=/v1/agents/run <_>", true),
        ("1:M 22 Nov DB saved on disk", "<_> DB saved on disk", true),
        ("1:M 22 Nov DB saved on disk now", "<_> DB saved on disk", false),
        ("", "", true),
        ("x", "", false),
    ])
    func patterns(line: String, pattern: String, expected: Bool) throws {
        #expect(try passes([patternFilter(pattern)], line) == expected)
        #expect(try passes([notPatternFilter(pattern)], line) == !expected)
    }

    @Test func patternOrChain() throws {
        let stages = [patternFilter("<_>status=429<_>", "<_>status=503<_>")]
        #expect(try passes(stages, "a status=503 b"))
        #expect(try !passes(stages, "a status=200 b"))
    }

    @Test func patternFilterRejectsNamedCaptures() {
        #expect(throws: PipelineError.self) { try LogPipeline(stages: [patternFilter("<name> x")]) }
        #expect(throws: PipelineError.self) { try LogPipeline(stages: [patternFilter("<_><_>")]) }
    }

    @Test("ip() line filters", arguments: [
        ("client=10.0.4.38 ok", "10.0.0.0/8", true),
        ("client=172.18.0.5 ok", "10.0.0.0/8", false),
        ("client=172.18.0.5", "172.18.0.5", true),
        ("client=172.18.0.50", "172.18.0.5", false),
        ("from 10.0.5.9 to x", "10.0.4.0/22", true),
        ("from 10.0.8.1 to x", "10.0.4.0/22", false),
        ("peer 192.168.0.9", "192.168.0.1-192.168.0.23", true),
        ("peer 192.168.0.99", "192.168.0.1-192.168.0.23", false),
        ("client=2001:db8::1 x", "2001:db8::/32", true),
        ("client=2001:db9::1 x", "2001:db8::/32", false),
        ("addr ::1 and more", "::1", true),
        ("addr ::1 ", "::1", false),
        ("v=010.0.0.1", "10.0.0.1", false),
        ("1.2.3.4.5", "1.2.3.4", false),
        ("ab 1.2.3.4", "1.2.3.4", true),
    ])
    func ipFilter(line: String, pattern: String, expected: Bool) throws {
        let stage = PipelineStage.lineFilter(LineFilter(op: .contains, values: [.ip(pattern)]))
        #expect(try passes([stage], line) == expected)
        let negated = PipelineStage.lineFilter(LineFilter(op: .notContains, values: [.ip(pattern)]))
        #expect(try passes([negated], line) == !expected)
    }

    @Test func invalidIPPatternIsRejected() {
        let stage = PipelineStage.lineFilter(LineFilter(op: .contains, values: [.ip("10.0.0.0/33")]))
        #expect(throws: PipelineError(message: "ip: invalid pattern: \"10.0.0.0/33\"", stageIndex: 0)) {
            try LogPipeline(stages: [stage])
        }
    }

    @Test func ipInPositiveOrChainIsPlainText() throws {
        // Loki builds every alternative of a positive `or` chain as a plain filter of the operator.
        let stage = PipelineStage.lineFilter(LineFilter(op: .contains, values: [.ip("10.0.0.0/8"), .literal("zzz")]))
        #expect(try !passes([stage], "client=10.1.2.3"))
        #expect(try passes([stage], "cidr 10.0.0.0/8 listed"))
    }

    @Test func invalidRegexHasGoMessage() {
        #expect(throws: PipelineError(message: "error parsing regexp: missing closing ): `(abc`", stageIndex: 0)) {
            try LogPipeline(stages: [regex("(abc")])
        }
    }

    @Test func goNamedGroupSyntaxIsAccepted() throws {
        #expect(try passes([regex("(?<word>ab+)c")], "xabbc"))
    }
}
