import FjordModel

// `format_query`: Loki's `syntax.Prettify`. An expression whose one-line form (`description`) is longer than 100
// bytes is split: pipeline stages one per line, function arguments and binary-operation legs indented by two
// spaces per level. Loki's quirks are kept (`| decolorize` is never indented, split line filters lose their `or`
// alternatives, the offset prints as a Prometheus duration).

extension Expr {
    /// The query as Loki's `format_query` endpoint returns it. `maxLineLength` is Loki's `MaxCharsPerLine` (100).
    public func prettified(maxLineLength: Int = 100) -> String {
        let prettier = Prettier(maxLineLength: maxLineLength)
        switch self {
        case .log(let selector): return prettier.log(selector, level: 0)
        case .metric(let metric): return prettier.metric(metric, level: 0)
        }
    }
}

struct Prettier {
    let maxLineLength: Int

    func indent(_ level: Int) -> String { String(repeating: "  ", count: level) }

    func needsSplit(_ text: String) -> Bool { text.utf8.count > maxLineLength }

    func log(_ selector: LogSelectorExpr, level: Int) -> String {
        let oneLine = selector.description
        guard !selector.pipeline.isEmpty, needsSplit(oneLine) else { return indent(level) + oneLine }
        let matchers = LogSelectorExpr(matchers: selector.matchers)
        let stages = lokiStages(selector.pipeline).map { stage(group: $0, level: level + 1) }
        return indent(level) + matchers.description + "\n" + stages.joined(separator: "\n")
    }

    /// Loki's pipeline stages: a run of consecutive line filters is a single stage.
    private func lokiStages(_ pipeline: [PipelineStage]) -> [[PipelineStage]] {
        var groups: [[PipelineStage]] = []
        for stage in pipeline {
            if case .lineFilter = stage, case .lineFilter = groups.last?.last {
                groups[groups.count - 1].append(stage)
            } else {
                groups.append([stage])
            }
        }
        return groups
    }

    private func stage(group: [PipelineStage], level: Int) -> String {
        guard let last = group.last else { return "" }
        if case .lineFilter(let filter) = last {
            return lineFilters(group, last: filter, level: level)
        }
        if case .decolorize = last { return last.description }
        return indent(level) + last.description
    }

    /// Loki's `LineFilterExpr.Pretty`: the chain on one line if short enough, otherwise its head (recursively) and
    /// the last filter, without its `or` alternatives, on its own line.
    private func lineFilters(_ chain: [PipelineStage], last: LineFilter, level: Int) -> String {
        let oneLine = chain.map(\.description).joined(separator: " ")
        if !needsSplit(oneLine) { return indent(level) + oneLine }
        var out = ""
        let head = Array(chain.dropLast())
        if case .lineFilter(let previous) = head.last {
            out += lineFilters(head, last: previous, level: level) + "\n"
        }
        let first = last.values.first.map { [$0] } ?? []
        return out + indent(level) + LineFilter(op: last.op, values: first).description
    }

    func metric(_ expr: MetricExpr, level: Int) -> String {
        let oneLine = expr.description
        switch expr {
        case .parenthesized(let inner):
            return metric(inner, level: level)
        case .literal, .vector:
            return indent(level) + oneLine
        case _ where !needsSplit(oneLine):
            return indent(level) + oneLine
        case .rangeAggregation(let aggregation):
            var out = indent(level) + aggregation.operation.rawValue + "(\n"
            if let parameter = aggregation.parameter {
                out += indent(level + 1) + GoNumber.formatShortest(parameter) + ",\n"
            }
            out += range(aggregation.range, level: level + 1) + "\n" + indent(level) + ")"
            if let grouping = aggregation.grouping { out += groupingText(grouping) }
            return out
        case .vectorAggregation(let aggregation):
            var arguments = [metric(aggregation.inner, level: level + 1)]
            switch aggregation.operation {
            case .topk, .bottomk:
                arguments.insert(indent(level + 1) + "\(aggregation.parameter ?? 0)", at: 0)
            default:
                if let parameter = aggregation.parameter, parameter != 0 {
                    arguments.insert(indent(level + 1) + "\(parameter)", at: 0)
                }
            }
            var out = indent(level) + aggregation.operation.rawValue
            if let grouping = aggregation.grouping { out += groupingText(grouping) }
            return out + "(\n" + arguments.joined(separator: ",\n") + "\n" + indent(level) + ")"
        case .binary(let binary):
            // Unlike `String()`, Loki's pretty form prints `on`/`ignoring` only with labels.
            var op = binary.op.rawValue + (binary.returnBool ? " bool" : "")
            if let matching = binary.matching, !matching.labels.isEmpty {
                op = Printer.binaryOperator(binary, separator: ", ")
            }
            return metric(binary.lhs, level: level + 1) + "\n" + indent(level) + op + "\n"
                + metric(binary.rhs, level: level + 1)
        case .labelReplace(let replace):
            let arguments = [metric(replace.inner, level: level + 1)]
                + [replace.destination, replace.replacement, replace.source, replace.regex]
                .map { indent(level + 1) + GoQuote.quote($0) }
            return indent(level) + "label_replace(\n" + arguments.joined(separator: ",\n") + "\n" + indent(level)
                + ")"
        }
    }

    private func range(_ range: LogRangeExpr, level: Int) -> String {
        var out = log(range.selector, level: level)
        if let unwrap = range.unwrap {
            out += "\n" + indent(level + 1) + "| unwrap "
                + (unwrap.conversion == .none ? unwrap.label : unwrap.conversion.rawValue + "(" + unwrap.label + ")")
            for filter in unwrap.postFilters { out += "\n" + indent(level + 1) + "| " + filter.description }
        }
        out += " [" + PromDuration.format(range.range) + "]"
        if range.offset != 0 { out += " offset " + prometheusDuration(range.offset) }
        return out
    }

    /// Prometheus' `model.Duration` prints nothing for negative durations.
    private func prometheusDuration(_ nanos: Int64) -> String {
        nanos < 0 ? "" : PromDuration.format(nanos)
    }

    /// Loki's `Grouping.Pretty`: ` by (a, b)`, ` without (a, b)`, ` without` for `without ()`, nothing for `by ()`.
    private func groupingText(_ grouping: Grouping) -> String {
        var out = grouping.without ? " without" : (grouping.labels.isEmpty ? "" : " by")
        if !grouping.labels.isEmpty { out += " (" + grouping.labels.joined(separator: ", ") + ")" }
        return out
    }
}
