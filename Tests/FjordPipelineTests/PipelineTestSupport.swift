import FjordLogQL
import FjordModel
@testable import FjordPipeline

/// What a pipeline produced for one line, in a form that is easy to compare.
struct Outcome: Equatable, CustomStringConvertible {
    var line: String
    var labels: [String: String]

    var description: String { "\(line) \(labels.sorted { $0.key < $1.key })" }
}

/// Runs `stages` over one line of a stream; nil when the line is dropped.
func run(_ stages: [PipelineStage], _ line: String, stream: [String: String] = [:], metadata: [String: String] = [:],
         timestamp: Int64 = 0) throws -> Outcome? {
    let pipeline = try LogPipeline(stages: stages)
    let processor = pipeline.makeProcessor(streamLabels: Labels(stream))
    let bytes = Array(line.utf8)
    let result = bytes.withUnsafeBytes {
        processor.process(timestamp: timestamp, line: $0, metadata: Labels(metadata))
    }
    guard let result else { return nil }
    let outLine = result.rewrittenLine.map { String(decoding: $0, as: UTF8.self) } ?? line
    var labels: [String: String] = [:]
    for pair in result.labels { labels[pair.name] = pair.value }
    return Outcome(line: outLine, labels: labels)
}

/// Labels after running `stages` (nil when dropped).
func labelsAfter(_ stages: [PipelineStage], _ line: String, stream: [String: String] = [:],
                 metadata: [String: String] = [:]) throws -> [String: String]? {
    try run(stages, line, stream: stream, metadata: metadata)?.labels
}

/// True if the line passes `stages`.
func passes(_ stages: [PipelineStage], _ line: String) throws -> Bool {
    try run(stages, line) != nil
}

func contains(_ values: String...) -> PipelineStage { .lineFilter(LineFilter(op: .contains, values: values.map { .literal($0) })) }
func notContains(_ values: String...) -> PipelineStage { .lineFilter(LineFilter(op: .notContains, values: values.map { .literal($0) })) }
func regex(_ values: String...) -> PipelineStage { .lineFilter(LineFilter(op: .regex, values: values.map { .literal($0) })) }
func notRegex(_ values: String...) -> PipelineStage { .lineFilter(LineFilter(op: .notRegex, values: values.map { .literal($0) })) }
func patternFilter(_ values: String...) -> PipelineStage { .lineFilter(LineFilter(op: .pattern, values: values.map { .literal($0) })) }
func notPatternFilter(_ values: String...) -> PipelineStage { .lineFilter(LineFilter(op: .notPattern, values: values.map { .literal($0) })) }

func matcher(_ name: String, _ kind: LabelMatcher.Kind, _ value: String) -> LabelMatcher {
    // Test inputs are valid regexes.
    try! LabelMatcher(name: name, kind: kind, value: value)
}

func labelFilter(_ name: String, _ kind: LabelMatcher.Kind, _ value: String) -> PipelineStage {
    .labelFilter(.string(matcher(name, kind, value)))
}

func numberFilter(_ name: String, _ op: ComparisonOperator, _ value: Double) -> PipelineStage {
    .labelFilter(.number(name: name, op: op, value: value, literal: "\(value)"))
}

let json = PipelineStage.json(extractions: [])
let logfmt = PipelineStage.logfmt(strict: false, keepEmpty: false, extractions: [])
