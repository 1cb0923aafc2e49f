/// Which labels parsers need to extract (Loki's `ParserHint`). Log queries extract everything; a metric query
/// that groups `by (…)` or drops all labels only needs the grouping labels, the labels its filters and formats
/// read, and the unwrapped label. Besides saving work this is observable: with no label needed (`sum(count…)`)
/// parsers do not run at all, so unparsable lines raise no `__error__`.
struct ParserHints: Sendable {
    /// Parsers skip their work entirely.
    let noLabels: Bool
    /// nil: extract everything.
    let required: [ByteString]?
    /// `__error__` is wanted, so errors also set `__preserve_error__="true"` and do not fail the query.
    let preserveError: Bool

    static let extractAll = ParserHints(noLabels: false, required: nil, preserveError: false)

    /// The names parsers compare per member, as plain byte ranges (pointing into ``ByteString``s kept alive here)
    /// so that no reference counting happens per member: every `required` name (`isRequired`), plus `x` for every
    /// required `x_extracted` that does not list `x` itself. A name absent from this list can therefore be neither
    /// required nor renamed into a required `_extracted` name. Empty when `required` is nil.
    let candidates: [Candidate]
    private let stems: [ByteString]

    /// A name parsers look for: its bytes, their ``Bytes/hash(_:)`` and whether it is itself required.
    struct Candidate: @unchecked Sendable {
        let start: UnsafeRawPointer
        let count: Int
        let hash: UInt64
        let isRequired: Bool

        @inline(__always)
        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: start, count: count) }
    }

    init(noLabels: Bool, required: [ByteString]?, preserveError: Bool) {
        self.noLabels = noLabels
        self.required = required
        self.preserveError = preserveError
        let listed = required ?? []
        var candidates = listed.map { Candidate(start: $0.pointer, count: $0.count, hash: $0.hash, isRequired: true) }
        var stems: [ByteString] = []
        let names = Set(listed.map(\.string))
        for name in listed where name.string.hasSuffix(ExtractedSuffix.text) {
            let stem = String(name.string.dropLast(ExtractedSuffix.text.count))
            guard !names.contains(stem), !stems.contains(where: { $0.string == stem }) else { continue }
            let bytes = ByteString(stem)
            stems.append(bytes)
            candidates.append(Candidate(start: bytes.pointer, count: bytes.count, hash: bytes.hash, isRequired: false))
        }
        self.candidates = candidates
        self.stems = stems
    }

    /// Loki's `NewParserHint(requiredLabelNames, groups, without, noLabels, metricLabelName, …)`.
    init(requiredLabelNames: [String], groups: [String], without: Bool, noLabels: Bool, metricLabelName: String) {
        var hints: [String] = []
        func append(_ name: String) {
            guard !name.isEmpty else { return }
            hints.append(name)
            if name.hasSuffix(ExtractedSuffix.text) { hints.append(String(name.dropLast(ExtractedSuffix.text.count))) }
        }
        for name in requiredLabelNames { append(name) }
        for name in groups { append(name) }
        append(metricLabelName)
        var seen = Set<String>()
        hints = hints.filter { seen.insert($0).inserted }
        let preserve = hints.contains(ErrorLabels.error.string)
        if noLabels {
            if hints.isEmpty {
                self.init(noLabels: true, required: nil, preserveError: false)
            } else {
                self.init(noLabels: false, required: hints.map(ByteString.init), preserveError: preserve)
            }
            return
        }
        if without || groups.isEmpty {
            self = .extractAll
            return
        }
        self.init(noLabels: false, required: hints.map(ByteString.init), preserveError: preserve)
    }

    /// Loki's `ShouldExtract`.
    @inline(__always)
    func shouldExtract(_ name: UnsafeRawBufferPointer, hash: UInt64) -> Bool {
        guard required != nil else { return true }
        for label in candidates where label.isRequired && label.hash == hash {
            if Bytes.equal(label.bytes, name) { return true }
        }
        return false
    }

    /// With `required` set: the entry of ``candidates`` equal to `name` (compared without hashing `name`), or nil;
    /// nil for a `name` that is neither required nor the stem of a required `_extracted` name. With `required`
    /// nil: always nil.
    @inline(__always)
    func candidate(_ name: UnsafeRawBufferPointer) -> Candidate? {
        for label in candidates where label.count == name.count {
            if Bytes.equal(label.bytes, name) { return label }
        }
        return nil
    }

    /// Loki's `ShouldExtractPrefix`: some required label starts with `prefix`.
    func shouldExtractPrefix(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard required != nil else { return true }
        for label in candidates where label.isRequired && label.count >= prefix.count {
            if Bytes.equal(UnsafeRawBufferPointer(start: label.start, count: prefix.count), prefix) { return true }
        }
        return false
    }

    /// Loki's `AllRequiredExtracted`.
    func allRequiredExtracted(_ state: LabelState) -> Bool {
        guard required != nil else { return false }
        var listed = false
        for label in candidates where label.isRequired {
            if !state.wasExtracted(label.bytes, hash: label.hash) { return false }
            listed = true
        }
        return listed
    }

    /// Loki's `NoLabels()`: nothing to extract, or everything needed was already extracted.
    @inline(__always)
    func skipsParsing(_ state: LabelState) -> Bool {
        noLabels || (required != nil && allRequiredExtracted(state))
    }
}
