import FjordModel
import Foundation

// The canonical text of an expression, exactly as Loki's `String()` methods produce it (used in error messages,
// as cache keys and by `format_query` for expressions short enough to stay on one line).

extension Expr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .log(let selector): return selector.description
        case .metric(let metric): return metric.description
        }
    }
}

extension LogSelectorExpr: CustomStringConvertible {
    /// `{a="b", c=~"d"} |= "x" | json`.
    public var description: String {
        let selector = "{" + matchers.map(Printer.matcher).joined(separator: ", ") + "}"
        if pipeline.isEmpty { return selector }
        return selector + " " + pipeline.map(\.description).joined(separator: " ")
    }
}

extension PipelineStage: CustomStringConvertible {
    /// One stage as Loki prints it: `|= "a" or "b"`, `| logfmt --strict`, `| json a="b",c="d"`, `| x>5`.
    public var description: String {
        switch self {
        case .lineFilter(let filter):
            return filter.description
        case .logfmt(let strict, let keepEmpty, let extractions):
            if extractions.isEmpty {
                return "| logfmt" + (strict ? " --strict" : "") + (keepEmpty ? " --keep-empty" : "")
            }
            return "| logfmt " + (strict ? "--strict " : "") + (keepEmpty ? "--keep-empty " : "")
                + extractions.map(Printer.extraction).joined(separator: ",")
        case .json(let extractions):
            if extractions.isEmpty { return "| json" }
            return "| json " + extractions.map(Printer.extraction).joined(separator: ",")
        case .regexp(let expression):
            return "| regexp " + GoQuote.quote(expression)
        case .pattern(let expression):
            return "| pattern " + GoQuote.quote(expression)
        case .unpack:
            return "| unpack"
        case .labelFilter(let filter):
            return "| " + filter.description
        case .lineFormat(let template):
            return "| line_format " + GoQuote.quote(template)
        case .labelFormat(let operations):
            return "| label_format " + operations.map { operation in
                switch operation {
                case .rename(let destination, let source): return destination + "=" + source
                case .template(let destination, let template): return destination + "=" + GoQuote.quote(template)
                }
            }.joined(separator: ",")
        case .decolorize:
            return "| decolorize"
        case .drop(let selections):
            return "| drop " + selections.map(Printer.selection).joined(separator: ",")
        case .keep(let selections):
            return "| keep " + selections.map(Printer.selection).joined(separator: ",")
        }
    }
}

extension LineFilter: CustomStringConvertible {
    /// `|= "a" or "b"`; negated filters with several values print as separate filters (`!= "a" != "b"`).
    public var description: String {
        switch op {
        case .notContains, .notRegex, .notPattern:
            return values.map { op.rawValue + " " + Printer.filterValue($0) }.joined(separator: " ")
        case .contains, .regex, .pattern:
            return op.rawValue + " " + values.map(Printer.filterValue).joined(separator: " or ")
        }
    }
}

extension LabelFilterExpr: CustomStringConvertible {
    /// `( a , b )` for `and`/`,`/juxtaposition, `( a or b )`, `name>5`, `name==5s`, `name="v"`.
    public var description: String {
        switch self {
        case .and(let left, let right):
            return "( " + left.description + " , " + right.description + " )"
        case .or(let left, let right):
            return "( " + left.description + " or " + right.description + " )"
        case .parenthesized(let inner):
            return inner.description
        case .string(let matcher):
            return Printer.matcher(matcher)
        case .number(let name, let op, let value, _):
            return name + op.rawValue + GoFloat.format(value)
        case .duration(let name, let op, let seconds, _):
            return name + op.rawValue + GoDuration.format(Int64((seconds * 1e9).rounded()))
        case .bytes(let name, let op, let bytes, _):
            return name + op.rawValue + Printer.humanizeBytes(UInt64(bytes))
        case .ip(let name, let equal, let pattern):
            return name + (equal ? "=" : "!=") + "ip(" + GoQuote.quote(pattern) + ")"
        }
    }
}

extension UnwrapExpr: CustomStringConvertible {
    /// ` | unwrap duration(x) | y>1` (with Loki's leading space).
    public var description: String {
        var out = " | unwrap " + (conversion == .none ? label : conversion.rawValue + "(" + label + ")")
        for filter in postFilters { out += " | " + filter.description }
        return out
    }
}

extension LogRangeExpr: CustomStringConvertible {
    /// `{a="b"} | json | unwrap x[5m] offset 1h0m0s`: the range always after the pipeline, the offset in Go's
    /// duration format.
    public var description: String {
        var out = selector.description + (unwrap?.description ?? "") + "[" + PromDuration.format(range) + "]"
        if offset != 0 { out += " offset " + GoDuration.format(offset) }
        return out
    }
}

extension Grouping: CustomStringConvertible {
    /// ` by (a,b)` / ` without (a,b)` (with Loki's leading space).
    public var description: String {
        (without ? " without (" : " by (") + labels.joined(separator: ",") + ")"
    }
}

extension MetricExpr: CustomStringConvertible {
    public var description: String {
        switch self {
        case .rangeAggregation(let aggregation):
            var out = aggregation.operation.rawValue + "("
            if let parameter = aggregation.parameter { out += GoFloat.format(parameter) + "," }
            out += aggregation.range.description + ")"
            if let grouping = aggregation.grouping { out += grouping.description }
            return out
        case .vectorAggregation(let aggregation):
            var out = aggregation.operation.rawValue
            if let grouping = aggregation.grouping, grouping.without || !grouping.labels.isEmpty {
                out += grouping.description
            }
            out += "("
            switch aggregation.operation {
            case .topk, .bottomk: out += "\(aggregation.parameter ?? 0),"
            default: if let parameter = aggregation.parameter, parameter != 0 { out += "\(parameter)," }
            }
            return out + aggregation.inner.description + ")"
        case .binary(let binary):
            return "(" + binary.lhs.description + " " + Printer.binaryOperator(binary, separator: ",") + " "
                + binary.rhs.description + ")"
        case .literal(let value):
            return GoNumber.formatShortest(value)
        case .vector(let value):
            return "vector(" + GoNumber.formatFixed(value) + ")"
        case .labelReplace(let replace):
            return "label_replace(" + replace.inner.description + "," + GoQuote.quote(replace.destination) + ","
                + GoQuote.quote(replace.replacement) + "," + GoQuote.quote(replace.source) + ","
                + GoQuote.quote(replace.regex) + ")"
        case .parenthesized(let inner):
            return inner.description
        }
    }
}

/// Shared pieces of Loki's printing.
enum Printer {
    /// Prometheus' `Matcher.String()`: the name (quoted unless a legacy label name), operator, quoted value.
    static func matcher(_ matcher: LabelMatcher) -> String {
        name(matcher.name) + matcher.kind.rawValue + GoQuote.quote(matcher.value)
    }

    static func name(_ name: String) -> String {
        var legacy = !name.isEmpty
        for (index, byte) in name.utf8.enumerated() {
            let letter = byte == 0x5F || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
            if !(letter || (index > 0 && byte >= 0x30 && byte <= 0x39)) {
                legacy = false
                break
            }
        }
        return legacy ? name : GoQuote.quote(name)
    }

    static func extraction(_ extraction: LabelExtraction) -> String {
        extraction.name + "=" + GoQuote.quote(extraction.expression ?? extraction.name)
    }

    static func selection(_ selection: LabelSelection) -> String {
        if let matcher = selection.matcher { return Self.matcher(matcher) }
        return selection.name
    }

    static func filterValue(_ value: LineFilter.Value) -> String {
        switch value {
        case .literal(let text): return GoQuote.quote(text)
        case .ip(let pattern): return "ip(" + GoQuote.quote(pattern) + ")"
        }
    }

    /// The operator with its modifiers, e.g. `/ on (a,b) group_left (c)`, `> bool`. `separator` joins label lists
    /// (`,` in `String()`, `, ` in `format_query`).
    static func binaryOperator(_ binary: BinaryExpr, separator: String) -> String {
        var out = binary.op.rawValue
        if binary.returnBool { out += " bool" }
        guard let matching = binary.matching else { return out }
        var group = ""
        var include: [String] = []
        switch matching.card {
        case .oneToOne: break
        case .manyToOne(let labels):
            group = "group_left"
            include = labels
        case .oneToMany(let labels):
            group = "group_right"
            include = labels
        }
        if !include.isEmpty { group += " (" + include.joined(separator: separator) + ")" }
        if matching.on || !matching.labels.isEmpty {
            out += " " + (matching.on ? "on" : "ignoring") + " (" + matching.labels.joined(separator: separator)
                + ") " + group
        }
        return out
    }

    /// go-humanize's `Bytes` without spaces: `2.6kB`, `100B`, `20MB`.
    static func humanizeBytes(_ value: UInt64) -> String {
        if value < 10 { return "\(value)B" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        let exponent = Int((log(Double(value)) / log(1000)).rounded(.down))
        let scaled = (Double(value) / pow(1000, Double(exponent)) * 10 + 0.5).rounded(.down) / 10
        let number = scaled < 10 ? String(format: "%.1f", scaled) : String(format: "%.0f", scaled)
        return number + units[min(exponent, units.count - 1)]
    }
}
