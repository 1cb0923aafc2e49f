import FjordModel
import FjordRegex
import Testing

/// A user's regex must never hang a querier: RE2 matches in time linear in the input, so patterns that make
/// backtracking engines explode finish like any other.
@Suite struct RegexSafetyTests {
    @Test(arguments: [("(a+)+$", "a", false), ("(a|a)*b", "a", false), ("(a*)*$", "a", true), ("^(a|aa)+$", "a", false),
                      ("(x+x+)+y", "x", false)])
    func catastrophicPatternsFinishOnLongLines(pattern: String, filler: String, matches: Bool) throws {
        let regex = try RE2Regex(pattern)
        // 200,000 filler bytes and then a byte that makes every backtracking attempt fail: exponential for a
        // backtracking engine, one linear pass for RE2. (`(a*)*$` matches the empty string at the end.)
        let line = Array(String(repeating: filler, count: 200_000).utf8) + [UInt8(ascii: "!")]
        #expect(line.withUnsafeBytes { regex.partialMatch($0) } == matches)
    }

    @Test func goNamedGroupSyntaxIsAccepted() throws {
        let regex = try RE2Regex(#"(?<method>GET|POST) (?P<path>\S+)"#)
        #expect(regex.groupNames == [nil, "method", "path"])
        let match = try #require(regex.firstMatch(in: "POST /api"))
        #expect(match[1] == 0..<4)
    }

    @Test func matcherDotMatchesNewlineLikePrometheus() throws {
        let matcher = try LabelMatcher(name: "msg", kind: .regexMatch, value: "a.b")
        #expect(matcher.matches("a\nb"))
    }
}
