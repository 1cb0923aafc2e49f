import FjordRegex

/// `| regexp "re"` (Loki's `RegexpParser`): the named groups of the first match become labels; a group that did
/// not participate gives ""; no match adds nothing and keeps the line.
struct RegexpParserStage: StageProgram {
    private let regex: RE2Regex
    /// Group number and label name of each named group.
    private let groups: [(index: Int, name: ByteString)]

    init(_ pattern: String) throws(PipelineError) {
        regex = try GoRegex.compile(pattern)
        var groups: [(Int, ByteString)] = []
        var seen = Set<String>()
        for (index, name) in regex.groupNames.enumerated() {
            guard let name, index > 0 else { continue }
            guard name.utf8.allSatisfy(Bytes.isLabelNameByte), !name.isEmpty else {
                throw PipelineError(message: "invalid extracted label name '\(name)'")
            }
            guard seen.insert(name).inserted else {
                throw PipelineError(message: "duplicate extracted label name '\(name)'")
            }
            groups.append((index, ByteString(name)))
        }
        if groups.isEmpty { throw PipelineError(message: "at least one named capture must be supplied") }
        self.groups = groups
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let line = runtime.line
        guard let match = regex.firstMatch(in: line) else { return true }
        let labels = runtime.labels
        let hints = runtime.hints
        for (index, label) in groups {
            let names = runtime.names
            names.reset()
            JSONFlattener.appendPart(label.bytes, to: names)
            if names.count == 0 { continue }
            let (name, hash) = ParsedNames.withCollisionSuffix(runtime)
            guard hints.shouldExtract(name, hash: hash), !labels.wasExtracted(name, hash: hash) else { continue }
            let value = match[index].map { UnsafeRawBufferPointer(rebasing: line[$0]) }
                ?? UnsafeRawBufferPointer(start: nil, count: 0)
            labels.set(.parsed, name: name, hash: hash, value: value)
        }
        return true
    }

    var requiredLabelNames: [String] { [] }
}

/// `| pattern "<a> <_>"` (Loki's `PatternParser`): named captures become labels; a partial match keeps what
/// was captured.
struct PatternParserStage: StageProgram {
    private let matcher: PatternMatcher
    private let names: [ByteString]

    init(_ pattern: String) throws(PipelineError) {
        matcher = try PatternMatcher.parser(pattern)
        names = matcher.names.map(ByteString.init)
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let labels = runtime.labels
        let hints = runtime.hints
        if hints.skipsParsing(labels) { return true }
        let line = runtime.line
        matcher.matches(line, into: &runtime.captures)
        for (position, range) in runtime.captures.enumerated() {
            let label = names[position]
            let nameArena = runtime.names
            nameArena.reset()
            nameArena.append(label.bytes)
            let (name, hash) = ParsedNames.withCollisionSuffix(runtime)
            guard hints.shouldExtract(name, hash: hash), !labels.wasExtracted(name, hash: hash) else { continue }
            labels.set(.parsed, name: name, hash: hash, value: UnsafeRawBufferPointer(rebasing: line[range]))
        }
        return true
    }

    var requiredLabelNames: [String] { [] }
}

/// `| unpack` (Loki's `UnpackParser`): for a JSON object line with a string field `_entry`, the line becomes that
/// field and every other string field becomes a label; without `_entry` nothing changes. A line not starting
/// with `{` gets `__error__=JSONParserErr`.
struct UnpackStage: StageProgram {
    private static let entryKey = ByteString("_entry")

    func run(_ runtime: StageRuntime) -> Bool {
        let line = runtime.line
        let labels = runtime.labels
        let hints = runtime.hints
        if line.count == 0 || hints.skipsParsing(labels) { return true }
        guard line[0] == 0x7b else {
            runtime.addError(ErrorTypes.json, details: "expecting json object(6), but it is not")
            return true
        }
        // Collected pairs: name and value ranges in `runtime.values`; the entry in `runtime.jsonTemp`.
        let values = runtime.values
        values.reset()
        let entry = runtime.jsonTemp
        entry.reset()
        var pairs: [(name: Range<Int>, value: Range<Int>)] = []
        var packed = false
        var entryFailure: JSONScanner.Failure?
        runtime.jsonKeys.reset()
        let failure = JSONScanner.forEachMember(line, from: 0, keyScratch: runtime.jsonKeys) { key, value in
            guard value.type == .string else { return true }
            let content = UnsafeRawBufferPointer(rebasing: line[value.contentStart..<value.contentEnd])
            if Bytes.equal(key, UnpackStage.entryKey.bytes) {
                entry.reset()
                if value.escaped {
                    guard JSONScanner.unescape(content, into: entry) else {
                        entryFailure = .malformedStringEscape
                        return false
                    }
                } else {
                    entry.append(content)
                }
                packed = true
                return true
            }
            // Loki decides `_extracted` and first-wins on the raw key, then sanitises it.
            let names = runtime.names
            names.reset()
            names.append(key)
            let (rawName, rawHash) = ParsedNames.withCollisionSuffix(runtime)
            guard hints.shouldExtract(rawName, hash: rawHash), !labels.wasExtracted(rawName, hash: rawHash) else {
                return true
            }
            let nameStart = values.count
            JSONFlattener.appendPart(rawName, to: values, first: true)
            let nameRange = nameStart..<values.count
            let valueRange = JSONScanner.labelValue(content, escaped: value.escaped, into: values, temp: runtime.jsonPrefix)
            pairs.append((nameRange, valueRange))
            return true
        }
        if let failure = entryFailure ?? failure {
            runtime.addError(ErrorTypes.json, details: failure.rawValue)
            return true
        }
        guard packed else { return true }
        for (nameRange, valueRange) in pairs where !nameRange.isEmpty {
            let name = values.bytes(nameRange.lowerBound, nameRange.count)
            labels.set(.parsed, name: name, hash: Bytes.hash(name), value: values.bytes(valueRange.lowerBound, valueRange.count))
        }
        let output = runtime.lineWriter()
        output.append(entry.bytes(0, entry.count))
        runtime.commitLine(output)
        return true
    }

    var requiredLabelNames: [String] { [] }
}
