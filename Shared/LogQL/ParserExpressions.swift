import FjordModel
import FjordRegex
import Foundation

// Metric expressions: binary operations (precedence climbing), aggregations, literals, `vector()`,
// `label_replace()`.

extension BinaryOperator {
    /// Loki's precedence levels: `or` < `and`,`unless` < comparisons < `+ -` < `* / %` < `^`.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual: return 3
        case .add, .subtract: return 4
        case .multiply, .divide, .modulo: return 5
        case .power: return 6
        }
    }
}

extension Parsed {
    /// The deferred checks of a metric or `variants` expression (a log leg is rejected before its checks matter).
    var check: Check {
        switch self {
        case .log(let selector): return .logSelector(selector.matchers)
        case .metric(_, let check), .variants(let check): return check
        }
    }
}

extension Parser {

    mutating func parseExpression(minimumPrecedence: Int, startingWith first: Parsed? = nil) throws(LogQLParseError)
        -> Parsed
    {
        var lhs: Parsed
        if let first {
            lhs = first
        } else {
            lhs = try nested { parser throws(LogQLParseError) in try parser.parsePrimary() }
        }
        while let op = current.kind.binaryOperator, op.precedence >= minimumPrecedence {
            try countOperation()
            try advance()
            let modifier = try parseBinaryModifier()
            let next = op == .power ? op.precedence : op.precedence + 1
            let rhs = try nested { parser throws(LogQLParseError) in
                try parser.parseExpression(minimumPrecedence: next)
            }
            lhs = Self.makeBinary(op, modifier: modifier, lhs: lhs, rhs: rhs)
        }
        return lhs
    }

    private mutating func parsePrimary() throws(LogQLParseError) -> Parsed {
        switch current.kind {
        case .openBrace:
            let matchers = try parseSelector()
            let pipeline = try parsePipeline(allowUnwrap: false).stages
            return .log(LogSelectorExpr(matchers: matchers, pipeline: pipeline))
        case .openParen:
            try advance()
            let inner = try parseExpression(minimumPrecedence: 0)
            // Only log and metric expressions can be parenthesised, not `variants`.
            if case .variants = inner { throw syntaxError() }
            try expect(.closeParen, [])
            return inner
        case .number, .add, .sub:
            return try parseLiteral()
        case .vector:
            return try parseVector()
        case .labelReplace:
            return try parseLabelReplace()
        case .variants:
            return try parseVariants()
        default:
            if current.kind.rangeOperation != nil { return try parseRangeAggregation() }
            if current.kind.vectorOperation != nil { return try parseVectorAggregation() }
            throw syntaxError()
        }
    }

    // MARK: Literals

    private mutating func parseLiteral() throws(LogQLParseError) -> Parsed {
        let (text, negative) = try parseSignedNumber()
        return Self.makeLiteral(text, negative: negative)
    }

    /// `NUMBER`, `+ NUMBER` or `- NUMBER`: the number text and whether it is negated.
    mutating func parseSignedNumber() throws(LogQLParseError) -> (String, Bool) {
        var negative = false
        if current.kind == .add || current.kind == .sub {
            negative = current.kind == .sub
            try advance()
        }
        let token = try expect(.number)
        return (token.text, negative)
    }

    /// Loki's `mustNewLiteralExpr`: an unparsable number becomes an error reported at validation.
    static func makeLiteral(_ text: String, negative: Bool) -> Parsed {
        switch GoNumber.parseFloat(text) {
        case .success(let value):
            return .metric(.literal(negative ? -value : value), .literal(own: nil))
        case .failure(let error):
            return .metric(.literal(0), .literal(own: LogQLParseError("unable to parse literal as a float: " + error.message)))
        }
    }

    private mutating func parseVector() throws(LogQLParseError) -> Parsed {
        try advance()
        try expect(.openParen)
        let number = try expect(.number)
        try expect(.closeParen)
        switch GoNumber.parseFloat(number.text) {
        case .success(let value):
            return .metric(.vector(value), .vector(own: nil))
        case .failure(let error):
            return .metric(.vector(0), .vector(own: LogQLParseError("unable to parse vectorExpr as a float: " + error.message)))
        }
    }

    // MARK: variants

    /// `variants(metric {, metric}) of (log range)`.
    private mutating func parseVariants() throws(LogQLParseError) -> Parsed {
        try advance()
        try expect(.openParen)
        var checks: [Check] = []
        while true {
            guard case .metric(_, let check) = try parseExpression(minimumPrecedence: 0) else { throw syntaxError() }
            checks.append(check)
            guard current.kind == .comma else { break }
            try advance()
        }
        try expect(.closeParen, [])
        try expect(.of)
        try expect(.openParen)
        guard current.kind == .openBrace || current.kind == .openParen else {
            throw syntaxError([.openBrace, .openParen])
        }
        let range = try parseLogRange()
        try expect(.closeParen, range.followers)
        return .variants(.variants(matchers: range.expr.selector.matchers, variants: checks))
    }

    // MARK: label_replace

    private mutating func parseLabelReplace() throws(LogQLParseError) -> Parsed {
        try advance()
        try expect(.openParen)
        let inner = try parseExpression(minimumPrecedence: 0)
        guard case .metric(let metric, let innerCheck) = inner else {
            // A log expression cannot be the first argument: Loki's parser fails at the token after it.
            throw syntaxError()
        }
        try expect(.comma, [])
        var strings: [String] = []
        for index in 0..<4 {
            strings.append(try expect(.string).text)
            try expect(index == 3 ? .closeParen : .comma)
        }
        var own: LogQLParseError?
        do {
            _ = try RE2Regex("^(?:" + strings[3] + ")$")
        } catch {
            own = LogQLParseError("invalid regex in label_replace: " + GoRegexpError.message(error))
        }
        let expr = LabelReplaceExpr(inner: metric, destination: strings[0], replacement: strings[1],
                                    source: strings[2], regex: strings[3])
        return .metric(.labelReplace(expr), .labelReplace(own: own, inner: innerCheck))
    }

    // MARK: Aggregations

    private mutating func parseGrouping() throws(LogQLParseError) -> Grouping {
        let without = current.kind == .without
        try advance()
        return Grouping(without: without, labels: try parseLabelList())
    }

    /// `( [label {, label}] )`.
    mutating func parseLabelList() throws(LogQLParseError) -> [String] {
        try expect(.openParen)
        var labels: [String] = []
        if current.kind == .closeParen {
            try advance()
            return labels
        }
        labels.append(try expect(.identifier, [.identifier, .closeParen]).text)
        while current.kind == .comma {
            try advance()
            labels.append(try expect(.identifier).text)
        }
        try expect(.closeParen, [.comma, .closeParen])
        return labels
    }

    private mutating func parseVectorAggregation() throws(LogQLParseError) -> Parsed {
        guard let operation = current.kind.vectorOperation else { throw syntaxError() }
        try advance()
        var grouping: Grouping?
        var groupingAfter = false
        if current.kind == .by || current.kind == .without {
            grouping = try parseGrouping()
            try expect(.openParen)
        } else {
            try expect(.openParen, [.openParen, .by, .without])
        }
        var parameter: String?
        var inner: Parsed
        if current.kind == .number {
            let number = current
            try advance()
            if current.kind == .comma {
                parameter = number.text
                try advance()
                inner = try parseExpression(minimumPrecedence: 0)
            } else {
                inner = try parseExpression(minimumPrecedence: 0,
                                            startingWith: Self.makeLiteral(number.text, negative: false))
            }
        } else {
            inner = try parseExpression(minimumPrecedence: 0)
        }
        guard case .metric(let metric, let innerCheck) = inner else { throw syntaxError() }
        try expect(.closeParen, [])
        if grouping == nil, current.kind == .by || current.kind == .without {
            grouping = try parseGrouping()
            groupingAfter = true
        }
        var expr = VectorAggregation(operation: operation, inner: metric, grouping: grouping,
                                     groupingAfter: groupingAfter)
        let own = Self.vectorAggregationError(&expr, parameter: parameter)
        let sortGroupingError = (operation == .sort || operation == .sortDesc) && !(grouping?.labels.isEmpty ?? true)
        return .metric(.vectorAggregation(expr),
                       .vectorAggregation(own: own, sortGroupingError: sortGroupingError, inner: innerCheck))
    }

    /// Loki's `mustNewVectorAggregationExpr` checks; sets the parsed `k`.
    private static func vectorAggregationError(_ expr: inout VectorAggregation,
                                               parameter: String?) -> LogQLParseError? {
        let name = expr.operation.rawValue
        switch expr.operation {
        case .topk, .bottomk, .approxTopk:
            guard let parameter else { return LogQLParseError("parameter required for operation \(name)") }
            guard let k = GoNumber.atoi(parameter) else {
                return LogQLParseError("invalid parameter \(name)(\(parameter),")
            }
            if k <= 0 { return LogQLParseError("invalid parameter (must be greater than 0) \(name)(\(parameter)") }
            expr.parameter = k
        default:
            if let parameter { return LogQLParseError("unsupported parameter for operation \(name)(\(parameter),") }
        }
        if expr.operation == .approxTopk, expr.grouping != nil {
            return LogQLParseError("grouping not allowed for approx_topk aggregation")
        }
        return nil
    }

    private mutating func parseRangeAggregation() throws(LogQLParseError) -> Parsed {
        guard let operation = current.kind.rangeOperation else { throw syntaxError() }
        try advance()
        try expect(.openParen)
        var parameter: String?
        if current.kind == .number {
            parameter = current.text
            try advance()
            try expect(.comma)
            guard current.kind == .openBrace || current.kind == .openParen else {
                throw syntaxError([.openBrace, .openParen])
            }
        } else if current.kind != .openBrace && current.kind != .openParen {
            throw syntaxError([.number, .openBrace, .openParen])
        }
        let range = try parseLogRange()
        try expect(.closeParen, range.followers)
        var grouping: Grouping?
        if current.kind == .by || current.kind == .without { grouping = try parseGrouping() }
        var expr = RangeAggregation(operation: operation, range: range.expr, grouping: grouping)
        let own = Self.rangeAggregationError(&expr, parameter: parameter)
        return .metric(.rangeAggregation(expr), .rangeAggregation(own: own, matchers: range.expr.selector.matchers))
    }

    /// Loki's `newRangeAggregationExpr` checks; sets the parsed parameter.
    private static func rangeAggregationError(_ expr: inout RangeAggregation, parameter: String?) -> LogQLParseError? {
        let name = expr.operation.rawValue
        if let parameter {
            guard expr.operation == .quantileOverTime else {
                return LogQLParseError("parameter \(parameter) not supported for operation \(name)")
            }
            switch GoNumber.parseFloat(parameter) {
            case .success(let value): expr.parameter = value
            case .failure(let error): return LogQLParseError("invalid parameter for operation \(name): \(error.message)")
            }
        } else if expr.operation == .quantileOverTime {
            return LogQLParseError("parameter required for operation \(name)")
        }
        if expr.grouping != nil {
            switch expr.operation {
            case .avgOverTime, .stddevOverTime, .stdvarOverTime, .quantileOverTime, .maxOverTime, .minOverTime,
                 .firstOverTime, .lastOverTime:
                break
            default:
                return LogQLParseError("grouping not allowed for \(name) aggregation")
            }
        }
        if expr.range.unwrap != nil {
            switch expr.operation {
            case .avgOverTime, .sumOverTime, .maxOverTime, .minOverTime, .stddevOverTime, .stdvarOverTime,
                 .quantileOverTime, .rate, .rateCounter, .absentOverTime, .firstOverTime, .lastOverTime:
                return nil
            default:
                return LogQLParseError("invalid aggregation \(name) with unwrap")
            }
        }
        switch expr.operation {
        case .bytesOverTime, .bytesRate, .countOverTime, .rate, .absentOverTime:
            return nil
        default:
            return LogQLParseError("invalid aggregation \(name) without unwrap")
        }
    }

    // MARK: Binary operations

    private mutating func parseBinaryModifier() throws(LogQLParseError) -> (returnBool: Bool, matching: VectorMatching?) {
        var returnBool = false
        if current.kind == .bool {
            returnBool = true
            try advance()
        }
        guard current.kind == .on || current.kind == .ignoring else { return (returnBool, nil) }
        let on = current.kind == .on
        try advance()
        var matching = VectorMatching(on: on, labels: try parseLabelList())
        if current.kind == .groupLeft || current.kind == .groupRight {
            let left = current.kind == .groupLeft
            try advance()
            var include: [String] = []
            if current.kind == .openParen { include = try parseLabelList() }
            matching.card = left ? .manyToOne(include: include) : .oneToMany(include: include)
        }
        return (returnBool, matching)
    }

    /// Loki's `mustNewBinOpExpr`: type checks, literal legs of set operations, and folding of two literals.
    static func makeBinary(_ op: BinaryOperator, modifier: (returnBool: Bool, matching: VectorMatching?),
                           lhs: Parsed, rhs: Parsed) -> Parsed {
        func typeName(_ selector: LogSelectorExpr) -> String {
            selector.pipeline.isEmpty ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr"
        }
        let placeholder = MetricExpr.literal(0)
        if case .variants(let leftCheck) = lhs {
            return .metric(placeholder, .binary(own: nil, lhs: leftCheck, rhs: rhs.check))
        }
        if case .variants(let rightCheck) = rhs {
            return .metric(placeholder, .binary(own: nil, lhs: lhs.check, rhs: rightCheck))
        }
        guard case .metric(let left, let leftCheck) = lhs else {
            guard case .log(let selector) = lhs else { preconditionFailure("variants legs are handled above") }
            let error = LogQLParseError(
                "unexpected type for left leg of binary operation (\(op.rawValue)): \(typeName(selector))")
            return .metric(placeholder, .binary(own: error, lhs: .literal(own: nil), rhs: .literal(own: nil)))
        }
        guard case .metric(let right, let rightCheck) = rhs else {
            guard case .log(let selector) = rhs else { preconditionFailure("variants legs are handled above") }
            let error = LogQLParseError(
                "unexpected type for right leg of binary operation (\(op.rawValue)): \(typeName(selector))")
            return .metric(placeholder, .binary(own: error, lhs: .literal(own: nil), rhs: .literal(own: nil)))
        }
        // A literal leg that failed to parse makes the operation fail with the literal's error.
        if case .literal = left, case .literal(let own?) = leftCheck {
            return .metric(placeholder, .binary(own: own, lhs: leftCheck, rhs: rightCheck))
        }
        if case .literal = right, case .literal(let own?) = rightCheck {
            return .metric(placeholder, .binary(own: own, lhs: leftCheck, rhs: rightCheck))
        }
        if op.isSetOperator {
            if case .literal(let value) = left {
                let error = LogQLParseError("unexpected literal for left leg of logical/set binary operation "
                    + "(\(op.rawValue)): \(GoNumber.formatFixed(value))")
                return .metric(placeholder, .binary(own: error, lhs: leftCheck, rhs: rightCheck))
            }
            if case .literal(let value) = right {
                let error = LogQLParseError("unexpected literal for right leg of logical/set binary operation "
                    + "(\(op.rawValue)): \(GoNumber.formatFixed(value))")
                return .metric(placeholder, .binary(own: error, lhs: leftCheck, rhs: rightCheck))
            }
        }
        if case .literal(let a) = left, case .literal(let b) = right {
            return .metric(.literal(fold(op, a, b)), .literal(own: nil))
        }
        let expr = BinaryExpr(op: op, lhs: left, rhs: right, returnBool: modifier.returnBool,
                              matching: modifier.matching)
        return .metric(.binary(expr), .binary(own: nil, lhs: leftCheck, rhs: rightCheck))
    }

    /// Loki's `MergeBinOp` on two scalars: comparisons give 0 or 1, `x/0` and `x%0` give NaN.
    static func fold(_ op: BinaryOperator, _ a: Double, _ b: Double) -> Double {
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return b == 0 ? .nan : a / b
        case .modulo: return b == 0 ? .nan : fmod(a, b)
        case .power: return pow(a, b)
        case .equal: return a == b ? 1 : 0
        case .notEqual: return a != b ? 1 : 0
        case .greater: return a > b ? 1 : 0
        case .greaterOrEqual: return a >= b ? 1 : 0
        case .less: return a < b ? 1 : 0
        case .lessOrEqual: return a <= b ? 1 : 0
        case .or, .and, .unless: preconditionFailure("set operators never fold: literal legs are rejected")
        }
    }
}
