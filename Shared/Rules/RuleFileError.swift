/// One problem in a rule file or an uploaded rule group: where it is and why it is rejected.
public struct RuleFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (`rules/fake/alerts.yaml`), or empty for a rule group uploaded through the API.
    public var file: String
    /// 1-based line of the offending YAML node; 0 when unknown.
    public var line: Int
    /// Why, in Prometheus'/Loki's words (`group "g", rule 1, "HighErrors": field 'expr' must be set in rule`).
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason` (the API form without a file is `line N: reason`).
    public var description: String {
        switch (file.isEmpty, line > 0) {
        case (false, true): return "\(file):\(line): \(reason)"
        case (false, false): return "\(file): \(reason)"
        case (true, true): return "line \(line): \(reason)"
        case (true, false): return reason
        }
    }
}

/// Every problem found in one rule file or uploaded group (parsing continues past the first where it can).
public struct RuleFileErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public var errors: [RuleFileError]

    public init(_ errors: [RuleFileError]) {
        precondition(!errors.isEmpty, "RuleFileErrors needs at least one error")
        self.errors = errors
    }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }

    /// Loki's API answer: the problems joined by `, `.
    public var apiMessage: String { errors.map(\.description).joined(separator: ", ") }
}
