import FjordLogQL
import FjordModel

/// `| drop a, b="v", c=~"re"` (Loki's `DropLabels`): removes the listed labels (a matcher form only when the value
/// matches). Dropping `__error__` / `__error_details__` clears the error.
struct DropStage: StageProgram {
    private let items: [(name: ByteString, matcher: LabelMatcher?)]

    init(_ selections: [LabelSelection]) {
        items = selections.map { (ByteString($0.matcher?.name ?? $0.name), $0.matcher) }
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let labels = runtime.labels
        for (name, matcher) in items {
            if Bytes.equal(name.bytes, ErrorLabels.error.bytes) {
                if matcher?.matches(labels.errorType) ?? true { labels.errorType = "" }
                continue
            }
            if Bytes.equal(name.bytes, ErrorLabels.details.bytes) {
                if matcher?.matches(labels.errorDetails) ?? true { labels.errorDetails = "" }
                continue
            }
            if let matcher {
                let value = labels.get(name).map(Bytes.string) ?? ""
                if matcher.matches(value) { labels.delete(name.bytes, hash: name.hash) }
            } else if labels.get(name) != nil {
                labels.delete(name.bytes, hash: name.hash)
            }
        }
        return true
    }

    var requiredLabelNames: [String] { [] }
}

/// `| keep a, b="v"` (Loki's `KeepLabels`): removes every label not listed (a matcher form keeps the label only
/// when its value matches); never removes `__error__`, `__error_details__` or `__preserve_error__`.
struct KeepStage: StageProgram {
    private let names: [ByteString]
    private let matchers: [(name: ByteString, matcher: LabelMatcher)]

    init(_ selections: [LabelSelection]) {
        names = selections.filter { $0.matcher == nil }.map { ByteString($0.name) }
        matchers = selections.compactMap { selection in selection.matcher.map { (ByteString($0.name), $0) } }
    }

    func run(_ runtime: StageRuntime) -> Bool {
        if names.isEmpty && matchers.isEmpty { return true }
        let labels = runtime.labels
        var drop: [String] = []
        labels.forEachVisible { name, value in
            if Bytes.equal(name, ErrorLabels.preserve.bytes) { return }
            for kept in names where Bytes.equal(kept.bytes, name) { return }
            for (kept, matcher) in matchers where Bytes.equal(kept.bytes, name) {
                if matcher.matches(Bytes.string(value)) { return }
            }
            drop.append(Bytes.string(name))
        }
        for name in drop {
            Bytes.withUTF8(name) { labels.delete($0, hash: Bytes.hash($0)) }
        }
        return true
    }

    var requiredLabelNames: [String] { [] }
}

/// `| decolorize`: removes ANSI escape sequences from the line (Loki uses the regex of `acarl005/stripansi`).
struct DecolorizeStage: StageProgram {
    private static let regex = try! GoRegex.compile(
        "[\u{1B}\u{9B}][[\\]()#;?]*(?:(?:(?:[a-zA-Z\\d]*(?:;[a-zA-Z\\d]*)*)?\u{07})|(?:(?:\\d{1,4}(?:;\\d{0,4})*)?[\\dA-PRZcf-ntqry=><~]))")

    func run(_ runtime: StageRuntime) -> Bool {
        let line = runtime.line
        // Fast exit: no ESC byte and no U+009B (C2 9B).
        guard Bytes.find(byte: 0x1b, in: line) != nil || Bytes.find(byte: 0xc2, in: line) != nil else { return true }
        let output = runtime.lineWriter()
        var position = 0
        var copied = 0
        while position <= line.count, let match = DecolorizeStage.regex.firstMatch(in: line, from: position),
              let whole = match[0]
        {
            output.append(UnsafeRawBufferPointer(rebasing: line[copied..<whole.lowerBound]))
            copied = whole.upperBound
            position = max(whole.upperBound, whole.lowerBound + 1)
        }
        output.append(UnsafeRawBufferPointer(rebasing: line[copied..<line.count]))
        runtime.commitLine(output)
        return true
    }

    var requiredLabelNames: [String] { [] }
}
