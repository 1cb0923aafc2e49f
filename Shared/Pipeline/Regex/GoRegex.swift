import FjordRegex

/// Compiles regexes written for Go's `regexp` (what Loki uses) with RE2, translating the few syntax differences and
/// reporting errors with Go's wording (`error parsing regexp: missing closing ): ` + "`(a`").
enum GoRegex {
    static func compile(_ pattern: String) throws(PipelineError) -> RE2Regex {
        do {
            return try RE2Regex(translate(pattern))
        } catch {
            throw PipelineError(message: goMessage(for: error, pattern: pattern))
        }
    }

    /// Rewrites Go-only syntax RE2 (2022) lacks: `(?<name>…)` named groups become `(?P<name>…)`.
    static func translate(_ pattern: String) -> String {
        guard pattern.contains("(?<") else { return pattern }
        var out = ""
        var scalars = pattern.unicodeScalars.makeIterator()
        var inClass = false
        var previous: [Unicode.Scalar] = []
        while let scalar = scalars.next() {
            if scalar == "\\" {
                out.unicodeScalars.append(scalar)
                if let next = scalars.next() { out.unicodeScalars.append(next) }
                previous = []
                continue
            }
            if scalar == "[" { inClass = true } else if scalar == "]" { inClass = false }
            previous.append(scalar)
            if previous.count > 3 { previous.removeFirst() }
            out.unicodeScalars.append(scalar)
            if !inClass, previous == ["(", "?", "<"] {
                // Keep look-behind syntax as is (unsupported either way); insert P before a group name.
                var lookahead = scalars
                if let next = lookahead.next(), next != "=", next != "!" {
                    out.unicodeScalars.removeLast()
                    out += "P<"
                }
                previous = []
            }
        }
        return out
    }

    /// Go's `regexp/syntax` error text for an RE2 compile error.
    static func goMessage(for error: RegexError, pattern: String) -> String {
        let message = error.message
        let table: [(String, String)] = [
            ("missing )", "missing closing )"),
            ("unexpected )", "unexpected )"),
            ("missing ]", "missing closing ]"),
            ("invalid escape sequence", "invalid escape sequence"),
            ("invalid character class range", "invalid character class range"),
            ("invalid character class", "invalid character class"),
            ("trailing \\", "trailing backslash at end of expression"),
            ("no argument for repetition operator", "missing argument to repetition operator"),
            ("bad repetition operator", "invalid nested repetition operator"),
            ("invalid repetition size", "invalid repeat count"),
            ("invalid perl operator", "invalid or unsupported Perl syntax"),
            ("invalid UTF-8", "invalid UTF-8"),
            ("invalid named capture group", "invalid named capture"),
        ]
        for (re2Text, goText) in table where message.hasPrefix(re2Text) {
            var argument = String(message.dropFirst(re2Text.count))
            if argument.hasPrefix(": ") { argument.removeFirst(2) }
            if goText == "missing closing )" || goText == "trailing backslash at end of expression" {
                argument = pattern
            }
            if goText == "trailing backslash at end of expression" { return "error parsing regexp: \(goText): ``" }
            return "error parsing regexp: \(goText): `\(argument)`"
        }
        return "error parsing regexp: \(message): `\(pattern)`"
    }
}

/// A literal every match of a regex must contain, used to skip lines with `memmem` before running RE2.
enum RequiredLiteral {
    /// The longest run of plain characters at the top level of `pattern` that any match must contain, or nil when
    /// it cannot be determined safely (alternation, case folding, quoting) or is shorter than 3 bytes.
    static func find(in pattern: String) -> [UInt8]? {
        if pattern.contains("(?") || pattern.contains("\\Q") { return nil }
        let scalars = Array(pattern.unicodeScalars)
        var best: [Unicode.Scalar] = []
        var current: [Unicode.Scalar] = []
        var depth = 0
        var index = 0
        func endRun() {
            if current.count > best.count { best = current }
            current = []
        }
        func isQuantifier(_ at: Int) -> Bool {
            guard at < scalars.count else { return false }
            let s = scalars[at]
            return s == "*" || s == "+" || s == "?" || s == "{"
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "|":
                if depth == 0 { return nil }
                index += 1
            case "(":
                endRun()
                depth += 1
                index += 1
            case ")":
                endRun()
                depth -= 1
                index += 1
            case "[":
                endRun()
                index += 1
                if index < scalars.count, scalars[index] == "^" { index += 1 }
                if index < scalars.count, scalars[index] == "]" { index += 1 }
                while index < scalars.count, scalars[index] != "]" {
                    if scalars[index] == "\\" { index += 1 }
                    index += 1
                }
                index += 1
            case "\\":
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                let isPunct = next.isASCII && !next.properties.isAlphabetic && !("0"..."9").contains(next)
                if depth == 0, isPunct, !isQuantifier(index + 2) {
                    current.append(next)
                } else {
                    endRun()
                }
                index += 2
            case "{":
                endRun()
                while index < scalars.count, scalars[index] != "}" { index += 1 }
                index += 1
            case ".", "^", "$", "*", "+", "?", "}":
                endRun()
                index += 1
            default:
                if depth == 0, !isQuantifier(index + 1) {
                    current.append(scalar)
                } else {
                    endRun()
                }
                index += 1
            }
        }
        endRun()
        let bytes = Array(String(String.UnicodeScalarView(best)).utf8)
        return bytes.count >= 3 ? bytes : nil
    }
}
