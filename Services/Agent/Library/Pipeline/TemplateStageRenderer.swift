import FjordLogQL
import FjordModel
import FjordPipeline

/// The `template` stage's Go template, run by the query pipeline's template engine (`line_format`): the extracted
/// values are the template's fields, `.Value` is the source's current value and `.Entry` the line.
public struct TemplateStageRenderer: Sendable {
    let pipeline: LogPipeline
    public let source: String

    public init(_ source: String) throws(PipelineError) {
        self.source = source
        pipeline = try LogPipeline(stages: [.lineFormat(source)])
    }

    /// Renders with `fields`; nil when the template fails.
    func render(_ fields: [String: String], line: String, timestamp: Int64, processor: LineProcessor) -> String? {
        let metadata = Labels(fields.map { LabelPair($0.key, $0.value) })
        var line = line
        let result = line.withUTF8 { bytes in
            processor.process(timestamp: timestamp, line: UnsafeRawBufferPointer(bytes), metadata: metadata)
        }
        guard let result, result.labels["__error__"] == nil else { return nil }
        return result.rewrittenLine.map { String(decoding: $0, as: UTF8.self) } ?? line
    }

    func makeProcessor() -> LineProcessor { pipeline.makeProcessor(streamLabels: Labels()) }
}
