import FjordModel
import FjordRegex

/// The stages of a pipeline in the order Loki builds them (`MultiStageExpr.reorderStages`): line filters move to
/// the front of their segment (a segment ends at a label filter, `line_format` or `unpack`) and consecutive line
/// filters form one stage. Loki names a failing stage by this grouping, e.g. `stage '|= "a" |~ "("' : …`.
public struct LokiStageGroup: Sendable, Hashable {
    /// The stages of the group, in query order (several only for combined line filters).
    public var stages: [PipelineStage]
    /// How Loki prints the group in stage errors.
    public var text: String { stages.map(\.description).joined(separator: " ") }

    public var isLineFilters: Bool {
        if case .lineFilter = stages.first { return true }
        return false
    }

    /// Loki's grouping of `pipeline`.
    public static func groups(_ pipeline: [PipelineStage]) -> [LokiStageGroup] {
        var result: [LokiStageGroup] = []
        var lineFilters: [PipelineStage] = []
        var others: [PipelineStage] = []
        func flush() {
            if !lineFilters.isEmpty { result.append(LokiStageGroup(stages: lineFilters)) }
            result += others.map { LokiStageGroup(stages: [$0]) }
            lineFilters = []
            others = []
        }
        for stage in pipeline {
            switch stage {
            case .labelFilter:
                flush()
                result.append(LokiStageGroup(stages: [stage]))
            case .lineFilter:
                lineFilters.append(stage)
            case .lineFormat, .unpack:
                others.append(stage)
                flush()
            default:
                others.append(stage)
            }
        }
        flush()
        return result
    }
}

extension Expr {
    /// The checks Loki makes when it builds the pipelines of a parsed query (after `ParseExpr`), for the stages
    /// whose rules belong to the language: regex line filters (Go regexp syntax) and `label_format` (a label at most
    /// once, never `__error__`). Throws `parse error : stage '<stage>' : <reason>`, for the first failing stage in
    /// Loki's order. Template, IP, pattern-filter and JSON-path checks belong to the pipeline compiler.
    public func validateStages() throws(LogQLParseError) {
        for pipeline in pipelines { try StageValidation.validate(pipeline) }
    }

    /// Every log pipeline in the query, left to right.
    public var pipelines: [[PipelineStage]] {
        switch self {
        case .log(let selector): return [selector.pipeline]
        case .metric(let metric): return metric.pipelines
        }
    }
}

extension MetricExpr {
    /// Every log pipeline under this expression, left to right.
    public var pipelines: [[PipelineStage]] {
        switch self {
        case .rangeAggregation(let aggregation): return [aggregation.range.selector.pipeline]
        case .vectorAggregation(let aggregation): return aggregation.inner.pipelines
        case .binary(let binary): return binary.lhs.pipelines + binary.rhs.pipelines
        case .labelReplace(let replace): return replace.inner.pipelines
        case .parenthesized(let inner): return inner.pipelines
        case .literal, .vector: return []
        }
    }
}

enum StageValidation {
    static func validate(_ pipeline: [PipelineStage]) throws(LogQLParseError) {
        for group in LokiStageGroup.groups(pipeline) {
            if let reason = problem(group) { throw LogQLParseError.stage(group.text, reason) }
        }
    }

    private static func problem(_ group: LokiStageGroup) -> String? {
        if group.isLineFilters {
            // Loki builds a combined filter from its last element back to its first.
            for stage in group.stages.reversed() {
                guard case .lineFilter(let filter) = stage else { continue }
                if let reason = lineFilterProblem(filter) { return reason }
            }
            return nil
        }
        guard case .labelFormat(let operations) = group.stages.first else { return nil }
        var seen = Set<String>()
        for operation in operations {
            let name: String
            switch operation {
            case .rename(let destination, _), .template(let destination, _): name = destination
            }
            if name == "__error__" { return "__error__ cannot be formatted" }
            if !seen.insert(name).inserted {
                return "multiple label name '\(name)' not allowed in a single format operation"
            }
        }
        return nil
    }

    private static func lineFilterProblem(_ filter: LineFilter) -> String? {
        guard filter.op == .regex || filter.op == .notRegex else { return nil }
        for value in filter.values {
            guard case .literal(let expression) = value else { continue }
            do {
                _ = try RE2Regex(expression)
            } catch {
                return GoRegexpError.message(error)
            }
        }
        return nil
    }
}
