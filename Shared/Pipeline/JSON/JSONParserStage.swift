/// `| json` without arguments (Loki's `JSONParser`): every string, number and boolean field becomes a label;
/// nested objects are flattened with `_`; arrays and `null` are skipped. Keys are sanitised; a key taken by a
/// stream label or structured metadata gets `_extracted`; the first occurrence of a label wins. A line that is not
/// a JSON object keeps the labels found so far and gets `__error__=JSONParserErr` with jsonparser's message.
struct JSONParserStage: StageProgram, HintedParser {
    func run(_ runtime: StageRuntime) -> Bool {
        parse(runtime, hints: runtime.hints)
        return true
    }

    func parse(_ runtime: StageRuntime, hints: ParserHints) {
        if hints.skipsParsing(runtime.labels) { return }
        let walker = runtime.jsonFlattener
        walker.prefix.reset()
        walker.keys.reset()
        switch walker.walk(runtime.line, from: 0, hints: hints) {
        case .finished, .allExtracted:
            break
        case .failed(let failure):
            runtime.addError(ErrorTypes.json, details: failure.rawValue)
        }
    }

    var requiredLabelNames: [String] { [] }
}

/// The recursive walk of `| json` over the scratch objects of one ``StageRuntime`` (which builds it once), so
/// that the per-member code reads them from the flattener without reference counting.
struct JSONFlattener {
    enum Outcome {
        case finished
        case allExtracted
        case failed(JSONScanner.Failure)
    }

    let labels: LabelState
    /// Scratch for the label name being built, and for unescaped values.
    let names: ByteArena
    let values: ByteArena
    let temp: ByteArena
    /// The sanitised prefix of the enclosing objects (`a_b`).
    let prefix: ByteArena
    /// Unescaped keys.
    let keys: ByteArena

    func walk(_ data: UnsafeRawBufferPointer, from: Int, hints: ParserHints) -> Outcome {
        var outcome = Outcome.finished
        let failure = JSONScanner.forEachMember(data, from: from, keyScratch: keys) { key, value in
            switch value.type {
            case .object:
                let mark = prefix.count
                JSONFlattener.appendPart(key, to: prefix)
                if hints.shouldExtractPrefix(prefix.bytes(0, prefix.count)) {
                    let nested = UnsafeRawBufferPointer(rebasing: data[value.start..<value.end])
                    let inner = walk(nested, from: 0, hints: hints)
                    prefix.truncate(to: mark)
                    switch inner {
                    case .finished: return true
                    case .allExtracted, .failed:
                        outcome = inner
                        return false
                    }
                }
                prefix.truncate(to: mark)
                return true
            case .string, .number, .boolean:
                // Parsing starts only when not all required labels were extracted (`skipsParsing`), and only an
                // added label can change that, so this is Loki's check after every member.
                if addLabel(key, value, data, hints: hints), hints.required != nil, hints.allRequiredExtracted(labels) {
                    outcome = .allExtracted
                    return false
                }
                return true
            case .array, .null:
                return true
            }
        }
        if let failure { return .failed(failure) }
        return outcome
    }

    /// Adds the member as a label if the hints want it; true when a label was added.
    @inline(__always)
    private func addLabel(_ key: UnsafeRawBufferPointer, _ value: JSONScanner.Value, _ data: UnsafeRawBufferPointer,
                          hints: ParserHints) -> Bool {
        names.reset()
        if prefix.count > 0 { names.append(prefix.bytes(0, prefix.count)) }
        JSONFlattener.appendPart(key, to: names)
        // An empty name (keys that are empty or blank) is kept, as Loki does.
        var name = names.bytes(0, names.count)
        let hash: UInt64
        if hints.required != nil {
            // Checked before the collision rename: only a candidate can be required or become a required
            // `_extracted` name. A candidate's hash is known.
            guard var found = hints.candidate(name) else { return false }
            if labels.collides(name, hash: found.hash) {
                names.append(ExtractedSuffix.text)
                name = names.bytes(0, names.count)
                guard let renamed = hints.candidate(name) else { return false }
                found = renamed
            }
            guard found.isRequired else { return false }
            hash = found.hash
        } else {
            var computed = Bytes.hash(name)
            if labels.collides(name, hash: computed) {
                names.append(ExtractedSuffix.text)
                name = names.bytes(0, names.count)
                computed = Bytes.hash(name)
            }
            hash = computed
        }
        var content = UnsafeRawBufferPointer(rebasing: data[value.contentStart..<value.contentEnd])
        if value.type == .string, value.escaped || UTF8Decoding.needsRuneErrorRepair(content) {
            if labels.wasExtracted(name, hash: hash) { return false }
            values.reset()
            let range = JSONScanner.labelValue(content, escaped: value.escaped, into: values, temp: temp)
            content = values.bytes(range.lowerBound, range.count)
        }
        return labels.addParsedIfAbsent(name: name, hash: hash, value: content)
    }

    /// Appends one key part the way Loki's `appendSanitized` does: whitespace-trimmed, `_` before it when the
    /// buffer already holds a part, `_` prefix for a leading digit when it is the first part, and every rune that
    /// is not `[A-Za-z0-9_]` replaced by `_`. A part that is empty after trimming is skipped.
    static func appendPart(_ key: UnsafeRawBufferPointer, to buffer: ByteArena) {
        appendPart(key, to: buffer, first: buffer.count == 0)
    }

    /// `first`: the part starts a name (Loki's `sanitizeLabelKey(key, true)`), so no separator is added.
    static func appendPart(_ key: UnsafeRawBufferPointer, to buffer: ByteArena, first: Bool) {
        let trimmed = trimSpace(key)
        if trimmed.count == 0 { return }
        if !first || Bytes.isDigit(trimmed[0]) { buffer.append(byte: 0x5f) }
        appendSanitizedRunes(trimmed, to: buffer)
    }

    /// Every rune that is not `[A-Za-z0-9_]` becomes one `_` (an invalid byte counts as one rune).
    @inline(__always)
    static func appendSanitizedRunes(_ bytes: UnsafeRawBufferPointer, to buffer: ByteArena) {
        if buffer.appendSanitizedASCII(bytes) { return }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                buffer.append(byte: Bytes.isLabelNameByte(byte) ? byte : 0x5f)
                index += 1
            } else {
                let width = UTF8Decoding.decode(bytes, at: index)?.1 ?? 1
                buffer.append(byte: 0x5f)
                index += width
            }
        }
    }

    /// Go's `bytes.TrimSpace` (ASCII whitespace plus U+0085, U+00A0 and the Unicode space separators).
    @inline(__always)
    static func trimSpace(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let first = bytes.first, let last = bytes.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return bytes
        }
        return trimSpaceSlow(bytes)
    }

    private static func trimSpaceSlow(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = bytes.count
        while start < end {
            let width = spaceWidth(bytes, at: start)
            if width == 0 { break }
            start += width
        }
        while end > start {
            var probe = end - 1
            while probe > start, bytes[probe] & 0xc0 == 0x80 { probe -= 1 }
            let width = spaceWidth(bytes, at: probe)
            if width == 0 || probe + width != end { break }
            end = probe
        }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    @inline(__always)
    private static func spaceWidth(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 {
            return (byte == 0x20 || (byte >= 0x09 && byte <= 0x0d)) ? 1 : 0
        }
        guard let (scalar, width) = UTF8Decoding.decode(bytes, at: index) else { return 0 }
        return scalar.properties.isWhitespace ? width : 0
    }
}
