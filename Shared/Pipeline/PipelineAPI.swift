public import FjordLogQL
public import FjordModel
import CFjordBytes
import FjordRegex

// The public surface the query engine uses. Internals (parsers, label filters, templates) live in their own files.

/// A log pipeline compiled once per query from the AST's stages.
public struct LogPipeline: Sendable {
    /// The stages in query order.
    public let stages: [PipelineStage]
    let compiled: [CompiledStage]

    /// Compiles `stages`. Throws ``PipelineError`` for invalid regexes, templates or patterns.
    public init(stages: [PipelineStage]) throws(PipelineError) {
        self.stages = stages
        var compiled: [CompiledStage] = []
        for stage in stages {
            compiled.append(try CompiledStage(stage))
        }
        self.compiled = compiled
    }

    /// True when the pipeline has no stages: lines and labels pass through unchanged.
    public var isEmpty: Bool { stages.isEmpty }

    /// True when every stage is a line filter: labels never change, so callers may skip per-entry label work.
    public var onlyLineFilters: Bool {
        stages.allSatisfy { if case .lineFilter = $0 { return true } else { return false } }
    }

    /// A processor for one stream. Processors are not thread-safe: use one per task.
    public func makeProcessor(streamLabels: Labels) -> LineProcessor {
        LineProcessor(pipeline: self, streamLabels: streamLabels)
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
    let streamLabels: Labels
    private var lastMetadata = Labels()
    private var lastMergedLabels: Labels

    init(pipeline: LogPipeline, streamLabels: Labels) {
        self.pipeline = pipeline
        self.streamLabels = streamLabels
        lastMergedLabels = streamLabels
    }

    /// Processes one entry; returns `nil` when a filter drops it.
    public func process(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> ProcessedLine? {
        for stage in pipeline.compiled {
            switch stage {
            case .lineFilter(let filter):
                if !filter.matches(line) { return nil }
            }
        }
        if metadata.isEmpty { return ProcessedLine(rewrittenLine: nil, labels: streamLabels) }
        if metadata != lastMetadata {
            lastMetadata = metadata
            lastMergedLabels = streamLabels.merging(metadata)
        }
        return ProcessedLine(rewrittenLine: nil, labels: lastMergedLabels)
    }
}

/// Turns entries into samples for a range aggregation: runs the pipeline, applies `unwrap` and the range
/// aggregation's own grouping, and yields a value per entry (1 for counting, the line length for `bytes_*`, the
/// unwrapped value otherwise).
public struct SampleExtractor: Sendable {
    public let pipeline: LogPipeline
    public let operation: RangeOperation
    public let unwrap: UnwrapExpr?
    public let grouping: Grouping?

    public init(pipeline: LogPipeline, operation: RangeOperation, unwrap: UnwrapExpr?, grouping: Grouping?) throws(PipelineError) {
        self.pipeline = pipeline
        self.operation = operation
        self.unwrap = unwrap
        self.grouping = grouping
        if unwrap != nil { throw PipelineError(message: "unwrap is not implemented yet") }
    }

    /// A per-stream processor. Not thread-safe: one per task.
    public func makeProcessor(streamLabels: Labels) -> SampleProcessor {
        SampleProcessor(extractor: self, lines: pipeline.makeProcessor(streamLabels: streamLabels))
    }
}

/// Extracts samples from the entries of one stream.
public final class SampleProcessor {
    let extractor: SampleExtractor
    let lines: LineProcessor

    init(extractor: SampleExtractor, lines: LineProcessor) {
        self.extractor = extractor
        self.lines = lines
    }

    /// The sample for one entry, or `nil` when the entry is filtered out or has no value.
    public func process(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> (value: Double, labels: Labels)? {
        guard let processed = lines.process(timestamp: timestamp, line: line, metadata: metadata) else { return nil }
        switch extractor.operation {
        case .bytesOverTime, .bytesRate:
            return (Double(processed.rewrittenLine?.count ?? line.count), processed.labels)
        default:
            return (1, processed.labels)
        }
    }
}

/// A pipeline could not be compiled (bad regex, template or pattern).
public struct PipelineError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Internal compiled form of a stage.
enum CompiledStage: Sendable {
    case lineFilter(CompiledLineFilter)

    init(_ stage: PipelineStage) throws(PipelineError) {
        switch stage {
        case .lineFilter(let filter):
            self = .lineFilter(try CompiledLineFilter(filter))
        default:
            throw PipelineError(message: "pipeline stage \(stage) is not implemented yet")
        }
    }
}

/// A compiled line filter with its `or` alternatives.
struct CompiledLineFilter: Sendable {
    enum Term: Sendable {
        case substring([UInt8])
        case regex(RE2Regex)
    }

    let negated: Bool
    let terms: [Term]

    init(_ filter: LineFilter) throws(PipelineError) {
        var terms: [Term] = []
        for value in filter.values {
            guard case .literal(let text) = value else {
                throw PipelineError(message: "ip() line filters are not implemented yet")
            }
            switch filter.op {
            case .contains, .notContains:
                terms.append(.substring(Array(text.utf8)))
            case .regex, .notRegex:
                do {
                    terms.append(.regex(try RE2Regex(text)))
                } catch {
                    throw PipelineError(message: error.description)
                }
            case .pattern, .notPattern:
                throw PipelineError(message: "pattern line filters are not implemented yet")
            }
        }
        self.terms = terms
        negated = filter.op == .notContains || filter.op == .notRegex || filter.op == .notPattern
    }

    /// True if the line passes: any term matches (positive) or no term matches (negative).
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        var any = false
        for term in terms {
            let hit: Bool
            switch term {
            case .substring(let needle):
                hit = needle.isEmpty || needle.withUnsafeBytes { n in
                    fjord_memmem(line.baseAddress, line.count, n.baseAddress, n.count) != nil
                }
            case .regex(let regex):
                hit = regex.partialMatch(line)
            }
            if hit {
                any = true
                break
            }
        }
        return negated ? !any : any
    }
}
