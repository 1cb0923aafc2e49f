public import FjordRegex

/// A stream selector matcher such as `app="api"` or `level=~"error|warn"`.
///
/// Regex matchers are fully anchored like Prometheus' (`^(?s:re)$`) and use RE2. An absent label matches as the
/// empty string.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// The four matcher operators.
    public enum Kind: String, Sendable, Hashable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case notRegexMatch = "!~"
    }

    public let name: String
    public let kind: Kind
    public let value: String
    /// The compiled anchored regex for `=~` / `!~`.
    public let regex: RE2Regex?

    /// Creates a matcher, compiling the regex for `=~` / `!~`. Throws ``RegexError`` for an invalid regex.
    public init(name: String, kind: Kind, value: String) throws(RegexError) {
        self.name = name
        self.kind = kind
        self.value = value
        switch kind {
        case .equal, .notEqual:
            regex = nil
        case .regexMatch, .notRegexMatch:
            // Prometheus anchors matcher regexes and lets `.` match a newline: `^(?s:re)$`.
            regex = try RE2Regex("^(?s:" + value + ")$")
        }
    }

    /// Convenience for an equality matcher (never throws).
    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        // Equality matchers never compile a regex, so this cannot fail.
        // swiftlint:disable:next force_try
        try! LabelMatcher(name: name, kind: .equal, value: value)
    }

    /// True if a label value (or `""` for an absent label) satisfies the matcher.
    public func matches(_ candidate: String) -> Bool {
        switch kind {
        case .equal: return candidate == value
        case .notEqual: return candidate != value
        case .regexMatch: return regex?.fullyMatches(candidate) ?? false
        case .notRegexMatch: return !(regex?.fullyMatches(candidate) ?? false)
        }
    }

    /// True if the matcher is satisfied by `labels` (an absent label counts as `""`).
    public func matches(_ labels: Labels) -> Bool {
        matches(labels[name] ?? "")
    }

    /// True if the matcher accepts the empty string: such matchers cannot select streams on their own.
    public var matchesEmpty: Bool { matches("") }

    /// `name="value"` with the value quoted like Go's `strconv.Quote`.
    public var description: String { name + kind.rawValue + GoQuote.quote(value) }

    public static func == (lhs: LabelMatcher, rhs: LabelMatcher) -> Bool {
        lhs.name == rhs.name && lhs.kind == rhs.kind && lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(kind)
        hasher.combine(value)
    }
}

extension Labels {
    /// True if every matcher is satisfied.
    public func matches(_ matchers: [LabelMatcher]) -> Bool {
        matchers.allSatisfy { $0.matches(self) }
    }
}
