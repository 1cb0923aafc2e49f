import FjordLogQL
import FjordModel

/// How a range aggregation turns entries into samples: which pipeline stages run, which grouping labels survive,
/// and whether the entries' lines need decoding at all.
///
/// Mirrors Loki's extractor construction (`syntax/extractor.go`): a `sum` directly over `count_over_time`, `rate`,
/// `bytes_over_time`, `bytes_rate` or `sum_over_time` pushes its grouping into the extraction; `by ()` (a plain
/// `sum(...)`) and `absent_over_time` keep no labels at all. With no labels to keep and nothing else needing them,
/// Loki's parsers skip their work (`ParserLabelHints().NoLabels()`), so they cannot set `__error__` — which is why
/// `sum(count_over_time({…} | json [5m]))` succeeds on unparsable lines while `sum by (x)` fails.
struct ExtractionPlan: Sendable, Hashable {
    /// The stages to run (parsers removed when they cannot matter).
    let stages: [PipelineStage]
    /// The grouping applied to each sample's labels (`nil` keeps all labels).
    let grouping: Grouping?
    /// True when samples keep no labels (unless they carry `__error__`).
    let noLabels: Bool
    /// True when no stage runs and only timestamps and line sizes are needed.
    let needsOnlySizes: Bool

    init(aggregation: RangeAggregation, pushedGrouping: Grouping?) {
        let grouping = pushedGrouping ?? aggregation.grouping
        let singleton = grouping.map { !$0.without && $0.labels.isEmpty } ?? false
        let noLabels = singleton || aggregation.operation == .absentOverTime
        let unwrap = aggregation.range.unwrap
        var stages = aggregation.range.selector.pipeline
        if noLabels, unwrap == nil, stages.allSatisfy(Self.needsNoLabels) {
            stages.removeAll(where: Self.isParser)
        }
        self.stages = stages
        self.grouping = grouping
        self.noLabels = noLabels
        switch aggregation.operation {
        case .countOverTime, .rate, .bytesOverTime, .bytesRate, .absentOverTime:
            needsOnlySizes = stages.isEmpty && unwrap == nil
        default:
            needsOnlySizes = false
        }
    }

    /// The sum-over-range operations a parent `sum` may push its grouping into (`canInjectVectorGrouping`).
    static func acceptsPushedGrouping(_ operation: RangeOperation) -> Bool {
        switch operation {
        case .bytesOverTime, .bytesRate, .sumOverTime, .rate, .countOverTime: return true
        default: return false
        }
    }

    /// Stages that neither need labels nor change what a label-less sample counts.
    private static func needsNoLabels(_ stage: PipelineStage) -> Bool {
        switch stage {
        case .lineFilter, .decolorize, .unpack, .regexp, .pattern: return true
        case .json(let extractions): return extractions.isEmpty
        case .logfmt(_, _, let extractions): return extractions.isEmpty
        default: return false
        }
    }

    private static func isParser(_ stage: PipelineStage) -> Bool {
        switch stage {
        case .json, .logfmt, .unpack, .regexp, .pattern: return true
        default: return false
        }
    }

    /// A sample's labels after grouping. Labels carrying `__error__` are kept whole so the error stays visible
    /// (Loki's `GroupedLabels`).
    func group(_ labels: Labels) -> Labels {
        if labels.index(of: "__error__") != nil { return labels }
        if noLabels { return Labels() }
        guard let grouping else { return labels }
        if grouping.without {
            return labels.filter(names: { !grouping.labels.contains($0) })
        }
        return labels.filter(names: { grouping.labels.contains($0) })
    }
}
