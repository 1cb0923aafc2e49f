/// The kinds of LogQL tokens.
///
/// Raw values are Loki's grammar token numbers (`$end` = 1, `error` = 2, then the `%token` declarations of
/// `syntax.y` in order). Syntax errors list expected tokens in this order, so the numbering is part of the
/// compatibility contract.
enum TokenKind: Int, Sendable, Hashable, Comparable {
    case eof = 1, error, unknown
    case bytes, identifier, string, number, functionFlag, duration, range, matchers, labels
    case eq, re, nre, npa, openBrace, closeBrace, openBracket, closeBracket, comma, dot
    case pipeMatch, pipeExact, pipePattern, openParen, closeParen, by, without
    case countOverTime, rate, rateCounter, sum, sort, sortDesc, avg, max, min, count, stddev, stdvar
    case bottomk, topk, approxTopk, bytesOverTime, bytesRate, bool, json, regexp, logfmt, pipe, lineFormat
    case labelFormat, unwrap, avgOverTime, sumOverTime, minOverTime, maxOverTime, stdvarOverTime, stddevOverTime
    case quantileOverTime, bytesConv, durationConv, durationSecondsConv, firstOverTime, lastOverTime
    case absentOverTime, vector, labelReplace, unpack, offset, pattern, ip, on, ignoring, groupLeft, groupRight
    case decolorize, drop, keep, variants, of
    case or, and, unless, cmpEq, neq, lt, lte, gt, gte, add, sub, mul, div, mod, pow

    static func < (lhs: TokenKind, rhs: TokenKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name Loki prints in `unexpected X` / `expecting X`: the source spelling for tokens of its keyword and
    /// operator table, the grammar name (`IDENTIFIER`, `RATE`, `SUM`, …) for the others.
    var displayName: String {
        switch self {
        case .eof: return "$end"
        case .error: return "error"
        case .unknown: return "$unk"
        case .bytes: return "BYTES"
        case .identifier: return "IDENTIFIER"
        case .string: return "STRING"
        case .number: return "NUMBER"
        case .functionFlag: return "FUNCTION_FLAG"
        case .duration: return "DURATION"
        case .range: return "RANGE"
        case .matchers: return "MATCHERS"
        case .labels: return "LABELS"
        case .eq: return "="
        case .re: return "=~"
        case .nre: return "!~"
        case .npa: return "!>"
        case .openBrace: return "{"
        case .closeBrace: return "}"
        case .openBracket: return "["
        case .closeBracket: return "]"
        case .comma: return ","
        case .dot: return "."
        case .pipeMatch: return "|~"
        case .pipeExact: return "|="
        case .pipePattern: return "|>"
        case .openParen: return "("
        case .closeParen: return ")"
        case .by: return "by"
        case .without: return "without"
        case .countOverTime: return "COUNT_OVER_TIME"
        case .rate: return "RATE"
        case .rateCounter: return "RATE_COUNTER"
        case .sum: return "SUM"
        case .sort: return "SORT"
        case .sortDesc: return "SORT_DESC"
        case .avg: return "AVG"
        case .max: return "MAX"
        case .min: return "MIN"
        case .count: return "COUNT"
        case .stddev: return "STDDEV"
        case .stdvar: return "STDVAR"
        case .bottomk: return "BOTTOMK"
        case .topk: return "TOPK"
        case .approxTopk: return "APPROX_TOPK"
        case .bytesOverTime: return "BYTES_OVER_TIME"
        case .bytesRate: return "BYTES_RATE"
        case .bool: return "bool"
        case .json: return "json"
        case .regexp: return "regexp"
        case .logfmt: return "logfmt"
        case .pipe: return "|"
        case .lineFormat: return "line_format"
        case .labelFormat: return "label_format"
        case .unwrap: return "unwrap"
        case .avgOverTime: return "AVG_OVER_TIME"
        case .sumOverTime: return "SUM_OVER_TIME"
        case .minOverTime: return "MIN_OVER_TIME"
        case .maxOverTime: return "MAX_OVER_TIME"
        case .stdvarOverTime: return "STDVAR_OVER_TIME"
        case .stddevOverTime: return "STDDEV_OVER_TIME"
        case .quantileOverTime: return "QUANTILE_OVER_TIME"
        case .bytesConv: return "BYTES_CONV"
        case .durationConv: return "DURATION_CONV"
        case .durationSecondsConv: return "DURATION_SECONDS_CONV"
        case .firstOverTime: return "FIRST_OVER_TIME"
        case .lastOverTime: return "LAST_OVER_TIME"
        case .absentOverTime: return "ABSENT_OVER_TIME"
        case .vector: return "VECTOR"
        case .labelReplace: return "label_replace"
        case .unpack: return "unpack"
        case .offset: return "offset"
        case .pattern: return "pattern"
        case .ip: return "ip"
        case .on: return "on"
        case .ignoring: return "ignoring"
        case .groupLeft: return "group_left"
        case .groupRight: return "group_right"
        case .decolorize: return "decolorize"
        case .drop: return "drop"
        case .keep: return "keep"
        case .variants: return "variants"
        case .of: return "of"
        case .or: return "or"
        case .and: return "and"
        case .unless: return "unless"
        case .cmpEq: return "=="
        case .neq: return "!="
        case .lt: return "<"
        case .lte: return "<="
        case .gt: return ">"
        case .gte: return ">="
        case .add: return "+"
        case .sub: return "-"
        case .mul: return "*"
        case .div: return "/"
        case .mod: return "%"
        case .pow: return "^"
        }
    }

    /// Words and operators that are always tokens (case-insensitive), from Loki's `tokens` table.
    static let keywords: [String: TokenKind] = [
        ",": .comma, ".": .dot, "{": .openBrace, "}": .closeBrace, "=": .eq, "!=": .neq, "=~": .re, "!~": .nre,
        "!>": .npa, "|=": .pipeExact, "|~": .pipeMatch, "|>": .pipePattern, "|": .pipe, "unwrap": .unwrap,
        "(": .openParen, ")": .closeParen, "by": .by, "without": .without, "bool": .bool, "[": .openBracket,
        "]": .closeBracket, "label_replace": .labelReplace, "offset": .offset, "on": .on, "ignoring": .ignoring,
        "group_left": .groupLeft, "group_right": .groupRight,
        "or": .or, "and": .and, "unless": .unless, "+": .add, "-": .sub, "*": .mul, "/": .div, "%": .mod,
        "^": .pow, "==": .cmpEq, ">": .gt, ">=": .gte, "<": .lt, "<=": .lte,
        "json": .json, "regexp": .regexp, "logfmt": .logfmt, "unpack": .unpack, "pattern": .pattern,
        "label_format": .labelFormat, "line_format": .lineFormat, "ip": .ip, "decolorize": .decolorize,
        "drop": .drop, "keep": .keep, "variants": .variants, "of": .of,
    ]

    /// Function names: tokens only when followed by `(` or by `by`/`without` and `(`, identifiers otherwise.
    static let functions: [String: TokenKind] = [
        "rate": .rate, "rate_counter": .rateCounter, "count_over_time": .countOverTime, "bytes_rate": .bytesRate,
        "bytes_over_time": .bytesOverTime, "avg_over_time": .avgOverTime, "sum_over_time": .sumOverTime,
        "min_over_time": .minOverTime, "max_over_time": .maxOverTime, "stdvar_over_time": .stdvarOverTime,
        "stddev_over_time": .stddevOverTime, "quantile_over_time": .quantileOverTime,
        "first_over_time": .firstOverTime, "last_over_time": .lastOverTime, "absent_over_time": .absentOverTime,
        "vector": .vector, "sum": .sum, "avg": .avg, "max": .max, "min": .min, "count": .count, "stddev": .stddev,
        "stdvar": .stdvar, "bottomk": .bottomk, "topk": .topk, "sort": .sort, "sort_desc": .sortDesc,
        "label_replace": .labelReplace, "approx_topk": .approxTopk, "bytes": .bytesConv, "duration": .durationConv,
        "duration_seconds": .durationSecondsConv, "ip": .ip,
    ]

    var rangeOperation: RangeOperation? {
        switch self {
        case .countOverTime: return .countOverTime
        case .rate: return .rate
        case .rateCounter: return .rateCounter
        case .bytesOverTime: return .bytesOverTime
        case .bytesRate: return .bytesRate
        case .avgOverTime: return .avgOverTime
        case .sumOverTime: return .sumOverTime
        case .minOverTime: return .minOverTime
        case .maxOverTime: return .maxOverTime
        case .stdvarOverTime: return .stdvarOverTime
        case .stddevOverTime: return .stddevOverTime
        case .quantileOverTime: return .quantileOverTime
        case .firstOverTime: return .firstOverTime
        case .lastOverTime: return .lastOverTime
        case .absentOverTime: return .absentOverTime
        default: return nil
        }
    }

    var vectorOperation: VectorOperation? {
        switch self {
        case .sum: return .sum
        case .avg: return .avg
        case .count: return .count
        case .max: return .max
        case .min: return .min
        case .stddev: return .stddev
        case .stdvar: return .stdvar
        case .bottomk: return .bottomk
        case .topk: return .topk
        case .sort: return .sort
        case .sortDesc: return .sortDesc
        case .approxTopk: return .approxTopk
        default: return nil
        }
    }

    var binaryOperator: BinaryOperator? {
        switch self {
        case .or: return .or
        case .and: return .and
        case .unless: return .unless
        case .cmpEq: return .equal
        case .neq: return .notEqual
        case .gt: return .greater
        case .gte: return .greaterOrEqual
        case .lt: return .less
        case .lte: return .lessOrEqual
        case .add: return .add
        case .sub: return .subtract
        case .mul: return .multiply
        case .div: return .divide
        case .mod: return .modulo
        case .pow: return .power
        default: return nil
        }
    }
}

/// One token with the position Loki reports for it (`line` is 0 when Loki's scanner had invalidated it, which
/// happens for tokens the lexer completes character by character: two-character operators, durations, ranges).
struct Token: Sendable {
    var kind: TokenKind
    /// Identifier text, unquoted string, number text or flag.
    var text: String = ""
    /// Nanoseconds of a `DURATION` or `RANGE`.
    var duration: Int64 = 0
    /// Value of a `BYTES` token.
    var bytes: UInt64 = 0
    var line: Int
    var column: Int
}
