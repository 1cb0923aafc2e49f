import FjordModel

/// Loki's `detected_level` discovery (`pkg/distributor/field_detection.go`), on bytes.
///
/// Order: an existing `detected_level` (normalised); a stream label, then a structured-metadata pair, named like
/// one of ``ValidationLimits/logLevelFields`` (normalised, unknown values kept verbatim); OTLP `severity_number`;
/// for a JSON line (`{…}`) a string field of those names up to ``ValidationLimits/logLevelFromJSONMaxDepth``
/// objects deep, for a line containing `=` a logfmt field (case-insensitive names, earlier names in the list win);
/// otherwise, or when that value is not a known level, the earliest word-bounded `trace`, `debug`, `fatal`,
/// `critical`, `error`, `err`, `warning`, `warn` or `info` in the line, else `unknown`.
struct LevelDetector: Sendable {
    static let label = "detected_level"

    /// The normalised level names.
    static let trace = "trace", debug = "debug", info = "info", warn = "warn", error = "error"
    static let critical = "critical", fatal = "fatal", unknown = "unknown"

    let fields: [String]
    private let fieldBytes: [[UInt8]]
    /// Position of each field name in `fields` (earlier wins).
    private let fieldPriority: [String: Int]
    private let maxDepth: Int

    init(fields: [String], maxDepth: Int) {
        self.fields = fields
        self.fieldBytes = fields.map { Array($0.utf8) }
        var priority: [String: Int] = [:]
        for (index, field) in fields.enumerated() where priority[field] == nil { priority[field] = index }
        self.fieldPriority = priority
        self.maxDepth = maxDepth
    }

    /// The level named by the first configured field present in `labels`, normalised.
    func level(from labels: Labels) -> String? {
        var best: (priority: Int, value: String)?
        for pair in labels {
            if let priority = fieldPriority[pair.name], priority < (best?.priority ?? Int.max) {
                best = (priority, pair.value)
            }
        }
        return best.map { Self.normalize($0.value) }
    }

    /// Level of an entry whose stream and metadata name none: OTLP severity number, then the line.
    func level(line: UnsafeRawBufferPointer, metadata: Labels) -> String {
        if let severity = Self.value(of: "severity_number", in: metadata), !severity.isEmpty {
            return Self.level(severityNumber: severity)
        }
        return level(line: line)
    }

    /// A linear lookup: entries carry few metadata pairs, and `==` beats an ordered binary search there.
    static func value(of name: String, in labels: Labels) -> String? {
        for pair in labels where pair.name == name { return pair.value }
        return nil
    }

    /// Normalises a level name (`WARNING` → `warn`); unknown names are returned unchanged.
    static func normalize(_ value: String) -> String {
        var copy = value
        return copy.withUTF8 { known(UnsafeRawBufferPointer($0)) } ?? value
    }

    /// The normalised level for a known level word (ASCII case-insensitive), else `nil`.
    static func known(_ word: UnsafeRawBufferPointer) -> String? {
        switch word.count {
        case 3:
            if equalsFolded(word, "trc") { return trace }
            if equalsFolded(word, "dbg") { return debug }
            if equalsFolded(word, "inf") { return info }
            if equalsFolded(word, "wrn") { return warn }
            if equalsFolded(word, "err") { return error }
        case 4:
            if equalsFolded(word, "info") { return info }
            if equalsFolded(word, "warn") { return warn }
        case 5:
            if equalsFolded(word, "trace") { return trace }
            if equalsFolded(word, "debug") { return debug }
            if equalsFolded(word, "error") { return error }
            if equalsFolded(word, "fatal") { return fatal }
        case 7:
            if equalsFolded(word, "warning") { return warn }
        case 8:
            if equalsFolded(word, "critical") { return critical }
        case 11:
            if equalsFolded(word, "information") { return info }
        default: break
        }
        return nil
    }

    @inline(__always)
    private static func equalsFolded(_ word: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        let target = lower.utf8Start
        for index in 0..<word.count {
            var byte = word[index]
            if byte >= 0x41, byte <= 0x5A { byte += 0x20 }
            if byte != target[index] { return false }
        }
        return true
    }

    /// OpenTelemetry severity numbers: 1–4 trace, 5–8 debug, 9–12 info, 13–16 warn, 17–20 error, 21–24 fatal.
    static func level(severityNumber text: String) -> String {
        guard let number = goAtoi(text) else { return info }
        switch number {
        case 0: return unknown
        case ...4: return trace
        case ...8: return debug
        case ...12: return info
        case ...16: return warn
        case ...20: return error
        case ...24: return fatal
        default: return unknown
        }
    }

    /// Go's `strconv.Atoi`: optional sign, decimal digits.
    private static func goAtoi(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    // MARK: Line

    /// The level found in a log line (JSON field, logfmt field or keyword).
    func level(line: UnsafeRawBufferPointer) -> String {
        if Self.looksLikeJSON(line) {
            var cursor = JSONCursor(bytes: line)
            if let value = jsonLevel(&cursor, depth: 0), let level = Self.known(value) { return level }
        } else if line.contains(0x3D) { // '='
            if let level = logfmtLevel(line) { return level }
        } else {
            return Self.keywordLevel(line)
        }
        return Self.keywordLevel(line)
    }

    /// Loki's `isJSON`: the first non-space character is `{` and the last non-space byte is `}`.
    static func looksLikeJSON(_ line: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        while start < line.count {
            let width = leadingSpaceWidth(line, at: start)
            if width == 0 { break }
            start += width
        }
        guard start < line.count, line[start] == 0x7B else { return false }
        var end = line.count - 1
        // Loki looks at single bytes from the end, so 0x85 and 0xA0 count as spaces there.
        while end > start, isSpaceByte(line[end]) { end -= 1 }
        return line[end] == 0x7D
    }

    private static func isSpaceByte(_ byte: UInt8) -> Bool {
        (byte >= 0x09 && byte <= 0x0D) || byte == 0x20 || byte == 0x85 || byte == 0xA0
    }

    /// Byte width of a Unicode white-space character at `index` (Go's `unicode.IsSpace`), 0 if none.
    private static func leadingSpaceWidth(_ line: UnsafeRawBufferPointer, at index: Int) -> Int {
        let byte = line[index]
        if (byte >= 0x09 && byte <= 0x0D) || byte == 0x20 { return 1 }
        guard byte >= 0xC2, index + 1 < line.count else { return 0 }
        let second = line[index + 1]
        if byte == 0xC2 { return second == 0x85 || second == 0xA0 ? 2 : 0 }
        guard index + 2 < line.count else { return 0 }
        let third = line[index + 2]
        switch (byte, second) {
        case (0xE1, 0x9A): return third == 0x80 ? 3 : 0
        case (0xE2, 0x80): return (third >= 0x80 && third <= 0x8A) || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0
        case (0xE2, 0x81): return third == 0x9F ? 3 : 0
        case (0xE3, 0x80): return third == 0x80 ? 3 : 0
        default: return 0
        }
    }

    /// Walks an object (`jsonparser.ObjectEach`) for a string field named like a level field; nested objects are
    /// searched up to `maxDepth` levels (≤ 0: unlimited). Returns the raw value bytes.
    private func jsonLevel(_ cursor: inout JSONCursor, depth: Int) -> UnsafeRawBufferPointer? {
        if maxDepth > 0, depth >= maxDepth { return nil }
        guard (try? cursor.expect(0x7B, "'{'")) != nil else { return nil }
        if cursor.consumeIfEmpty(close: 0x7D) { return nil }
        repeat {
            guard let (keyRange, escaped) = try? cursor.rawString(),
                  (try? cursor.expect(0x3A, "':'")) != nil
            else { return nil }
            switch cursor.peekKind() {
            case .string:
                guard let (valueRange, _) = try? cursor.rawString() else { return nil }
                if isLevelField(cursor, keyRange, escaped: escaped) {
                    return UnsafeRawBufferPointer(rebasing: cursor.bytes[valueRange])
                }
            case .object:
                let start = cursor.position
                if let found = jsonLevel(&cursor, depth: depth + 1) { return found }
                cursor.position = start
                guard (try? cursor.skipValue()) != nil else { return nil }
            default:
                guard (try? cursor.skipValue()) != nil else { return nil }
            }
        } while (try? cursor.nextElement(close: 0x7D)) == true
        return nil
    }

    private func isLevelField(_ cursor: JSONCursor, _ range: Range<Int>, escaped: Bool) -> Bool {
        if escaped {
            var key: [UInt8] = []
            guard (try? cursor.appendUnescaped(range, to: &key)) != nil else { return false }
            return fieldBytes.contains(key)
        }
        let key = UnsafeRawBufferPointer(rebasing: cursor.bytes[range])
        return fieldBytes.contains { $0.count == key.count && $0.elementsEqual(key) }
    }

    /// go-logfmt scan for the first configured field (case-insensitive); earlier fields in the list win.
    private func logfmtLevel(_ line: UnsafeRawBufferPointer) -> String? {
        var scanner = LogfmtScanner(line: line)
        var best = fields.count
        var bestValue: [UInt8]?
        while let pair = scanner.next() {
            let key = UnsafeRawBufferPointer(rebasing: line[pair.key])
            for (index, field) in fieldBytes.enumerated() where index < best && Self.equalFold(key, field) {
                best = index
                bestValue = pair.unquoted ? Array(scanner.scratch[pair.value]) : Array(line[pair.value])
                break
            }
            if best == 0 { break }
        }
        guard let bestValue else { return nil }
        return bestValue.withUnsafeBytes { Self.known($0) }
    }

    private static func equalFold(_ key: UnsafeRawBufferPointer, _ field: [UInt8]) -> Bool {
        guard key.count == field.count else { return false }
        for index in 0..<key.count {
            var lhs = key[index]
            var rhs = field[index]
            if lhs >= 0x41, lhs <= 0x5A { lhs += 0x20 }
            if rhs >= 0x41, rhs <= 0x5A { rhs += 0x20 }
            if lhs != rhs { return false }
        }
        return true
    }

    // MARK: Keywords

    /// Bytes that are letters or digits for Go's `unicode.IsLetter/IsDigit(rune(b))`, plus `_`: word characters.
    private static let wordByte: [Bool] = (0..<256).map { value in
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
        case 0xAA, 0xB5, 0xBA, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0xFF: return true
        default: return false
        }
    }

    /// The level of the earliest word-bounded level keyword in the line, or `unknown`.
    static func keywordLevel(_ line: UnsafeRawBufferPointer) -> String {
        var index = 0
        let count = line.count
        while index < count {
            guard wordByte[Int(line[index])] else {
                index += 1
                continue
            }
            let start = index
            while index < count, wordByte[Int(line[index])] { index += 1 }
            let length = index - start
            if length >= 3, length <= 8, let level = keyword(UnsafeRawBufferPointer(rebasing: line[start..<index])) {
                return level
            }
        }
        return unknown
    }

    private static func keyword(_ word: UnsafeRawBufferPointer) -> String? {
        switch word.count {
        case 3: return equalsFolded(word, "err") ? error : nil
        case 4:
            if equalsFolded(word, "info") { return info }
            return equalsFolded(word, "warn") ? warn : nil
        case 5:
            if equalsFolded(word, "error") { return error }
            if equalsFolded(word, "trace") { return trace }
            if equalsFolded(word, "debug") { return debug }
            return equalsFolded(word, "fatal") ? fatal : nil
        case 7: return equalsFolded(word, "warning") ? warn : nil
        case 8: return equalsFolded(word, "critical") ? critical : nil
        default: return nil
        }
    }
}

/// go-logfmt's `ScanKeyval` over bytes: yields key/value pairs until the end of the line or a syntax error.
/// Values are byte ranges of the line, or of ``scratch`` when a quoted value had escapes.
struct LogfmtScanner {
    /// A scanned pair: `value` indexes the line, or ``LogfmtScanner/scratch`` when `unquoted` is true.
    struct Pair {
        var key: Range<Int>
        var value: Range<Int>
        var unquoted: Bool
    }

    let line: UnsafeRawBufferPointer
    var position = 0
    var failed = false
    /// Holds the last unescaped quoted value.
    var scratch: [UInt8] = []

    init(line: UnsafeRawBufferPointer) { self.line = line }

    /// The next pair, or `nil` at the end of the line or after a syntax error.
    mutating func next() -> Pair? {
        guard !failed else { return nil }
        while position < line.count, line[position] <= 0x20 { position += 1 }
        guard position < line.count else { return nil }
        let start = position
        while position < line.count {
            let byte = line[position]
            if byte == 0x3D { break }
            if byte == 0x22 { return fail() }
            if byte <= 0x20 { return Pair(key: start..<position, value: position..<position, unquoted: false) }
            position += 1
        }
        let key = start..<position
        guard position < line.count else { return Pair(key: key, value: position..<position, unquoted: false) }
        guard position > start else { return fail() } // '=' without a key
        position += 1 // '='
        guard position < line.count, line[position] > 0x20 else {
            return Pair(key: key, value: position..<position, unquoted: false)
        }
        if line[position] == 0x22 { return quoted(key) }
        let valueStart = position
        while position < line.count {
            let byte = line[position]
            if byte == 0x3D || byte == 0x22 { return fail() }
            if byte <= 0x20 { break }
            position += 1
        }
        return Pair(key: key, value: valueStart..<position, unquoted: false)
    }

    private mutating func quoted(_ key: Range<Int>) -> Pair? {
        let start = position + 1
        var index = start
        var escaped = false
        while index < line.count {
            let byte = line[index]
            if byte == 0x5C {
                escaped = true
                index += 2
                continue
            }
            if byte == 0x22 {
                position = index + 1
                guard escaped else { return Pair(key: key, value: start..<index, unquoted: false) }
                scratch.removeAll(keepingCapacity: true)
                guard (try? JSONCursor(bytes: line).appendUnescaped(start..<index, to: &scratch)) != nil else {
                    return fail()
                }
                return Pair(key: key, value: 0..<scratch.count, unquoted: true)
            }
            index += 1
        }
        position = line.count
        return fail()
    }

    private mutating func fail() -> Pair? {
        failed = true
        return nil
    }
}
