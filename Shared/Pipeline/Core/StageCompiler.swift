import FjordLogQL

/// Turns the AST's stages into runnable ``StageProgram``s in Loki's execution order.
enum StageCompiler {
    /// Loki's `MultiStageExpr.reorderStages`: line filters move to the front of their segment, where segments end
    /// at label filters (which stay in place), `line_format` and `unpack` (which change the line). Filters after
    /// `decolorize` therefore still see the coloured line, as in Loki.
    static func reorder(_ stages: [PipelineStage]) -> [(index: Int, stage: PipelineStage)] {
        var result: [(Int, PipelineStage)] = []
        var lineFilters: [(Int, PipelineStage)] = []
        var others: [(Int, PipelineStage)] = []
        func flush() {
            result += lineFilters
            result += others
            lineFilters.removeAll()
            others.removeAll()
        }
        for (index, stage) in stages.enumerated() {
            switch stage {
            case .labelFilter:
                flush()
                result.append((index, stage))
            case .lineFilter:
                lineFilters.append((index, stage))
            case .lineFormat, .unpack:
                others.append((index, stage))
                flush()
            default:
                others.append((index, stage))
            }
        }
        flush()
        return result
    }

    static func compile(_ stages: [PipelineStage]) throws(PipelineError) -> [any StageProgram] {
        var programs: [any StageProgram] = []
        var pendingFilters: [LineFilterStage] = []
        func flushFilters() {
            if !pendingFilters.isEmpty {
                programs.append(LineFiltersProgram(filters: pendingFilters))
                pendingFilters.removeAll()
            }
        }
        for (index, stage) in reorder(stages) {
            do {
                if case .lineFilter(let filter) = stage {
                    pendingFilters.append(try LineFilterStage(filter))
                    continue
                }
                flushFilters()
                programs.append(try compileOne(stage))
            } catch {
                var located = error
                located.stageIndex = index
                throw located
            }
        }
        flushFilters()
        return fuseParsersWithFilters(programs)
    }

    /// Replaces `parser` + `label filter` pairs by a ``FilteredParserProgram`` (same answers, less work for
    /// entries the filter drops).
    private static func fuseParsersWithFilters(_ programs: [any StageProgram]) -> [any StageProgram] {
        var result: [any StageProgram] = []
        var index = 0
        while index < programs.count {
            if index + 1 < programs.count, let filter = programs[index + 1] as? LabelFilterStage,
               let fused = FilteredParserProgram(parser: programs[index], filter: filter.node)
            {
                result.append(fused)
                index += 2
                continue
            }
            result.append(programs[index])
            index += 1
        }
        return result
    }

    private static func compileOne(_ stage: PipelineStage) throws(PipelineError) -> any StageProgram {
        switch stage {
        case .lineFilter(let filter):
            return LineFiltersProgram(filters: [try LineFilterStage(filter)])
        case .json(let extractions):
            if extractions.isEmpty { return JSONParserStage() }
            return try JSONExtractionStage(extractions)
        case .logfmt(let strict, let keepEmpty, let extractions):
            if extractions.isEmpty { return LogfmtParserStage(strict: strict, keepEmpty: keepEmpty) }
            return try LogfmtExtractionStage(extractions, strict: strict, keepEmpty: keepEmpty)
        case .regexp(let pattern):
            return try RegexpParserStage(pattern)
        case .pattern(let pattern):
            return try PatternParserStage(pattern)
        case .unpack:
            return UnpackStage()
        case .labelFilter(let expression):
            return LabelFilterStage(try LabelFilterNode.compile(expression))
        case .lineFormat(let template):
            return try LineFormatStage(template)
        case .labelFormat(let operations):
            return try LabelFormatStage(operations)
        case .decolorize:
            return DecolorizeStage()
        case .drop(let selections):
            return DropStage(selections)
        case .keep(let selections):
            return KeepStage(selections)
        }
    }
}

/// Consecutive line filters combined with AND.
struct LineFiltersProgram: StageProgram {
    let filters: [LineFilterStage]

    @inline(__always)
    func run(_ runtime: StageRuntime) -> Bool {
        let line = runtime.line
        for filter in filters where !filter.matches(line) { return false }
        return true
    }

    /// Tests a line without a runtime.
    @inline(__always)
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        for filter in filters where !filter.matches(line) { return false }
        return true
    }

    var requiredLabelNames: [String] { [] }
}
