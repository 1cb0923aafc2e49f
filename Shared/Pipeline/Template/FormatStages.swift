import FjordLogQL

/// Per-processor scratch for template evaluation.
final class TemplateScratch {
    init() {}
}

/// `| line_format "template"`.
struct LineFormatStage: StageProgram {
    init(_ template: String) throws(PipelineError) {
        throw PipelineError(message: "line_format is not implemented yet")
    }

    func run(_ runtime: StageRuntime) -> Bool { true }
    var requiredLabelNames: [String] { [] }
}

/// `| label_format a=b, c="template"`.
struct LabelFormatStage: StageProgram {
    init(_ operations: [LabelFormatOp]) throws(PipelineError) {
        throw PipelineError(message: "label_format is not implemented yet")
    }

    func run(_ runtime: StageRuntime) -> Bool { true }
    var requiredLabelNames: [String] { [] }
}
