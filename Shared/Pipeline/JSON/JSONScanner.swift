#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Byte-level JSON scanning with the exact tolerance and error texts of `github.com/grafana/jsonparser`, which
/// Loki's `json` and `unpack` stages use: values are located by bracket matching rather than validated, numbers are
/// any token starting with a digit or `-`, and errors carry jsonparser's messages.
enum JSONScanner {
    enum ValueType: Sendable {
        case string, number, object, array, boolean, null
    }

    /// jsonparser's error messages.
    enum Failure: String, Error {
        case malformedJSON = "Malformed JSON error"
        case malformedString = "Value is string, but can't find closing '\"' symbol"
        case malformedArray = "Value is array, but can't find closing ']' symbol"
        case malformedObject = "Value looks like object, but can't find closing '}' symbol"
        case malformedStringEscape = "Encountered an invalid escape sequence in a string"
        case unknownValueType = "Unknown value type"
    }

    /// A located value. For strings `contentStart..<contentEnd` excludes the quotes; `end` is just past the value.
    struct Value {
        var type: ValueType
        var start: Int
        var end: Int
        var contentStart: Int
        var contentEnd: Int
        var escaped: Bool
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 }

    /// Index of the next non-whitespace byte at or after `from`, or nil.
    @inline(__always)
    static func nextToken(_ data: UnsafeRawBufferPointer, _ from: Int) -> Int? {
        var index = from
        while index < data.count {
            if !isSpace(data[index]) { return index }
            index += 1
        }
        return nil
    }

    /// jsonparser's `stringEnd` on `data[from...]` (just after an opening quote): the index just past the closing
    /// quote and whether a backslash occurred, or nil when the string does not end.
    @inline(__always)
    static func stringEnd(_ data: UnsafeRawBufferPointer, _ from: Int) -> (end: Int, escaped: Bool)? {
        // Most strings (keys, short values) end before any backslash: find the first `"` or `\` eight bytes at
        // a time; a quote there is the answer, anything else takes the general path.
        guard let base = data.baseAddress else { return nil }
        let count = data.count
        var index = from
        while index + 8 <= count {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            let found = zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5c5c_5c5c_5c5c_5c5c)
            if found != 0 {
                // The lowest flagged byte is exact (false positives only occur above a true zero byte).
                let offset = index + found.trailingZeroBitCount / 8
                if base.load(fromByteOffset: offset, as: UInt8.self) == 0x22 { return (offset + 1, false) }
                return escapedStringEnd(data, from)
            }
            index += 8
        }
        while index < count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == 0x22 { return (index + 1, false) }
            if byte == 0x5c { return escapedStringEnd(data, from) }
            index += 1
        }
        return nil
    }

    /// 0x80 in every byte of `word` that is zero (exact for the lowest such byte).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    /// `stringEnd` for strings that may contain backslashes (jsonparser's loop).
    private static func escapedStringEnd(_ data: UnsafeRawBufferPointer, _ from: Int) -> (end: Int, escaped: Bool)? {
        guard let base = data.baseAddress else { return nil }
        var search = from
        var escaped = false
        while search < data.count {
            guard let quotePointer = memchr(base + search, 0x22, data.count - search) else { return nil }
            let quote = base.distance(to: UnsafeRawPointer(quotePointer))
            if !escaped, memchr(base + search, 0x5c, quote - search) != nil { escaped = true }
            if !escaped { return (quote + 1, false) }
            // Count the backslashes just before the quote (within the string).
            var backslashes = 0
            var cursor = quote - 1
            while cursor >= from, data[cursor] == 0x5c {
                backslashes += 1
                cursor -= 1
            }
            if backslashes % 2 == 0 { return (quote + 1, true) }
            search = quote + 1
        }
        return nil
    }

    /// jsonparser's `blockEnd`: the index just past the matching close of the `open` at `from` (only `open` and
    /// `close` are counted; strings are skipped), or nil.
    static func blockEnd(_ data: UnsafeRawBufferPointer, _ from: Int, open: UInt8, close: UInt8) -> Int? {
        var level = 0
        var index = from
        while index < data.count {
            let byte = data[index]
            if byte == 0x22 {
                guard let (end, _) = stringEnd(data, index + 1) else { return nil }
                index = end
                continue
            }
            if byte == open {
                level += 1
            } else if byte == close {
                level -= 1
                if level == 0 { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    /// jsonparser's `tokenEnd`: the first delimiter (whitespace `,` `}` `]`) at or after `from`, or the end.
    @inline(__always)
    static func tokenEnd(_ data: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var index = from
        while index < data.count {
            switch data[index] {
            case 0x20, 0x0a, 0x0d, 0x09, 0x2c, 0x7d, 0x5d: return index
            default: index += 1
            }
        }
        return data.count
    }

    /// jsonparser's `Get(data[from...])` without keys: skips whitespace and classifies the value there.
    @inline(__always)
    static func value(_ data: UnsafeRawBufferPointer, _ from: Int) -> Result<Value, Failure> {
        guard let offset = nextToken(data, from) else { return .failure(.malformedJSON) }
        let first = data[offset]
        switch first {
        case 0x22:
            guard let (end, escaped) = stringEnd(data, offset + 1) else { return .failure(.malformedString) }
            return .success(Value(type: .string, start: offset, end: end, contentStart: offset + 1,
                                  contentEnd: end - 1, escaped: escaped))
        case 0x5b:
            guard let end = blockEnd(data, offset, open: 0x5b, close: 0x5d) else { return .failure(.malformedArray) }
            return .success(Value(type: .array, start: offset, end: end, contentStart: offset, contentEnd: end,
                                  escaped: false))
        case 0x7b:
            guard let end = blockEnd(data, offset, open: 0x7b, close: 0x7d) else { return .failure(.malformedObject) }
            return .success(Value(type: .object, start: offset, end: end, contentStart: offset, contentEnd: end,
                                  escaped: false))
        default:
            let end = tokenEnd(data, offset)
            let token = UnsafeRawBufferPointer(rebasing: data[offset..<end])
            let type: ValueType
            switch first {
            case 0x74, 0x66:
                guard Bytes.equal(token, Literals.true.bytes) || Bytes.equal(token, Literals.false.bytes) else {
                    return .failure(.unknownValueType)
                }
                type = .boolean
            case 0x75, 0x6e:
                guard Bytes.equal(token, Literals.null.bytes) else { return .failure(.unknownValueType) }
                type = .null
            case 0x30...0x39, 0x2d:
                type = .number
            default:
                return .failure(.unknownValueType)
            }
            return .success(Value(type: type, start: offset, end: end, contentStart: offset, contentEnd: end,
                                  escaped: false))
        }
    }

    enum Literals {
        static let `true` = ByteString("true")
        static let `false` = ByteString("false")
        static let null = ByteString("null")
    }

    /// jsonparser's `ObjectEach` over the object starting at or after `from`. `body` gets the key (unescaped into
    /// `keyScratch` when needed) and the value; returning false stops the walk without error. Returns the first
    /// error, if any.
    @inline(__always)
    static func forEachMember(
        _ data: UnsafeRawBufferPointer, from: Int, keyScratch: ByteArena,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: Value) -> Bool
    ) -> Failure? {
        guard var offset = nextToken(data, from), data[offset] == 0x7b else { return .malformedObject }
        offset += 1
        guard let firstToken = nextToken(data, offset) else { return .malformedJSON }
        offset = firstToken
        if data[offset] == 0x7d { return nil }
        var lastComma = -1
        while offset < data.count {
            switch data[offset] {
            case 0x22:
                offset += 1
            case 0x7d:
                if lastComma != -1 && lastComma + 1 == offset { return .malformedObject }
                return nil
            default:
                return .malformedObject
            }
            guard let (keyEnd, escaped) = stringEnd(data, offset) else { return .malformedJSON }
            var key = UnsafeRawBufferPointer(rebasing: data[offset..<(keyEnd - 1)])
            offset = keyEnd
            if escaped {
                let mark = keyScratch.count
                guard unescape(key, into: keyScratch) else { return .malformedStringEscape }
                key = keyScratch.bytes(from: mark)
            }
            guard let colon = nextToken(data, offset), data[colon] == 0x3a else { return .malformedJSON }
            offset = colon + 1
            let value: Value
            switch JSONScanner.value(data, offset) {
            case .success(let found): value = found
            case .failure(let failure): return failure
            }
            if !body(key, value) { return nil }
            offset = value.end
            guard let next = nextToken(data, offset) else { return .malformedArray }
            offset = next
            switch data[offset] {
            case 0x7d: return nil
            case 0x2c:
                lastComma = offset
                offset += 1
            default:
                return .malformedObject
            }
            guard let afterComma = nextToken(data, offset) else { return .malformedArray }
            if afterComma > offset { lastComma += afterComma - offset - 1 }
            offset = afterComma
        }
        return .malformedObject
    }

    // MARK: - Unescaping (jsonparser.Unescape)

    /// Appends the unescaped `raw` string content to `out`; false on an invalid escape (jsonparser's
    /// `MalformedStringEscapeError`).
    static func unescape(_ raw: UnsafeRawBufferPointer, into out: ByteArena) -> Bool {
        var index = 0
        var runStart = 0
        let count = raw.count
        while index < count {
            guard raw[index] == 0x5c else {
                index += 1
                continue
            }
            out.append(UnsafeRawBufferPointer(rebasing: raw[runStart..<index]))
            guard index + 1 < count else { return false }
            let escape = raw[index + 1]
            switch escape {
            case 0x22, 0x5c, 0x2f: out.append(byte: escape)
            case 0x62: out.append(byte: 0x08)
            case 0x66: out.append(byte: 0x0c)
            case 0x6e: out.append(byte: 0x0a)
            case 0x72: out.append(byte: 0x0d)
            case 0x74: out.append(byte: 0x09)
            case 0x75:
                guard let (rune, length) = decodeUnicodeEscape(raw, index) else { return false }
                appendUTF8(rune, to: out)
                index += length
                runStart = index
                continue
            default:
                return false
            }
            index += 2
            runStart = index
        }
        out.append(UnsafeRawBufferPointer(rebasing: raw[runStart..<count]))
        return true
    }

    private static func singleUnicodeEscape(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at + 6 <= raw.count, raw[at] == 0x5c, raw[at + 1] == 0x75 else { return nil }
        return Bytes.hex4(raw, at + 2)
    }

    /// jsonparser's `decodeUnicodeEscape`: a BMP rune, or a surrogate pair (with its lax check of the low half).
    private static func decodeUnicodeEscape(_ raw: UnsafeRawBufferPointer, _ at: Int) -> (UInt32, Int)? {
        guard let first = singleUnicodeEscape(raw, at) else { return nil }
        if first <= 0xffff && !(first >= 0xd800 && first <= 0xdfff) { return (first, 6) }
        guard let second = singleUnicodeEscape(raw, at + 6), second >= 0xdc00 else { return nil }
        return (((first - 0xd800) << 10 | (second - 0xdc00)) + 0x10000, 12)
    }

    /// Go's `utf8.EncodeRune`: invalid runes become U+FFFD.
    static func appendUTF8(_ rune: UInt32, to out: ByteArena) {
        var value = rune
        if value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff) { value = 0xfffd }
        if value < 0x80 {
            out.append(byte: UInt8(value))
        } else if value < 0x800 {
            out.append(byte: UInt8(0xc0 | (value >> 6)))
            out.append(byte: UInt8(0x80 | (value & 0x3f)))
        } else if value < 0x10000 {
            out.append(byte: UInt8(0xe0 | (value >> 12)))
            out.append(byte: UInt8(0x80 | ((value >> 6) & 0x3f)))
            out.append(byte: UInt8(0x80 | (value & 0x3f)))
        } else {
            out.append(byte: UInt8(0xf0 | (value >> 18)))
            out.append(byte: UInt8(0x80 | ((value >> 12) & 0x3f)))
            out.append(byte: UInt8(0x80 | ((value >> 6) & 0x3f)))
            out.append(byte: UInt8(0x80 | (value & 0x3f)))
        }
    }

    /// Loki's `unescapeJSONString`: unescapes (an invalid escape gives ""), then replaces invalid UTF-8 and U+FFFD
    /// with spaces. Returns the range in `out`; `temp` is scratch space.
    static func labelValue(_ raw: UnsafeRawBufferPointer, escaped: Bool, into out: ByteArena, temp: ByteArena)
        -> Range<Int>
    {
        let start = out.count
        var source = raw
        if escaped {
            temp.reset()
            guard unescape(raw, into: temp) else { return start..<start }
            source = temp.bytes(0, temp.count)
        }
        if UTF8Decoding.needsRuneErrorRepair(source) {
            UTF8Decoding.appendRepaired(source, to: out)
        } else {
            out.append(source)
        }
        return start..<out.count
    }
}
