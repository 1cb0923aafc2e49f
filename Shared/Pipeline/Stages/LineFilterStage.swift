import FjordLogQL
import FjordRegex

/// A compiled line filter with its `or` alternatives (`|= "a" or "b"`, `!~ "x"`, `|> "<_> y"`, `|= ip("…")`).
///
/// Positive operators pass a line when any alternative matches, negative ones when none does. As in Loki, an
/// `ip("…")` operand keeps its address semantics only when it stands alone or in a negative chain; in a positive
/// `or` chain Loki builds every alternative as a plain filter of the operator, so `ip("x")` becomes the text `x`.
struct LineFilterStage: Sendable {
    enum Test: Sendable {
        case always
        case never
        case contains(ByteString)
        case containsAny([ByteString])
        case simplified(SimplifiedRegex)
        case regex(RE2Regex, prefilter: ByteString?)
        case pattern(PatternMatcher)
        case ip(IPMatcher)

        @inline(__always)
        func matches(_ line: UnsafeRawBufferPointer) -> Bool {
            switch self {
            case .always: return true
            case .never: return false
            case .contains(let needle): return Bytes.contains(line, needle.bytes)
            case .containsAny(let needles):
                for needle in needles where Bytes.contains(line, needle.bytes) { return true }
                return false
            case .simplified(let filter): return filter.matches(line)
            case .regex(let regex, let prefilter):
                if let prefilter, !Bytes.contains(line, prefilter.bytes) { return false }
                return regex.partialMatch(line)
            case .pattern(let matcher): return matcher.test(line)
            case .ip(let matcher): return matcher.matchesText(line)
            }
        }
    }

    let negated: Bool
    let tests: [Test]

    init(_ filter: LineFilter) throws(PipelineError) {
        let negated = filter.op == .notContains || filter.op == .notRegex || filter.op == .notPattern
        self.negated = negated
        var tests: [Test] = []
        let chained = filter.values.count > 1 && !negated
        for value in filter.values {
            switch value {
            case .ip(let pattern) where !chained:
                guard filter.op == .contains || filter.op == .notContains else {
                    throw PipelineError(message: "ip: invalid operation")
                }
                tests.append(.ip(try IPMatcher(pattern: pattern)))
            case .ip(let text), .literal(let text):
                tests.append(try LineFilterStage.test(text, op: filter.op))
            }
        }
        // Merge plain substring alternatives into one test.
        if !negated, tests.count > 1, tests.allSatisfy({ if case .contains = $0 { return true } else { return false } }) {
            tests = [.containsAny(tests.compactMap { if case .contains(let n) = $0 { return n } else { return nil } })]
        }
        self.tests = tests
    }

    private static func test(_ text: String, op: LineFilter.Operator) throws(PipelineError) -> Test {
        switch op {
        case .contains, .notContains:
            return text.isEmpty ? .always : .contains(ByteString(text))
        case .regex, .notRegex:
            if let simplified = RegexSimplifier.simplify(text, isLabel: false) {
                switch simplified {
                case .always: return .always
                case .contains(let needle, caseInsensitive: false):
                    return needle.isEmpty ? .always : .contains(ByteString(String(decoding: needle, as: UTF8.self)))
                default:
                    if let needles = simplified.plainNeedles {
                        return .containsAny(needles.map { ByteString(String(decoding: $0, as: UTF8.self)) })
                    }
                    return .simplified(simplified)
                }
            }
            let regex = try GoRegex.compile(text)
            let prefilter = RequiredLiteral.find(in: text).map { ByteString(String(decoding: $0, as: UTF8.self)) }
            return .regex(regex, prefilter: prefilter)
        case .pattern, .notPattern:
            return .pattern(try PatternMatcher.lineFilter(text))
        }
    }

    @inline(__always)
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        if negated {
            for test in tests where test.matches(line) { return false }
            return true
        }
        for test in tests where test.matches(line) { return true }
        return false
    }
}
