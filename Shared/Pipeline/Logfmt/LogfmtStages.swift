import FjordLogQL
import FjordModel

/// Shared helpers of the parsers that name labels after keys found in the line.
enum ParsedNames {
    /// Builds in `runtime.names` Loki's `sanitizeLabelKey(key, true)` of `key`, plus `_extracted` when a stream
    /// label or structured metadata already has that name. Returns nil when the name is empty.
    static func build(_ key: UnsafeRawBufferPointer, runtime: StageRuntime) -> (UnsafeRawBufferPointer, UInt64)? {
        let names = runtime.names
        names.reset()
        JSONFlattener.appendPart(key, to: names)
        if names.count == 0 { return nil }
        return withCollisionSuffix(runtime)
    }

    /// Appends `_extracted` to the name in `runtime.names` if it collides with a stream label or metadata.
    static func withCollisionSuffix(_ runtime: StageRuntime) -> (UnsafeRawBufferPointer, UInt64) {
        let names = runtime.names
        var name = names.bytes(0, names.count)
        var hash = Bytes.hash(name)
        if runtime.labels.collides(name, hash: hash) {
            names.append(ExtractedSuffix.text)
            name = names.bytes(0, names.count)
            hash = Bytes.hash(name)
        }
        return (name, hash)
    }

    /// The value with invalid UTF-8 and U+FFFD replaced by spaces (Loki's `removeInvalidUtf`), in `runtime.values`
    /// when a copy was needed.
    static func repaired(_ value: UnsafeRawBufferPointer, runtime: StageRuntime) -> UnsafeRawBufferPointer {
        guard UTF8Decoding.needsRuneErrorRepair(value) else { return value }
        let values = runtime.values
        let start = values.count
        UTF8Decoding.appendRepaired(value, to: values)
        return values.bytes(from: start)
    }
}

/// `| logfmt [--strict] [--keep-empty]` (Loki's `LogfmtParser`).
struct LogfmtParserStage: StageProgram, HintedParser {
    let strict: Bool
    let keepEmpty: Bool

    func run(_ runtime: StageRuntime) -> Bool {
        parse(runtime, hints: runtime.hints)
        return true
    }

    func parse(_ runtime: StageRuntime, hints: ParserHints) {
        let labels = runtime.labels
        if hints.skipsParsing(labels) { return }
        let line = runtime.line
        var decoder = LogfmtDecoder()
        let unquoted = runtime.jsonTemp
        unquoted.reset()
        while !decoder.atEnd(line) {
            guard decoder.scanPair(line, unquoted: unquoted) else {
                if strict { break }
                continue
            }
            guard let keyRange = decoder.keyRange,
                  let (name, hash) = ParsedNames.build(UnsafeRawBufferPointer(rebasing: line[keyRange]), runtime: runtime)
            else { continue }
            guard hints.shouldExtract(name, hash: hash) else { continue }
            var value = UnsafeRawBufferPointer(start: nil, count: 0)
            if let range = decoder.valueRange {
                value = decoder.valueIsUnquoted ? unquoted.bytes(range.lowerBound, range.count)
                    : UnsafeRawBufferPointer(rebasing: line[range])
            }
            runtime.values.reset()
            value = ParsedNames.repaired(value, runtime: runtime)
            if !keepEmpty && value.count == 0 { continue }
            _ = labels.addParsedIfAbsent(name: name, hash: hash, value: value)
            if hints.required != nil, hints.allRequiredExtracted(labels) { break }
        }
        if strict, let error = decoder.error {
            runtime.addError(ErrorTypes.logfmt, details: error)
        }
    }

    var requiredLabelNames: [String] { [] }
}

/// `| logfmt a="key", b` (Loki's `LogfmtExpressionParser`): only the listed keys; every listed label not already
/// present is first set to "".
struct LogfmtExtractionStage: StageProgram {
    private let ids: [ByteString]
    /// The key each id reads.
    private let sources: [ByteString]
    let strict: Bool

    init(_ extractions: [LabelExtraction], strict: Bool, keepEmpty: Bool) throws(PipelineError) {
        var ids: [ByteString] = []
        var sources: [ByteString] = []
        for extraction in extractions {
            var key = extraction.expression ?? extraction.name
            if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            if key.isEmpty { throw PipelineError(message: "cannot parse expression [\(key)]: syntax error: unexpected $end") }
            guard LabelNames.isLegacyValid(extraction.name) else {
                throw PipelineError(message: "invalid extracted label name '\(extraction.name)'")
            }
            ids.append(ByteString(extraction.name))
            sources.append(ByteString(key))
        }
        self.ids = ids
        self.sources = sources
        self.strict = strict
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let hints = runtime.hints
        let labels = runtime.labels
        if hints.skipsParsing(labels) { return true }
        for id in ids where !labels.baseHas(id.bytes, hash: id.hash)
            && !labels.hasInCategory(id.bytes, hash: id.hash, .structuredMetadata)
        {
            labels.set(.parsed, name: id, value: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        let line = runtime.line
        var decoder = LogfmtDecoder()
        let unquoted = runtime.jsonTemp
        unquoted.reset()
        scanning: while !decoder.atEnd(line) {
            guard decoder.scanPair(line, unquoted: unquoted) else {
                if strict { break }
                continue
            }
            guard let keyRange = decoder.keyRange else { continue }
            let names = runtime.names
            names.reset()
            JSONFlattener.appendPart(UnsafeRawBufferPointer(rebasing: line[keyRange]), to: names)
            if names.count == 0 { continue }
            let sanitized = names.bytes(0, names.count)
            let sanitizedHash = Bytes.hash(sanitized)
            // Loki checks "always extract" against the label ids, not the keys they read.
            let alwaysExtract = ids.contains { $0.hash == sanitizedHash && Bytes.equal($0.bytes, sanitized) }
            if !alwaysExtract {
                if !hints.shouldExtract(sanitized, hash: sanitizedHash) { continue }
                if labels.wasExtracted(sanitized, hash: sanitizedHash) { continue }
            }
            var value = UnsafeRawBufferPointer(start: nil, count: 0)
            if let range = decoder.valueRange {
                value = decoder.valueIsUnquoted ? unquoted.bytes(range.lowerBound, range.count)
                    : UnsafeRawBufferPointer(rebasing: line[range])
            }
            if UTF8Decoding.needsRuneErrorRepair(value) { value = UnsafeRawBufferPointer(start: nil, count: 0) }
            // The key maps to the id reading it (Loki: the first match in map order), or to an id of the same name.
            let target = sources.firstIndex { $0.hash == sanitizedHash && Bytes.equal($0.bytes, sanitized) }
                ?? ids.firstIndex { $0.hash == sanitizedHash && Bytes.equal($0.bytes, sanitized) }
            guard let position = target else { continue }
            let id = ids[position]
            names.reset()
            names.append(id.bytes)
            var name = names.bytes(0, names.count)
            var hash = id.hash
            if labels.baseHas(name, hash: hash) || labels.hasInCategory(name, hash: hash, .structuredMetadata) {
                names.append(ExtractedSuffix.text)
                name = names.bytes(0, names.count)
                hash = Bytes.hash(name)
                if labels.wasExtracted(name, hash: hash) || !hints.shouldExtract(name, hash: hash) { break scanning }
            }
            labels.set(.parsed, name: name, hash: hash, value: value)
            if hints.required != nil, hints.allRequiredExtracted(labels) { break scanning }
        }
        if strict, let error = decoder.error {
            runtime.addError(ErrorTypes.logfmt, details: error)
        }
        return true
    }

    var requiredLabelNames: [String] { [] }
}
