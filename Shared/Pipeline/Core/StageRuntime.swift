/// One compiled pipeline stage. Stages are immutable and shared by all processors of a query; per-entry state
/// lives in the ``StageRuntime`` they are given.
protocol StageProgram: Sendable {
    /// Processes the current entry; returns false to drop it.
    func run(_ runtime: StageRuntime) -> Bool
    /// Labels this stage reads (Loki's `RequiredLabelNames`), used for parser hints of metric queries.
    var requiredLabelNames: [String] { get }
}

/// The mutable state of one processor while an entry goes through the stages: the current line (which stages such
/// as `line_format` may replace), the entry's labels, parser hints and reusable scratch buffers.
final class StageRuntime {
    let labels: LabelState
    let hints: ParserHints
    /// The current line; points either at the caller's bytes or at one of `lineBuffers`.
    @exclusivity(unchecked) private(set) var line = UnsafeRawBufferPointer(start: nil, count: 0)
    @exclusivity(unchecked) private(set) var timestamp: Int64 = 0
    @exclusivity(unchecked) private(set) var lineRewritten = false
    private let lineBuffers = (ByteArena(capacity: 4096), ByteArena(capacity: 4096))
    @exclusivity(unchecked) private var writingFirst = true

    /// Scratch space for building label names.
    let names: ByteArena
    /// Scratch space for building label values (unescaped strings, template output).
    let values: ByteArena
    /// JSON scratch: the flattened key prefix, unescaped keys, unescaped values.
    let jsonPrefix: ByteArena
    let jsonKeys: ByteArena
    let jsonTemp: ByteArena
    /// The `| json` walk over the objects above, built once per processor.
    let jsonFlattener: JSONFlattener
    /// Capture ranges reused by `regexp` and `pattern`.
    @exclusivity(unchecked) var captures: [Range<Int>] = []
    /// Template evaluation scratch, created on first use.
    lazy var templates = TemplateScratch()

    init(streamLabels: Labels, hints: ParserHints) {
        let labels = LabelState(stream: streamLabels)
        let names = ByteArena(capacity: 256)
        let values = ByteArena(capacity: 1024)
        let jsonPrefix = ByteArena(capacity: 128)
        let jsonKeys = ByteArena(capacity: 256)
        let jsonTemp = ByteArena(capacity: 256)
        self.labels = labels
        self.hints = hints
        self.names = names
        self.values = values
        self.jsonPrefix = jsonPrefix
        self.jsonKeys = jsonKeys
        self.jsonTemp = jsonTemp
        jsonFlattener = JSONFlattener(labels: labels, names: names, values: values, temp: jsonTemp,
                                      prefix: jsonPrefix, keys: jsonKeys)
    }

    /// Starts a new entry.
    @inline(__always)
    func begin(timestamp: Int64, line: UnsafeRawBufferPointer) {
        self.timestamp = timestamp
        self.line = line
        lineRewritten = false
        labels.reset()
    }

    /// A buffer to write the replacement line into (never the one holding the current line). Finish with
    /// ``commitLine(_:)``.
    @inline(__always)
    func lineWriter() -> ByteArena {
        let buffer = writingFirst ? lineBuffers.0 : lineBuffers.1
        buffer.reset()
        return buffer
    }

    /// Makes the bytes written to `buffer` the current line.
    @inline(__always)
    func commitLine(_ buffer: ByteArena) {
        line = buffer.bytes(0, buffer.count)
        lineRewritten = true
        writingFirst.toggle()
    }

    /// Sets `__error__` (and `__error_details__` when given) like Loki's `addErrLabel`.
    func addError(_ type: String, details: String?) {
        labels.errorType = type
        if let details { labels.errorDetails = details }
        if hints.preserveError {
            labels.set(.parsed, name: ErrorLabels.preserve, value: TrueBytes.bytes)
        }
    }
}

/// The literal `true`, for label values.
enum TrueBytes {
    static let value = ByteString("true")
    static var bytes: UnsafeRawBufferPointer { value.bytes }
}

/// The `__error__` values Loki uses.
enum ErrorTypes {
    static let json = "JSONParserErr"
    static let logfmt = "LogfmtParserErr"
    static let sampleExtraction = "SampleExtractionErr"
    static let labelFilter = "LabelFilterErr"
    static let templateFormat = "TemplateFormatErr"
}

public import FjordModel
