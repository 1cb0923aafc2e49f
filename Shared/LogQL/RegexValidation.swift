import FjordRegex
import Foundation

/// Go's `regexp/syntax` error texts for regexes RE2 rejects, so messages read like Loki's:
/// ``error parsing regexp: missing closing ): `(api` ``.
public enum GoRegexpError {
    /// RE2's error code texts and Go's equivalents, longest RE2 text first where one is a prefix of another.
    private static let codes: [(re2: String, go: String)] = [
        ("invalid character class range", "invalid character class range"),
        ("invalid character class", "invalid character class"),
        ("invalid escape sequence", "invalid escape sequence"),
        ("missing ]", "missing closing ]"),
        ("missing )", "missing closing )"),
        ("unexpected )", "unexpected )"),
        ("trailing \\", "trailing backslash at end of expression"),
        ("no argument for repetition operator", "missing argument to repetition operator"),
        ("invalid repetition size", "invalid repeat count"),
        ("bad repetition operator", "invalid nested repetition operator"),
        ("invalid perl operator", "invalid or unsupported Perl syntax"),
        ("invalid UTF-8", "invalid UTF-8"),
        ("invalid named capture group", "invalid named capture"),
        ("pattern too large", "expression too large"),
    ]

    /// `error parsing regexp: <Go code>: `<fragment>`` for an RE2 compile error.
    public static func message(_ error: RegexError) -> String {
        let text = error.message
        for (re2, go) in codes where text.hasPrefix(re2) {
            var argument = ""
            let rest = text.dropFirst(re2.count)
            if rest.hasPrefix(": ") { argument = String(rest.dropFirst(2)) }
            if go.hasPrefix("trailing backslash") || go == "expression too large" { argument = "" }
            return "error parsing regexp: " + go + ": `" + argument + "`"
        }
        return "error parsing regexp: " + text + ": `" + error.pattern + "`"
    }
}

/// Loki's `log.NewRegexpParser` checks, run when a `| regexp "…"` stage is parsed.
enum RegexpParserValidation {
    /// The reason Loki rejects `expression` as a regexp parser, or `nil`.
    static func problem(_ expression: String) -> String? {
        let regex: RE2Regex
        do {
            regex = try RE2Regex(expression)
        } catch {
            // Go compiles duplicate group names (Loki then rejects them itself); RE2 refuses them.
            if error.message.hasPrefix("invalid named capture group"), let name = firstDuplicateName(expression) {
                return "duplicate extracted label name '\(name)'"
            }
            return GoRegexpError.message(error)
        }
        var names = Set<String>()
        for name in regex.groupNames.compactMap({ $0 }) {
            guard names.insert(name).inserted else { return "duplicate extracted label name '\(name)'" }
        }
        return names.isEmpty ? "at least one named capture must be supplied" : nil
    }

    /// The first `(?P<name>` / `(?<name>` group name that occurs twice.
    private static func firstDuplicateName(_ expression: String) -> String? {
        var seen = Set<String>()
        var rest = Substring(expression)
        while let range = rest.range(of: "(?") {
            rest = rest[range.upperBound...]
            if rest.hasPrefix("P<") { rest = rest.dropFirst(2) } else if rest.hasPrefix("<") { rest = rest.dropFirst() } else { continue }
            guard let end = rest.firstIndex(of: ">") else { return nil }
            let name = String(rest[..<end])
            if !seen.insert(name).inserted { return name }
            rest = rest[end...]
        }
        return nil
    }
}
