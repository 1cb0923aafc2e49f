import FjordModel

/// Decodes JSON push bodies on bytes (the path Fluent Bit, Vector and scripts use), without Foundation.
///
/// v1 (`/loki/api/v1/push`): `{"streams":[{"stream":{"k":"v"},"values":[["<ns>","<line>",{"sm":"v"}]]}]}`, following
/// Loki's `LogProtoStream.UnmarshalJSON`: the timestamp and line must be JSON strings, the timestamp a base-10 int64
/// of nanoseconds, the optional third element an object of string values; `null` entries and `"values":null` are
/// skipped, further elements ignored. Structured-metadata values are kept as written (escapes not decoded), and the
/// `stream` map becomes `{k="v", …}` with sorted keys, as in Loki.
///
/// Legacy (`/api/prom/push`): `{"streams":[{"labels":"{…}","entries":[{"ts":"<RFC3339>","line":"…"}]}]}`.
public enum PushJSONDecoder {
    /// Decodes a v1 JSON body.
    public static func decode(_ body: [UInt8]) throws(PushError) -> PushRequest {
        try run(body) { (cursor, state) throws(PushError) in try state.decodeStreams(&cursor, legacy: false) }
    }

    /// Decodes a legacy `/api/prom/push` JSON body.
    public static func decodeLegacy(_ body: [UInt8]) throws(PushError) -> PushRequest {
        try run(body) { (cursor, state) throws(PushError) in try state.decodeStreams(&cursor, legacy: true) }
    }

    private static func run(
        _ body: [UInt8], _ decodeTop: (inout JSONCursor, inout JSONDecodeState) throws(PushError) -> Void
    ) throws(PushError) -> PushRequest {
        let outcome: Result<PushRequest, PushError> = body.withUnsafeBytes { raw in
            Result { () throws(PushError) -> PushRequest in
                var cursor = JSONCursor(bytes: raw)
                var state = JSONDecodeState(capacity: raw.count)
                cursor.skipWhitespace()
                guard !cursor.isAtEnd else { throw .badRequest("EOF") }
                try cursor.expect(0x7B, "'{' to start the push request")
                if !cursor.consumeIfEmpty(close: 0x7D) {
                    repeat {
                        let key = try state.key(&cursor)
                        try cursor.expect(0x3A, "':'")
                        if key.isCaseInsensitive("streams") {
                            try decodeTop(&cursor, &state)
                        } else {
                            try cursor.skipValue()
                        }
                    } while try cursor.nextElement(close: 0x7D)
                }
                return state.request
            }
        }
        return try outcome.get()
    }
}

/// A decoded object key (unescaped when needed).
private struct JSONKey {
    var bytes: [UInt8]

    func isCaseInsensitive(_ word: String) -> Bool {
        func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
        return bytes.count == word.utf8.count && zip(bytes, word.utf8).allSatisfy { lower($0) == lower($1) }
    }

    func equals(_ word: String) -> Bool { bytes.elementsEqual(word.utf8) }

    var string: String { String(decoding: bytes, as: UTF8.self) }
}

private struct JSONDecodeState {
    var request = PushRequest()

    init(capacity: Int) {
        request.buffer.reserveCapacity(capacity)
        request.entries.reserveCapacity(capacity / 200 + 1)
    }

    mutating func key(_ cursor: inout JSONCursor) throws(PushError) -> JSONKey {
        let (range, escaped) = try cursor.rawString()
        if !escaped { return JSONKey(bytes: Array(UnsafeRawBufferPointer(rebasing: cursor.bytes[range]))) }
        var unescaped: [UInt8] = []
        try cursor.appendUnescaped(range, to: &unescaped)
        return JSONKey(bytes: unescaped)
    }

    /// Appends the (unescaped) string at the cursor to the arena.
    mutating func string(_ cursor: inout JSONCursor, raw: Bool = false) throws(PushError) -> PushRequest.Span {
        let (range, escaped) = try cursor.rawString()
        let start = request.buffer.count
        if escaped, !raw {
            try cursor.appendUnescaped(range, to: &request.buffer)
        } else {
            request.buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: cursor.bytes[range]))
        }
        return PushRequest.Span(start: start, count: request.buffer.count - start)
    }

    mutating func decodeStreams(_ cursor: inout JSONCursor, legacy: Bool) throws(PushError) {
        switch cursor.peekKind() {
        case .null:
            try cursor.literal("null")
            return
        case .array: break
        default: throw cursor.error("\"streams\" must be an array")
        }
        try cursor.expect(0x5B, "'['")
        if cursor.consumeIfEmpty(close: 0x5D) { return }
        repeat {
            if legacy { try decodeLegacyStream(&cursor) } else { try decodeStream(&cursor) }
        } while try cursor.nextElement(close: 0x5D)
    }

    // MARK: v1

    private mutating func decodeStream(_ cursor: inout JSONCursor) throws(PushError) {
        guard cursor.peekKind() == .object else { throw cursor.error("each stream must be a JSON object") }
        try cursor.expect(0x7B, "'{'")
        var labels: [String: String] = [:]
        let firstEntry = request.entries.count
        let firstPair = request.metadata.count
        if !cursor.consumeIfEmpty(close: 0x7D) {
            repeat {
                let key = try key(&cursor)
                try cursor.expect(0x3A, "':'")
                if key.equals("stream") {
                    labels = try streamLabels(&cursor)
                } else if key.equals("values") {
                    // A repeated "values" key replaces the earlier entries, as in Loki.
                    request.entries.removeSubrange(firstEntry...)
                    request.metadata.removeSubrange(firstPair...)
                    try values(&cursor)
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextElement(close: 0x7D)
        }
        request.streams.append(PushRequest.Stream(labels: Self.labelString(labels),
                                                  entries: firstEntry..<request.entries.count))
    }

    /// Loki's `LabelSet.String()`: keys sorted, written raw, values Go-quoted.
    static func labelString(_ labels: [String: String]) -> String {
        let keys = labels.keys.sorted { Labels.nameLess($0, $1) }
        return "{" + keys.map { $0 + "=" + GoQuote.quote(labels[$0] ?? "") }.joined(separator: ", ") + "}"
    }

    private mutating func streamLabels(_ cursor: inout JSONCursor) throws(PushError) -> [String: String] {
        guard cursor.peekKind() == .object else { throw cursor.error("\"stream\" must be an object of labels") }
        try cursor.expect(0x7B, "'{'")
        var labels: [String: String] = [:]
        if cursor.consumeIfEmpty(close: 0x7D) { return labels }
        repeat {
            let name = try key(&cursor).string
            try cursor.expect(0x3A, "':'")
            if cursor.peekKind() == .string {
                let (range, escaped) = try cursor.rawString()
                var value: [UInt8] = []
                if escaped {
                    try cursor.appendUnescaped(range, to: &value)
                } else {
                    value = Array(UnsafeRawBufferPointer(rebasing: cursor.bytes[range]))
                }
                labels[name] = String(decoding: value, as: UTF8.self)
            } else {
                // Loki keeps the raw text of a non-string label value (`1`, `true`, …).
                let range = try cursor.skipValue()
                labels[name] = String(decoding: UnsafeRawBufferPointer(rebasing: cursor.bytes[range]), as: UTF8.self)
            }
        } while try cursor.nextElement(close: 0x7D)
        return labels
    }

    private mutating func values(_ cursor: inout JSONCursor) throws(PushError) {
        switch cursor.peekKind() {
        case .null:
            try cursor.literal("null")
            return
        case .array: break
        default: throw cursor.error("\"values\" must be an array of entries")
        }
        try cursor.expect(0x5B, "'['")
        if cursor.consumeIfEmpty(close: 0x5D) { return }
        repeat {
            switch cursor.peekKind() {
            case .null: try cursor.literal("null")
            case .array: try entry(&cursor)
            default: throw cursor.error("each entry must be an array [\"<ns>\", \"<line>\"]")
            }
        } while try cursor.nextElement(close: 0x5D)
    }

    private mutating func entry(_ cursor: inout JSONCursor) throws(PushError) {
        try cursor.expect(0x5B, "'['")
        var timestamp: Int64 = 0
        var line = PushRequest.Span.empty
        let firstPair = request.metadata.count
        if !cursor.consumeIfEmpty(close: 0x5D) {
            var index = 0
            repeat {
                let kind = cursor.peekKind()
                switch index {
                case 0:
                    guard kind == .string else {
                        throw cursor.error("the timestamp must be a string of Unix epoch nanoseconds, got \(kind.name)")
                    }
                    let (range, _) = try cursor.rawString()
                    timestamp = try Self.nanoseconds(cursor, range)
                case 1:
                    guard kind == .string else { throw cursor.error("the log line must be a string, got \(kind.name)") }
                    line = try string(&cursor)
                case 2:
                    guard kind == .object else {
                        throw cursor.error("structured metadata must be an object of strings, got \(kind.name)")
                    }
                    try structuredMetadata(&cursor, rawValues: true)
                default:
                    try cursor.skipValue()
                }
                index += 1
            } while try cursor.nextElement(close: 0x5D)
        }
        request.entries.append(PushRequest.Entry(timestamp: timestamp, line: line,
                                                 metadata: firstPair..<request.metadata.count))
    }

    /// Reads an object of string values; v1 keeps values raw (Loki does not unescape them), legacy unescapes.
    private mutating func structuredMetadata(_ cursor: inout JSONCursor, rawValues: Bool) throws(PushError) {
        try cursor.expect(0x7B, "'{'")
        if cursor.consumeIfEmpty(close: 0x7D) { return }
        repeat {
            let nameBytes = try key(&cursor).bytes
            try cursor.expect(0x3A, "':'")
            let kind = cursor.peekKind()
            guard kind == .string else {
                throw cursor.error("structured metadata value for \(GoQuote.quote(String(decoding: nameBytes, as: UTF8.self))) must be a string, got \(kind.name)")
            }
            let nameStart = request.buffer.count
            request.buffer.append(contentsOf: nameBytes)
            let name = PushRequest.Span(start: nameStart, count: nameBytes.count)
            let value = try string(&cursor, raw: rawValues)
            request.metadata.append(PushRequest.MetadataPair(name: name, value: value))
        } while try cursor.nextElement(close: 0x7D)
    }

    /// `jsonparser.ParseInt` on the raw string body: optional `-`, decimal digits, no overflow.
    static func nanoseconds(_ cursor: JSONCursor, _ range: Range<Int>) throws(PushError) -> Int64 {
        var index = range.lowerBound
        let negative = index < range.upperBound && cursor.bytes[index] == 0x2D
        if negative { index += 1 }
        var value: Int64 = 0
        var valid = index < range.upperBound
        var overflow = false
        while valid, index < range.upperBound {
            let byte = cursor.bytes[index]
            guard byte >= 0x30, byte <= 0x39 else {
                valid = false
                break
            }
            let digit = Int64(byte - 0x30)
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true }
            value = next
            index += 1
        }
        guard valid, !overflow else {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: cursor.bytes[range]), as: UTF8.self)
            let reason = overflow ? "overflows int64" : "is not a base-10 integer"
            throw .badRequest("invalid push request JSON: timestamp \(GoQuote.quote(text)) \(reason) (expected Unix epoch nanoseconds)")
        }
        return value
    }

    // MARK: Legacy

    private mutating func decodeLegacyStream(_ cursor: inout JSONCursor) throws(PushError) {
        guard cursor.peekKind() == .object else { throw cursor.error("each stream must be a JSON object") }
        try cursor.expect(0x7B, "'{'")
        var labels = ""
        let firstEntry = request.entries.count
        if !cursor.consumeIfEmpty(close: 0x7D) {
            repeat {
                let key = try key(&cursor)
                try cursor.expect(0x3A, "':'")
                if key.isCaseInsensitive("labels"), cursor.peekKind() == .string {
                    let span = try string(&cursor)
                    labels = request.string(span)
                } else if key.isCaseInsensitive("entries"), cursor.peekKind() == .array {
                    try cursor.expect(0x5B, "'['")
                    if !cursor.consumeIfEmpty(close: 0x5D) {
                        repeat { try legacyEntry(&cursor) } while try cursor.nextElement(close: 0x5D)
                    }
                } else if key.isCaseInsensitive("labels") || key.isCaseInsensitive("entries") {
                    guard cursor.peekKind() == .null else { throw cursor.error("unexpected \(cursor.peekKind().name) for \(key.string)") }
                    try cursor.literal("null")
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextElement(close: 0x7D)
        }
        request.streams.append(PushRequest.Stream(labels: labels, entries: firstEntry..<request.entries.count))
    }

    private mutating func legacyEntry(_ cursor: inout JSONCursor) throws(PushError) {
        guard cursor.peekKind() == .object else { throw cursor.error("each entry must be an object {\"ts\":…,\"line\":…}") }
        try cursor.expect(0x7B, "'{'")
        var timestamp = PushProtobufDecoder.missingTimestamp
        var line = PushRequest.Span.empty
        let firstPair = request.metadata.count
        if !cursor.consumeIfEmpty(close: 0x7D) {
            repeat {
                let key = try key(&cursor)
                try cursor.expect(0x3A, "':'")
                let kind = cursor.peekKind()
                if kind == .null {
                    try cursor.literal("null")
                } else if key.isCaseInsensitive("ts") {
                    guard kind == .string else { throw cursor.error("\"ts\" must be an RFC3339 string") }
                    let span = try string(&cursor)
                    let text = request.string(span)
                    request.buffer.removeSubrange(span.start...)
                    guard let parsed = GoTime.parseRFC3339(text) else {
                        throw .badRequest("parsing time \(GoQuote.quote(GoQuote.quote(text))) as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse")
                    }
                    timestamp = parsed
                } else if key.isCaseInsensitive("line") {
                    guard kind == .string else { throw cursor.error("\"line\" must be a string") }
                    line = try string(&cursor)
                } else if key.isCaseInsensitive("structuredMetadata") {
                    guard kind == .object else { throw cursor.error("\"structuredMetadata\" must be an object") }
                    try structuredMetadata(&cursor, rawValues: false)
                } else {
                    try cursor.skipValue()
                }
            } while try cursor.nextElement(close: 0x7D)
        }
        request.entries.append(PushRequest.Entry(timestamp: timestamp, line: line,
                                                 metadata: firstPair..<request.metadata.count))
    }
}
