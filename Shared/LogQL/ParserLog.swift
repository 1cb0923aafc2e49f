import FjordModel
import FjordRegex

// Log expressions: selectors, pipelines, line filters, parser stages, label filters, log ranges and unwrap.

/// A parsed `[range]` expression and the tokens Loki's parser would list if the `)` after it were missing.
struct ParsedRange {
    var expr: LogRangeExpr
    var followers: [TokenKind]
}

extension Parser {
    // MARK: Selector

    mutating func parseSelector() throws(LogQLParseError) -> [LabelMatcher] {
        try expect(.openBrace)
        var matchers: [LabelMatcher] = []
        if current.kind == .closeBrace {
            try advance()
            return matchers
        }
        matchers.append(try parseMatcher(firstExpected: [.identifier, .closeBrace]))
        while current.kind == .comma {
            try advance()
            matchers.append(try parseMatcher(firstExpected: [.identifier]))
        }
        try expect(.closeBrace, [.closeBrace, .comma])
        return matchers
    }

    static let matcherOperators: [TokenKind] = [.eq, .neq, .re, .nre]

    private mutating func parseMatcher(firstExpected: [TokenKind]) throws(LogQLParseError) -> LabelMatcher {
        let name = try expect(.identifier, firstExpected).text
        guard Self.matcherOperators.contains(current.kind) else { throw syntaxError(Self.matcherOperators) }
        let kind = current.kind
        try advance()
        let value = try expect(.string).text
        return try Self.makeMatcher(name: name, kind: kind, value: value)
    }

    /// Loki's `mustNewMatcher`: an invalid regex fails the parse immediately with Go's regexp error text.
    static func makeMatcher(name: String, kind: TokenKind, value: String) throws(LogQLParseError) -> LabelMatcher {
        let matcherKind: LabelMatcher.Kind
        switch kind {
        case .eq: matcherKind = .equal
        case .neq: matcherKind = .notEqual
        case .re: matcherKind = .regexMatch
        default: matcherKind = .notRegexMatch
        }
        if matcherKind == .regexMatch || matcherKind == .notRegexMatch {
            do {
                _ = try RE2Regex(value)
            } catch {
                throw LogQLParseError(GoRegexpError.message(error))
            }
        }
        do {
            return try LabelMatcher(name: name, kind: matcherKind, value: value)
        } catch {
            throw LogQLParseError(GoRegexpError.message(error))
        }
    }

    // MARK: Pipeline

    static let lineFilterOperators: [TokenKind] = [.pipeExact, .pipeMatch, .pipePattern, .neq, .nre, .npa]

    /// Stages until a token that cannot continue the pipeline. With `allowUnwrap` (inside a range aggregation) a
    /// `| unwrap …` ends the pipeline and is returned separately.
    mutating func parsePipeline(allowUnwrap: Bool) throws(LogQLParseError)
        -> (stages: [PipelineStage], unwrap: UnwrapExpr?)
    {
        var stages: [PipelineStage] = []
        while true {
            if Self.lineFilterOperators.contains(current.kind) {
                stages += try parseLineFilter()
            } else if current.kind == .pipe {
                try advance()
                if allowUnwrap, current.kind == .unwrap { return (stages, try parseUnwrap()) }
                stages.append(try parseStageAfterPipe())
            } else {
                return (stages, nil)
            }
        }
    }

    /// One filter with its `or` alternatives. Loki turns `!= "a" or "b"` into `!= "a" != "b"`, so negated filters
    /// come back as one stage per value.
    private mutating func parseLineFilter() throws(LogQLParseError) -> [PipelineStage] {
        let op: LineFilter.Operator
        switch current.kind {
        case .pipeExact: op = .contains
        case .pipeMatch: op = .regex
        case .pipePattern: op = .pattern
        case .neq: op = .notContains
        case .nre: op = .notRegex
        default: op = .notPattern
        }
        try advance()
        var values = [try parseLineFilterValue()]
        while current.kind == .or {
            try advance()
            values.append(try parseLineFilterValue())
        }
        switch op {
        case .notContains, .notRegex, .notPattern:
            return values.map { .lineFilter(LineFilter(op: op, values: [$0])) }
        case .contains, .regex, .pattern:
            return [.lineFilter(LineFilter(op: op, values: values))]
        }
    }

    private mutating func parseLineFilterValue() throws(LogQLParseError) -> LineFilter.Value {
        switch current.kind {
        case .string:
            let value = current.text
            try advance()
            return .literal(value)
        case .ip:
            try advance()
            try expect(.openParen)
            let pattern = try expect(.string).text
            try expect(.closeParen)
            return .ip(pattern)
        default:
            throw syntaxError([.string, .ip])
        }
    }

    private mutating func parseStageAfterPipe() throws(LogQLParseError) -> PipelineStage {
        switch current.kind {
        case .logfmt:
            try advance()
            var strict = false
            var keepEmpty = false
            while current.kind == .functionFlag {
                if current.text == "--strict" { strict = true } else { keepEmpty = true }
                try advance()
            }
            let extractions = current.kind == .identifier ? try parseExtractions() : []
            return .logfmt(strict: strict, keepEmpty: keepEmpty, extractions: extractions)
        case .json:
            try advance()
            return .json(extractions: current.kind == .identifier ? try parseExtractions() : [])
        case .regexp:
            try advance()
            let expression = try expect(.string).text
            if let problem = RegexpParserValidation.problem(expression) {
                throw LogQLParseError("invalid regexp parser: " + problem)
            }
            return .regexp(expression)
        case .pattern:
            try advance()
            let expression = try expect(.string).text
            do {
                _ = try LogPattern(expression)
            } catch {
                throw LogQLParseError("invalid pattern parser: " + error.message)
            }
            return .pattern(expression)
        case .unpack:
            try advance()
            return .unpack
        case .identifier, .openParen:
            return .labelFilter(try parseLabelFilterExpression())
        case .lineFormat:
            try advance()
            return .lineFormat(try expect(.string).text)
        case .decolorize:
            try advance()
            return .decolorize
        case .labelFormat:
            try advance()
            return .labelFormat(try parseLabelFormats())
        case .drop, .keep:
            let drop = current.kind == .drop
            try advance()
            let selections = try parseLabelSelections()
            return drop ? .drop(selections) : .keep(selections)
        default:
            throw syntaxError()
        }
    }

    private mutating func parseExtractions() throws(LogQLParseError) -> [LabelExtraction] {
        var extractions: [LabelExtraction] = []
        while true {
            let name = try expect(.identifier).text
            var expression: String?
            if current.kind == .eq {
                try advance()
                expression = try expect(.string).text
            }
            extractions.append(LabelExtraction(name: name, expression: expression))
            guard current.kind == .comma else { return extractions }
            try advance()
        }
    }

    private mutating func parseLabelFormats() throws(LogQLParseError) -> [LabelFormatOp] {
        var operations: [LabelFormatOp] = []
        while true {
            let destination = try expect(.identifier).text
            try expect(.eq)
            switch current.kind {
            case .identifier:
                operations.append(.rename(destination: destination, source: current.text))
            case .string:
                operations.append(.template(destination: destination, template: current.text))
            default:
                throw syntaxError([.identifier, .string])
            }
            try advance()
            guard current.kind == .comma else { return operations }
            try advance()
        }
    }

    private mutating func parseLabelSelections() throws(LogQLParseError) -> [LabelSelection] {
        var selections: [LabelSelection] = []
        while true {
            let name = try expect(.identifier).text
            if Self.matcherOperators.contains(current.kind) {
                let kind = current.kind
                try advance()
                let value = try expect(.string).text
                selections.append(LabelSelection(name: name, matcher: try Self.makeMatcher(name: name, kind: kind,
                                                                                              value: value)))
            } else {
                selections.append(LabelSelection(name: name))
            }
            guard current.kind == .comma else { return selections }
            try advance()
        }
    }

    // MARK: Label filters

    private enum LabelFilterJoin {
        case and, or, comma, juxtaposition

        var precedence: Int? {
            switch self {
            case .or: return 1
            case .and: return 2
            case .comma, .juxtaposition: return nil
            }
        }
    }

    /// A label filter expression with Loki's (yacc) grouping: `or` binds loosest and is left-associative, `and`
    /// binds tighter; `,` and juxtaposition take everything to their right as their right operand.
    mutating func parseLabelFilterExpression() throws(LogQLParseError) -> LabelFilterExpr {
        var operands = [try parseLabelFilterPrimary()]
        var joins: [LabelFilterJoin] = []
        func reduce() {
            let right = operands.removeLast()
            let left = operands.removeLast()
            operands.append(joins.removeLast() == .or ? .or(left, right) : .and(left, right))
        }
        while true {
            let join: LabelFilterJoin
            switch current.kind {
            case .and: join = .and
            case .or: join = .or
            case .comma: join = .comma
            case .identifier, .openParen: join = .juxtaposition
            default:
                while !joins.isEmpty { reduce() }
                guard let result = operands.first else { preconditionFailure("label filter without operand") }
                return result
            }
            while let top = joins.last, let topPrecedence = top.precedence, let precedence = join.precedence,
                  precedence <= topPrecedence {
                reduce()
            }
            if join != .juxtaposition { try advance() }
            try countOperation()
            joins.append(join)
            operands.append(try parseLabelFilterPrimary())
        }
    }

    private mutating func parseLabelFilterPrimary() throws(LogQLParseError) -> LabelFilterExpr {
        if current.kind == .openParen {
            try advance()
            let inner = try nested { parser throws(LogQLParseError) in try parser.parseLabelFilterExpression() }
            try expect(.closeParen, [])
            return inner
        }
        let name = try expect(.identifier, [.identifier, .openParen]).text
        let opKind = current.kind
        let op: ComparisonOperator
        switch opKind {
        case .eq, .cmpEq: op = .equal
        case .neq: op = .notEqual
        case .gt: op = .greater
        case .gte: op = .greaterOrEqual
        case .lt: op = .less
        case .lte: op = .lessOrEqual
        case .re, .nre:
            try advance()
            let value = try expect(.string).text
            return .string(try Self.makeMatcher(name: name, kind: opKind, value: value))
        default:
            throw syntaxError()
        }
        try advance()
        switch current.kind {
        case .string where opKind == .eq || opKind == .neq:
            let value = current.text
            try advance()
            return .string(try Self.makeMatcher(name: name, kind: opKind, value: value))
        case .ip where opKind == .eq || opKind == .neq:
            try advance()
            try expect(.openParen)
            let pattern = try expect(.string).text
            try expect(.closeParen)
            return .ip(name: name, equal: opKind == .eq, pattern: pattern)
        case .duration:
            let token = current
            try advance()
            return .duration(name: name, op: op, seconds: Double(token.duration) / 1e9,
                             literal: Self.durationLiteral(token))
        case .bytes:
            let token = current
            try advance()
            return .bytes(name: name, op: op, bytes: Double(token.bytes), literal: token.text)
        case .number, .add, .sub:
            let sign = current.kind == .sub ? "-" : (current.kind == .add ? "+" : "")
            let (text, negative) = try parseSignedNumber()
            let value: Double
            switch GoNumber.parseFloat(text) {
            case .success(let parsed): value = parsed
            case .failure(let error): value = error.value
            }
            return .number(name: name, op: op, value: negative ? -value : value, literal: sign + text)
        default:
            throw syntaxError()
        }
    }

    private static func durationLiteral(_ token: Token) -> String { token.text }

    // MARK: Ranges

    /// The argument of a range aggregation: `selector [pipeline] [unwrap] [range] [offset]` in any of Loki's
    /// placements, optionally parenthesised.
    mutating func parseLogRange() throws(LogQLParseError) -> ParsedRange {
        if current.kind == .openBrace {
            let matchers = try parseSelector()
            return try parseRangeAfterSelector(matchers)
        }
        guard current.kind == .openParen else { throw syntaxError([.openBrace, .openParen]) }
        try advance()
        if current.kind == .openParen {
            let inner = try nested { parser throws(LogQLParseError) in try parser.parseLogRange() }
            try expect(.closeParen, [.closeParen])
            return ParsedRange(expr: inner.expr, followers: [.closeParen])
        }
        guard current.kind == .openBrace else { throw syntaxError([.openBrace, .openParen]) }
        let matchers = try parseSelector()
        if current.kind == .range {
            let inner = try parseRangeAfterSelector(matchers)
            try expect(.closeParen, [.closeParen])
            return ParsedRange(expr: inner.expr, followers: [.closeParen])
        }
        let (stages, unwrap) = try parsePipeline(allowUnwrap: true)
        if current.kind == .range {
            var inner = try finishRange(matchers, stages: stages, unwrap: unwrap)
            try expect(.closeParen, [.closeParen])
            inner.followers = [.closeParen]
            return inner
        }
        try expect(.closeParen, unwrap == nil ? [] : [.range, .closeParen, .pipe])
        let range = try expect(.range).duration
        let offset = try parseOffset()
        var expr = LogRangeExpr(selector: LogSelectorExpr(matchers: matchers, pipeline: stages), range: range,
                                offset: offset, unwrap: unwrap)
        if stages.isEmpty, unwrap == nil, current.kind == .pipe {
            try advance()
            guard current.kind == .unwrap else { throw syntaxError([.unwrap]) }
            expr.unwrap = try parseUnwrap()
        }
        return ParsedRange(expr: expr, followers: [.closeParen])
    }

    private mutating func parseRangeAfterSelector(_ matchers: [LabelMatcher]) throws(LogQLParseError) -> ParsedRange {
        if current.kind == .range {
            let range = current.duration
            try advance()
            let offset = try parseOffset()
            let (stages, unwrap) = try parsePipeline(allowUnwrap: true)
            let expr = LogRangeExpr(selector: LogSelectorExpr(matchers: matchers, pipeline: stages), range: range,
                                    offset: offset, unwrap: unwrap, rangeAfterSelector: true)
            return ParsedRange(expr: expr, followers: [.closeParen])
        }
        let (stages, unwrap) = try parsePipeline(allowUnwrap: true)
        return try finishRange(matchers, stages: stages, unwrap: unwrap)
    }

    /// `… [unwrap] RANGE [offset]` after the pipeline.
    private mutating func finishRange(_ matchers: [LabelMatcher], stages: [PipelineStage],
                                      unwrap: UnwrapExpr?) throws(LogQLParseError) -> ParsedRange {
        let range = try expect(.range, unwrap == nil ? [] : [.range, .pipe]).duration
        let offset = try parseOffset()
        let expr = LogRangeExpr(selector: LogSelectorExpr(matchers: matchers, pipeline: stages), range: range,
                                offset: offset, unwrap: unwrap)
        return ParsedRange(expr: expr, followers: [.closeParen])
    }

    private mutating func parseOffset() throws(LogQLParseError) -> Int64 {
        guard current.kind == .offset else { return 0 }
        try advance()
        return try expect(.duration).duration
    }

    /// `unwrap label` or `unwrap conversion(label)`, then `| label filter` post-filters. The current token is
    /// `unwrap`.
    private mutating func parseUnwrap() throws(LogQLParseError) -> UnwrapExpr {
        try advance()
        var unwrap: UnwrapExpr
        switch current.kind {
        case .identifier:
            unwrap = UnwrapExpr(label: current.text)
            try advance()
        case .bytesConv, .durationConv, .durationSecondsConv:
            let conversion: UnwrapExpr.Conversion = current.kind == .bytesConv
                ? .bytes : (current.kind == .durationConv ? .duration : .durationSeconds)
            try advance()
            try expect(.openParen)
            let label = try expect(.identifier).text
            try expect(.closeParen)
            unwrap = UnwrapExpr(label: label, conversion: conversion)
        default:
            throw syntaxError([.identifier, .bytesConv, .durationConv, .durationSecondsConv])
        }
        while current.kind == .pipe {
            try advance()
            guard current.kind == .identifier || current.kind == .openParen else {
                throw syntaxError([.identifier, .openParen])
            }
            unwrap.postFilters.append(try parseLabelFilterExpression())
        }
        return unwrap
    }
}
