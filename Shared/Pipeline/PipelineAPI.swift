public import FjordLogQL
public import FjordModel

// The public surface the query engine uses. Internals (stages, parsers, label state, templates) live in their
// own files.

/// A log pipeline compiled once per query from the AST's stages.
public struct LogPipeline: Sendable {
    /// The stages in query order.
    public let stages: [PipelineStage]
    /// The compiled stages in Loki's execution order (line filters moved ahead, see `StageCompiler.reorder`).
    let programs: [any StageProgram]
    /// Set when every stage is a line filter: they run without any label work.
    let lineFiltersOnly: LineFiltersProgram?

    /// Compiles `stages`. Throws ``PipelineError`` for invalid regexes, templates, patterns or IP ranges; its
    /// ``PipelineError/stageIndex`` names the failing stage.
    public init(stages: [PipelineStage]) throws(PipelineError) {
        self.stages = stages
        programs = try StageCompiler.compile(stages)
        if programs.count == 1, let filters = programs[0] as? LineFiltersProgram {
            lineFiltersOnly = filters
        } else {
            lineFiltersOnly = nil
        }
    }

    /// True when the pipeline has no stages: lines and labels pass through unchanged.
    public var isEmpty: Bool { stages.isEmpty }

    /// True when every stage is a line filter: labels never change, so callers may skip per-entry label work.
    public var onlyLineFilters: Bool {
        stages.allSatisfy { if case .lineFilter = $0 { return true } else { return false } }
    }

    /// Labels the stages read (label filters, templates, `label_format` sources), Loki's `RequiredLabelNames`.
    public var requiredLabelNames: [String] {
        var seen = Set<String>()
        return programs.flatMap(\.requiredLabelNames).filter { seen.insert($0).inserted }
    }

    /// A processor for one stream. Processors are not thread-safe: use one per task.
    public func makeProcessor(streamLabels: Labels) -> LineProcessor {
        LineProcessor(pipeline: self, streamLabels: streamLabels, hints: .extractAll)
    }
}

/// The result of running one entry through a pipeline.
public struct ProcessedLine {
    /// The new line when a stage (`line_format`, `decolorize`, `unpack`) changed it; `nil` = unchanged.
    public var rewrittenLine: [UInt8]?
    /// The entry's labels after the pipeline: stream labels ∪ structured metadata ∪ parsed labels
    /// (+ `__error__`, `__error_details__`), see logql.md §8.
    public var labels: Labels

    public init(rewrittenLine: [UInt8]?, labels: Labels) {
        self.rewrittenLine = rewrittenLine
        self.labels = labels
    }
}

/// Runs a ``LogPipeline`` over the entries of one stream.
public final class LineProcessor {
    let pipeline: LogPipeline
    let runtime: StageRuntime
    private var lastMetadata: Labels?
    private var lastMetadataLabels = Labels()

    init(pipeline: LogPipeline, streamLabels: Labels, hints: ParserHints) {
        self.pipeline = pipeline
        runtime = StageRuntime(streamLabels: streamLabels, hints: hints)
    }

    /// Processes one entry; returns `nil` when a filter drops it.
    public func process(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> ProcessedLine? {
        if pipeline.programs.isEmpty || pipeline.lineFiltersOnly != nil {
            if let filters = pipeline.lineFiltersOnly, !filters.matches(line) { return nil }
            return ProcessedLine(rewrittenLine: nil, labels: labelsWithMetadata(metadata))
        }
        guard run(timestamp: timestamp, line: line, metadata: metadata) else { return nil }
        let labels = runtime.labels.materialize()
        return ProcessedLine(rewrittenLine: runtime.lineRewritten ? Array(runtime.line) : nil, labels: labels)
    }

    /// Runs the stages; false when the entry is dropped. The result is in `runtime`.
    @inline(__always)
    func run(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> Bool {
        runtime.begin(timestamp: timestamp, line: line)
        if !metadata.isEmpty { runtime.labels.addStructuredMetadata(metadata, scratch: runtime.names) }
        let programs = pipeline.programs
        for index in programs.indices where !programs[index].run(runtime) { return false }
        return true
    }

    /// Stream labels plus structured metadata (with Loki's `_extracted` renaming), cached while the metadata
    /// repeats.
    private func labelsWithMetadata(_ metadata: Labels) -> Labels {
        if metadata.isEmpty { return runtime.labels.stream }
        if metadata == lastMetadata { return lastMetadataLabels }
        runtime.begin(timestamp: 0, line: UnsafeRawBufferPointer(start: nil, count: 0))
        runtime.labels.addStructuredMetadata(metadata, scratch: runtime.names)
        lastMetadata = metadata
        lastMetadataLabels = runtime.labels.materialize()
        return lastMetadataLabels
    }
}

/// Turns entries into samples for a range aggregation: runs the pipeline, applies `unwrap` and the grouping, and
/// yields a value per entry (1 for counting, the line length for `bytes_*`, the unwrapped value otherwise).
///
/// Grouping follows Loki's extractor: the range aggregation's own `by/without`, or — when the engine pushes it
/// down — the grouping of an enclosing `sum` (see ``pushesDownGrouping(vector:range:)``). An empty `by ()` (and
/// `absent_over_time`) gives every sample `{}` and lets parsers skip their work entirely, so such queries do not
/// see parse errors; samples whose entry has an error keep all their labels so the engine can report it.
public struct SampleExtractor: Sendable {
    public let pipeline: LogPipeline
    public let operation: RangeOperation
    public let unwrap: UnwrapExpr?
    public let grouping: Grouping?
    /// The grouping of an enclosing `sum` applied at extraction time, when given.
    public let pushedDownGrouping: Grouping?

    let sampleGrouping: SampleGrouping
    let hints: ParserHints
    let unwrapLabel: ByteString?
    let postFilter: LabelFilterNode?

    public init(pipeline: LogPipeline, operation: RangeOperation, unwrap: UnwrapExpr?, grouping: Grouping?)
        throws(PipelineError)
    {
        try self.init(pipeline: pipeline, operation: operation, unwrap: unwrap, grouping: grouping,
                      pushedDownGrouping: nil)
    }

    /// `pushedDownGrouping` is the `by/without` of an enclosing `sum` when Loki would push it into the extractor:
    /// the range aggregation has no grouping of its own and ``pushesDownGrouping(vector:range:)`` holds.
    public init(pipeline: LogPipeline, operation: RangeOperation, unwrap: UnwrapExpr?, grouping: Grouping?,
                pushedDownGrouping: Grouping?) throws(PipelineError)
    {
        self.pipeline = pipeline
        self.operation = operation
        self.unwrap = unwrap
        self.grouping = grouping
        self.pushedDownGrouping = pushedDownGrouping

        var groups: [String] = []
        var without = false
        var noLabels = false
        for candidate in [grouping, pushedDownGrouping] {
            guard let candidate else { continue }
            groups = candidate.labels
            without = candidate.without
            noLabels = candidate.labels.isEmpty && !candidate.without
        }
        if operation == .absentOverTime { noLabels = true }

        if let unwrap {
            if groups.isEmpty || without {
                without = true
                groups.append(unwrap.label)
            }
            var post: LabelFilterNode?
            for filter in unwrap.postFilters {
                let node = try LabelFilterNode.compile(filter)
                post = post.map { .and($0, node) } ?? node
            }
            postFilter = post
            unwrapLabel = ByteString(unwrap.label)
            hints = ParserHints(requiredLabelNames: pipeline.requiredLabelNames + (post?.names ?? []), groups: groups,
                                without: without, noLabels: noLabels, metricLabelName: unwrap.label)
        } else {
            switch operation {
            case .countOverTime, .rate, .absentOverTime, .bytesOverTime, .bytesRate:
                break
            default:
                throw PipelineError(message: "unsupported range vector aggregation operation: \(operation.rawValue)")
            }
            postFilter = nil
            unwrapLabel = nil
            hints = ParserHints(requiredLabelNames: pipeline.requiredLabelNames, groups: groups, without: without,
                                noLabels: noLabels, metricLabelName: "")
        }
        sampleGrouping = SampleGrouping(names: groups, without: without, noLabels: noLabels)
    }

    /// Loki's `canInjectVectorGrouping`: a `sum` over `bytes_over_time`, `bytes_rate`, `sum_over_time`, `rate`
    /// or `count_over_time` (without its own grouping) has its grouping applied while extracting.
    public static func pushesDownGrouping(vector: VectorOperation, range: RangeOperation) -> Bool {
        guard vector == .sum else { return false }
        switch range {
        case .bytesOverTime, .bytesRate, .sumOverTime, .rate, .countOverTime: return true
        default: return false
        }
    }

    /// A per-stream processor. Not thread-safe: one per task.
    public func makeProcessor(streamLabels: Labels) -> SampleProcessor {
        SampleProcessor(extractor: self,
                        lines: LineProcessor(pipeline: pipeline, streamLabels: streamLabels, hints: hints))
    }
}

/// Extracts samples from the entries of one stream.
public final class SampleProcessor {
    let extractor: SampleExtractor
    let lines: LineProcessor
    private var unchangedLabels: Labels?

    init(extractor: SampleExtractor, lines: LineProcessor) {
        self.extractor = extractor
        self.lines = lines
    }

    /// The sample for one entry, or `nil` when the entry is filtered out or has no value.
    public func process(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> (value: Double, labels: Labels)? {
        guard lines.run(timestamp: timestamp, line: line, metadata: metadata) else { return nil }
        let runtime = lines.runtime
        let labels = runtime.labels
        guard let unwrapLabel = extractor.unwrapLabel else {
            let value: Double
            switch extractor.operation {
            case .bytesOverTime, .bytesRate: value = Double(runtime.line.count)
            default: value = 1
            }
            return (value, groupedLabels())
        }
        guard let raw = labels.get(unwrapLabel), raw.count > 0 else { return nil }
        var value = 0.0
        switch UnwrapConversion.convert(raw, extractor.unwrap?.conversion ?? .none) {
        case .success(let converted): value = converted
        case .failure(let error):
            labels.errorType = ErrorTypes.sampleExtraction
            labels.errorDetails = error.message
        }
        if let postFilter = extractor.postFilter, !postFilter.evaluate(runtime) { return nil }
        return (value, groupedLabels())
    }

    private func groupedLabels() -> Labels {
        let labels = lines.runtime.labels
        if labels.isUnchanged {
            if let unchangedLabels { return unchangedLabels }
            let grouped = labels.grouped(extractor.sampleGrouping)
            unchangedLabels = grouped
            return grouped
        }
        return labels.grouped(extractor.sampleGrouping)
    }
}

/// A pipeline could not be compiled (bad regex, template, pattern or IP range).
public struct PipelineError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// Index into ``LogPipeline/stages`` of the stage that failed, when known. Loki reports such errors as
    /// `parse error : stage '<stage as printed>' : <message>`.
    public var stageIndex: Int?

    public init(message: String) {
        self.message = message
        stageIndex = nil
    }

    public init(message: String, stageIndex: Int?) {
        self.message = message
        self.stageIndex = stageIndex
    }

    public var description: String { message }
}
