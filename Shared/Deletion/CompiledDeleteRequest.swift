public import FjordLogQL
public import FjordModel
import FjordPipeline
import Synchronization
public import FjordServiceAPI

/// A delete request ready to test lines: its selector's matchers and its line filters compiled into a pipeline.
public struct CompiledDeleteRequest: Sendable {
    public let request: DeleteRequest
    public let matchers: [LabelMatcher]
    let pipeline: LogPipeline?

    /// Parses the request's query (a log selector with optional line filters). Throws the parser's error.
    public init(_ request: DeleteRequest) throws {
        self.request = request
        let selector = try LogQLParser.parseLogSelector(request.query, validate: true)
        matchers = selector.matchers
        pipeline = selector.pipeline.isEmpty ? nil : try LogPipeline(stages: selector.pipeline)
    }

    /// Whether the query has a pipeline (line filters): then only matching lines go, not whole chunks.
    public var hasLineFilter: Bool { pipeline != nil }

    /// A predicate over (timestamp, line, metadata) for one stream, or nil when the request does not match it.
    public func lineDeleter(labels: Labels) -> (@Sendable (Int64, UnsafeRawBufferPointer, Labels) -> Bool)? {
        guard labels.matches(matchers) else { return nil }
        let start = request.start
        let end = request.end
        guard let pipeline else { return { timestamp, _, _ in timestamp >= start && timestamp <= end } }
        let processor = LockedProcessor(pipeline.makeProcessor(streamLabels: labels))
        return { timestamp, line, metadata in
            timestamp >= start && timestamp <= end && processor.passes(timestamp: timestamp, line: line, metadata: metadata)
        }
    }
}

/// A line processor behind a lock, so a predicate can be `Sendable` (processors are single-threaded and only
/// ever touched under the lock).
final class LockedProcessor: @unchecked Sendable {
    private let processor: LineProcessor
    private let lock = Mutex<Void>(())

    init(_ processor: LineProcessor) { self.processor = processor }

    func passes(timestamp: Int64, line: UnsafeRawBufferPointer, metadata: Labels) -> Bool {
        lock.withLock { _ in processor.process(timestamp: timestamp, line: line, metadata: metadata) != nil }
    }
}
