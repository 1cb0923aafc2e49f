/// A parser whose label extraction can be limited by hints.
protocol HintedParser: Sendable {
    func parse(_ runtime: StageRuntime, hints: ParserHints)
}

/// `| json | filter` or `| logfmt | filter` evaluated in two passes: first the parser extracts only the labels
/// the filter reads (stopping as soon as it has them) and the filter decides; only entries that pass are parsed
/// completely and filtered again. This gives exactly the single-pass answer because the filter's decision depends
/// only on those labels (their first occurrence, which both passes find) — filters that read `__error__` or use
/// `ip()` (which looks at the error state) are not split this way.
struct FilteredParserProgram: StageProgram {
    let parser: any HintedParser & StageProgram
    let filter: LabelFilterNode
    /// The labels the filter reads.
    let names: [ByteString]
    let narrowHints: ParserHints

    /// Nil when the filter cannot be evaluated ahead of the full parse.
    init?(parser: any StageProgram, filter: LabelFilterNode) {
        guard let hinted = parser as? any HintedParser & StageProgram, filter.canRunOnPartialLabels else { return nil }
        self.parser = hinted
        self.filter = filter
        var seen = Set<String>()
        names = filter.names.filter { seen.insert($0).inserted }.map(ByteString.init)
        narrowHints = ParserHints(noLabels: false, required: names, preserveError: false)
    }

    /// The first pass: extract only what the filter can read from the parser. A name taken by a stream label or
    /// structured metadata can never come from the parser (it would be renamed `_extracted`), so it is skipped;
    /// when no name is left the parser does not run at all.
    private func narrowParse(_ runtime: StageRuntime) {
        let labels = runtime.labels
        var producible = 0
        for name in names where !labels.collides(name.bytes, hash: name.hash) { producible += 1 }
        if producible == 0 { return }
        if producible == names.count {
            parser.parse(runtime, hints: narrowHints)
            return
        }
        let subset = names.filter { !labels.collides($0.bytes, hash: $0.hash) }
        parser.parse(runtime, hints: ParserHints(noLabels: false, required: subset, preserveError: false))
    }

    func run(_ runtime: StageRuntime) -> Bool {
        // Only log-query style extraction (no hints of its own) is split.
        guard runtime.hints.required == nil, !runtime.hints.noLabels else {
            parser.parse(runtime, hints: runtime.hints)
            return filter.evaluate(runtime)
        }
        let labels = runtime.labels
        let errorType = labels.errorType
        let errorDetails = labels.errorDetails
        narrowParse(runtime)
        if !filter.evaluate(runtime) { return false }
        labels.errorType = errorType
        labels.errorDetails = errorDetails
        parser.parse(runtime, hints: runtime.hints)
        return filter.evaluate(runtime)
    }

    var requiredLabelNames: [String] { parser.requiredLabelNames + filter.names }
}
