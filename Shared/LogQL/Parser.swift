public import FjordModel

/// Parses LogQL exactly as Loki 3.x does (`syntax.ParseExpr`): the same accepted language, the same AST shape
/// (literal folding, negated `or` filters split, no parenthesis nodes) and the same error texts.
public enum LogQLParser {
    /// Loki's `maxInputSize`: queries of this many bytes or more are rejected before parsing.
    public static let defaultMaxInputSize = 131_072

    /// Parses and validates a query (Loki's `ParseExpr`). Pipeline stages are not compiled here: see
    /// ``Expr/validateStages()`` for the checks Loki makes when it builds the pipeline.
    public static func parse(_ query: String, maxInputSize: Int = defaultMaxInputSize) throws(LogQLParseError) -> Expr {
        try parse(bytes: Array(query.utf8), maxInputSize: maxInputSize)
    }

    /// Parses a query given as raw bytes (invalid UTF-8 is reported like Loki does).
    public static func parse(bytes: [UInt8], maxInputSize: Int = defaultMaxInputSize) throws(LogQLParseError) -> Expr {
        let result = try parseUnvalidated(bytes, maxInputSize: maxInputSize)
        try result.validate()
        return result.expr
    }

    /// Loki's `ParseMatchers`: the query must be a bare selector `{…}`. With `validate`, the selector must also
    /// contain a matcher that does not match the empty string (the `/labels` and `/series` endpoints pass `false`).
    public static func parseMatchers(_ query: String, validate: Bool,
                                     maxInputSize: Int = defaultMaxInputSize) throws(LogQLParseError) -> [LabelMatcher] {
        let result = try parseUnvalidated(Array(query.utf8), maxInputSize: maxInputSize)
        if validate { try result.validate() }
        guard case .log(let selector) = result.expr, selector.pipeline.isEmpty else {
            throw LogQLParseError.unprefixed("only label matchers are supported")
        }
        return selector.matchers
    }

    /// Loki's `ParseLogSelector`: the query must be a log query.
    public static func parseLogSelector(_ query: String, validate: Bool = true,
                                        maxInputSize: Int = defaultMaxInputSize) throws(LogQLParseError) -> LogSelectorExpr {
        let result = try parseUnvalidated(Array(query.utf8), maxInputSize: maxInputSize)
        guard case .log(let selector) = result.expr else {
            throw LogQLParseError.unprefixed("only log selector is supported")
        }
        if validate { try result.validate() }
        return selector
    }

    /// Loki's `ParseSampleExpr`: the query must be a metric query.
    public static func parseSampleExpr(_ query: String,
                                       maxInputSize: Int = defaultMaxInputSize) throws(LogQLParseError) -> MetricExpr {
        guard case .metric(let metric) = try parse(query, maxInputSize: maxInputSize) else {
            throw LogQLParseError.unprefixed("only sample expression supported")
        }
        return metric
    }

    static func parseUnvalidated(_ bytes: [UInt8], maxInputSize: Int) throws(LogQLParseError) -> ParseResult {
        if bytes.count >= maxInputSize {
            throw LogQLParseError("input size too long (\(bytes.count) > \(maxInputSize))")
        }
        var parser = try Parser(bytes)
        return try parser.parseRoot()
    }
}

/// The AST plus the deferred checks Loki runs after a successful parse (`validateExpr`).
struct ParseResult {
    var expr: Expr
    var check: Check

    func validate() throws(LogQLParseError) {
        try check.validateTop()
    }
}

/// The recursive-descent parser. It reads one token ahead, like Loki's LALR parser, so syntax errors are reported
/// at the same token; the expected-token lists mirror the parser states Loki's grammar reaches.
struct Parser {
    /// Deepest allowed nesting of parentheses, function calls and binary-operation right operands. Loki has no
    /// such limit (Go stacks grow); Fjord bounds recursion so a hostile query cannot exhaust a thread's stack.
    static let maxNesting = 256
    /// Most binary operations and label-filter joins one query may contain (they build deep left/right chains).
    static let maxOperations = 1000

    var lexer: Lexer
    var current: Token
    private var nesting = 0
    private var operations = 0

    init(_ bytes: [UInt8]) throws(LogQLParseError) {
        lexer = Lexer(bytes)
        current = try lexer.next()
    }

    mutating func advance() throws(LogQLParseError) {
        current = try lexer.next()
    }

    /// Runs `body` one nesting level deeper, failing beyond ``maxNesting``.
    mutating func nested<T>(_ body: (inout Parser) throws(LogQLParseError) -> T) throws(LogQLParseError) -> T {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Self.maxNesting {
            throw LogQLParseError("query is too deeply nested (more than \(Self.maxNesting) levels)")
        }
        return try body(&self)
    }

    /// Counts one binary operation or label-filter join, failing beyond ``maxOperations``.
    mutating func countOperation() throws(LogQLParseError) {
        operations += 1
        if operations > Self.maxOperations {
            throw LogQLParseError("query has too many operations (more than \(Self.maxOperations))")
        }
    }

    /// Consumes the current token if it is `kind`; otherwise throws a syntax error listing `expected`.
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ expected: [TokenKind]? = nil) throws(LogQLParseError) -> Token {
        guard current.kind == kind else { throw syntaxError(expected ?? [kind]) }
        let token = current
        try advance()
        return token
    }

    /// Loki's `syntax error: unexpected X[, expecting A or B]` at the current token. Like yacc, expected tokens are
    /// only listed when there are at most four of them.
    func syntaxError(_ expected: [TokenKind] = []) -> LogQLParseError {
        var message = "syntax error: unexpected " + current.kind.displayName
        let sorted = expected.sorted()
        if !sorted.isEmpty && sorted.count <= 4 {
            message += ", expecting " + sorted.map(\.displayName).joined(separator: " or ")
        }
        return LogQLParseError(message, line: current.line, column: current.column)
    }

    mutating func parseRoot() throws(LogQLParseError) -> ParseResult {
        let parsed = try parseExpression(minimumPrecedence: 0)
        guard current.kind == .eof else { throw syntaxError() }
        switch parsed {
        case .log(let selector):
            return ParseResult(expr: .log(selector), check: .logSelector(selector.matchers))
        case .metric(let metric, let check):
            return ParseResult(expr: .metric(metric), check: check)
        case .variants(let check):
            return ParseResult(expr: .metric(.vector(0)), check: check)
        }
    }
}

/// An expression as the grammar sees it: a log expression may appear where Loki's `expr` is allowed (binary
/// operation legs, parentheses) and is only rejected later, by validation.
enum Parsed {
    case log(LogSelectorExpr)
    case metric(MetricExpr, Check)
    /// `variants(…) of (…)`: parsed for Loki's syntax errors, rejected after validation (Loki disables it by
    /// default).
    case variants(Check)
}

/// The errors Loki attaches to AST nodes and reports from `validateExpr` after a successful parse, in Loki's
/// traversal order (a node's own error first, then its children left to right).
indirect enum Check {
    case logSelector([LabelMatcher])
    case binary(own: LogQLParseError?, lhs: Check, rhs: Check)
    case literal(own: LogQLParseError?)
    case vector(own: LogQLParseError?)
    case vectorAggregation(own: LogQLParseError?, sortGroupingError: Bool, inner: Check)
    case rangeAggregation(own: LogQLParseError?, matchers: [LabelMatcher])
    case labelReplace(own: LogQLParseError?, inner: Check)
    case variants(matchers: [LabelMatcher], variants: [Check])

    static let emptyCompatibleMessage = "queries require at least one regexp or equality matcher that does not "
        + "have an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will"

    static func validateMatchers(_ matchers: [LabelMatcher]) throws(LogQLParseError) {
        if !matchers.contains(where: { !$0.matchesEmpty }) {
            throw LogQLParseError(emptyCompatibleMessage)
        }
    }

    /// Loki's `validateExpr`; queries with `variants` then fail as on a Loki without multi-variant queries.
    func validateTop() throws(LogQLParseError) {
        if case .logSelector(let matchers) = self {
            try Self.validateMatchers(matchers)
        } else {
            try validateSample()
        }
        if containsVariants {
            throw LogQLParseError.unprefixed("multi variant queries are disabled for this instance")
        }
    }

    private var containsVariants: Bool {
        switch self {
        case .variants: return true
        case .binary(_, let lhs, let rhs): return lhs.containsVariants || rhs.containsVariants
        case .vectorAggregation(_, _, let inner), .labelReplace(_, let inner): return inner.containsVariants
        case .logSelector, .literal, .vector, .rangeAggregation: return false
        }
    }

    /// Loki's `validateSampleExpr`.
    private func validateSample() throws(LogQLParseError) {
        switch self {
        case .binary(let own, let lhs, let rhs):
            if let own { throw own }
            try lhs.validateSample()
            try rhs.validateSample()
        case .literal(let own), .vector(let own):
            if let own { throw own }
        case .vectorAggregation(let own, let sortGroupingError, let inner):
            if let own { throw own }
            if sortGroupingError { throw LogQLParseError("sort and sort_desc doesn't allow grouping by ") }
            try inner.validateSample()
        case .logSelector, .rangeAggregation, .labelReplace:
            try validateSelector()
        case .variants(let matchers, let variants):
            try Self.validateMatchers(matchers)
            for variant in variants { try variant.validateSample() }
        }
    }

    /// Loki's `Selector()` followed by `validateLogSelectorExpression`.
    private func validateSelector() throws(LogQLParseError) {
        switch self {
        case .logSelector(let matchers):
            try Self.validateMatchers(matchers)
        case .rangeAggregation(let own, let matchers):
            if let own { throw own }
            try Self.validateMatchers(matchers)
        case .labelReplace(let own, let inner), .vectorAggregation(let own, _, let inner):
            if let own { throw own }
            try inner.validateSelector()
        case .binary(let own, let lhs, _):
            if let own { throw own }
            try lhs.validateSelector()
        case .literal(let own):
            // A literal is its own (matcher-less) selector, which Loki rejects as empty-compatible.
            if let own { throw own }
            try Self.validateMatchers([])
        case .vector(let own):
            if let own { throw own }
        case .variants(let matchers, _):
            try Self.validateMatchers(matchers)
        }
    }
}
