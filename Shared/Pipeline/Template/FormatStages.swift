import FjordLogQL

/// Per-processor template state.
final class TemplateScratch {
    let executor = TemplateExecutor()
    init() {}
}

/// `| line_format "template"` (Loki's `LineFormatter`): the line becomes the template's output over the entry's
/// labels (missing labels print as ""). `{{.name}}` alone copies the label. On an evaluation error the line is kept
/// and `__error__=TemplateFormatErr` is set with Go's message.
struct LineFormatStage: StageProgram {
    let template: CompiledTemplate

    init(_ source: String) throws(PipelineError) {
        do {
            template = try CompiledTemplate(name: "line", source: source)
        } catch {
            throw PipelineError(message: "invalid line template: \(error.message)")
        }
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let labels = runtime.labels
        if let key = template.simpleKey {
            let output = runtime.lineWriter()
            if let value = labels.get(key) { output.append(value) }
            runtime.commitLine(output)
            return true
        }
        let executor = runtime.templates.executor
        executor.line = runtime.line
        executor.timestamp = runtime.timestamp
        if let failure = executor.execute(template, data: .live(labels)) {
            labels.errorType = ErrorTypes.templateFormat
            labels.errorDetails = failure.message
            return true
        }
        let output = runtime.lineWriter()
        output.append(executor.output)
        runtime.commitLine(output)
        return true
    }

    var requiredLabelNames: [String] { template.fieldNames }
}

/// `| label_format dst=src, dst="template"` (Loki's `LabelsFormatter`): renames copy the value and delete the
/// source (nothing happens when the source is missing); templates see the labels as they were when the first
/// template of the stage ran. Results are parsed labels.
struct LabelFormatStage: StageProgram {
    private enum Operation {
        case rename(source: ByteString)
        case template(CompiledTemplate)
    }

    private let operations: [(destination: ByteString, operation: Operation)]
    /// True when later operations could change labels after the first template ran.
    private let needsSnapshot: Bool

    init(_ formats: [LabelFormatOp]) throws(PipelineError) {
        var seen = Set<String>()
        var operations: [(ByteString, Operation)] = []
        for format in formats {
            let destination: String
            switch format {
            case .rename(let dst, _), .template(let dst, _): destination = dst
            }
            if destination == ErrorLabels.error.string {
                throw PipelineError(message: "\(destination) cannot be formatted")
            }
            guard seen.insert(destination).inserted else {
                throw PipelineError(message: "multiple label name '\(destination)' not allowed in a single format operation")
            }
            switch format {
            case .rename(_, let source):
                operations.append((ByteString(destination), .rename(source: ByteString(source))))
            case .template(_, let source):
                do {
                    operations.append((ByteString(destination), .template(try CompiledTemplate(name: "label", source: source))))
                } catch {
                    throw PipelineError(message: "invalid template for label '\(destination)': \(error.message)")
                }
            }
        }
        self.operations = operations
        let firstTemplate = operations.firstIndex { if case .template = $0.1 { return true } else { return false } }
        needsSnapshot = firstTemplate.map { $0 < operations.count - 1 } ?? false
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let labels = runtime.labels
        var data: TemplateData?
        for (destination, operation) in operations {
            switch operation {
            case .rename(let source):
                guard let value = labels.get(source) else { continue }
                let values = runtime.values
                values.reset()
                values.append(value)
                labels.set(.parsed, name: destination, value: values.bytes(0, values.count))
                labels.delete(source.bytes, hash: source.hash)
            case .template(let template):
                if data == nil {
                    data = needsSnapshot ? .snapshot(TemplateData.snapshotMap(labels), labels) : .live(labels)
                }
                let executor = runtime.templates.executor
                executor.line = runtime.line
                executor.timestamp = runtime.timestamp
                if let failure = executor.execute(template, data: data!) {
                    labels.errorType = ErrorTypes.templateFormat
                    labels.errorDetails = failure.message
                    continue
                }
                let values = runtime.values
                values.reset()
                values.append(executor.output)
                labels.set(.parsed, name: destination, value: values.bytes(0, values.count))
            }
        }
        return true
    }

    var requiredLabelNames: [String] {
        var names: [String] = []
        for (_, operation) in operations {
            switch operation {
            case .rename(let source): names.append(source.string)
            case .template(let template): names += template.fieldNames
            }
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
