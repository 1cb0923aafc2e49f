/// Loki's logfmt decoder (`pkg/logql/log/logfmt/decode.go`, adapted from go-logfmt): `key=value`,
/// `key="quoted \"value\""`, bare `key`. On a malformed pair it records an error, skips to the next whitespace and
/// reports no pair; the caller decides whether to continue (`--strict` stops).
struct LogfmtDecoder {
    private(set) var position = 0
    private(set) var keyRange: Range<Int>?
    /// The value: a range of the line, or (for quoted values with escapes) a range of `unquoted`.
    private(set) var valueRange: Range<Int>?
    private(set) var valueIsUnquoted = false
    /// The last syntax error, formatted only when asked for (non-strict parsing ignores most of them).
    private(set) var syntax: SyntaxError?

    /// A syntax error: where and what.
    struct SyntaxError {
        enum Kind {
            case invalidKey, unterminatedQuote, invalidQuote
            case unexpected(UInt8)
        }

        let position: Int
        let kind: Kind

        /// `logfmt syntax error at pos N : message`.
        var message: String {
            let text: String
            switch kind {
            case .invalidKey: text = "invalid key"
            case .unterminatedQuote: text = "unterminated quoted value"
            case .invalidQuote: text = "invalid quoted value"
            case .unexpected(let byte): text = "unexpected " + LogfmtDecoder.goQuoteByte(byte)
            }
            return "logfmt syntax error at pos \(position) : \(text)"
        }
    }

    /// The last syntax error's text.
    var error: String? { syntax?.message }

    init() {}

    mutating func reset() {
        position = 0
        keyRange = nil
        valueRange = nil
        valueIsUnquoted = false
        syntax = nil
    }

    func atEnd(_ line: UnsafeRawBufferPointer) -> Bool { position >= line.count }

    private mutating func syntaxError(_ kind: SyntaxError.Kind) {
        syntax = SyntaxError(position: position + 1, kind: kind)
    }

    private mutating func unexpected(_ byte: UInt8) {
        syntaxError(.unexpected(byte))
    }

    /// Go's `%q` of a byte: `'='`, `'"'`.
    static func goQuoteByte(_ byte: UInt8) -> String {
        switch byte {
        case 0x22: return "'\"'"
        case 0x27: return "'\\''"
        case 0x5c: return "'\\\\'"
        default: return "'" + String(UnicodeScalar(byte)) + "'"
        }
    }

    /// Scans the next pair. Returns false at the end of the line or on an error (then `error` is set).
    mutating func scanPair(_ line: UnsafeRawBufferPointer, unquoted: ByteArena) -> Bool {
        keyRange = nil
        valueRange = nil
        valueIsUnquoted = false
        let count = line.count
        // Skip garbage (bytes <= ' ').
        while position < count, line[position] <= 0x20 { position += 1 }
        if position >= count { return false }

        // Key.
        let keyStart = position
        var multibyte = false
        while position < count {
            let byte = line[position]
            if byte == 0x3d {  // '='
                if position > keyStart, !setKey(line, keyStart, multibyte) {
                    skipValue(line)
                    return false
                }
                if keyRange == nil {
                    unexpected(byte)
                    skipValue(line)
                    return false
                }
                return scanValue(line, unquoted: unquoted)
            }
            if byte == 0x22 {
                unexpected(byte)
                skipValue(line)
                return false
            }
            if byte <= 0x20 {
                if position > keyStart, !setKey(line, keyStart, multibyte) { return false }
                return true
            }
            if byte >= 0x80 { multibyte = true }
            position += 1
        }
        if position > keyStart, !setKey(line, keyStart, multibyte) { return false }
        return true
    }

    /// Records the key ending at `position`; false (with an `invalid key` error) when it holds invalid UTF-8.
    private mutating func setKey(_ line: UnsafeRawBufferPointer, _ start: Int, _ multibyte: Bool) -> Bool {
        if multibyte, UTF8Decoding.needsRuneErrorRepair(UnsafeRawBufferPointer(rebasing: line[start..<position])) {
            syntaxError(.invalidKey)
            return false
        }
        keyRange = start..<position
        return true
    }

    private mutating func scanValue(_ line: UnsafeRawBufferPointer, unquoted: ByteArena) -> Bool {
        let count = line.count
        position += 1  // past '='
        if position >= count { return true }
        let first = line[position]
        if first <= 0x20 { return true }
        if first == 0x22 { return scanQuoted(line, unquoted: unquoted) }
        let start = position
        while position < count {
            let byte = line[position]
            if byte == 0x3d || byte == 0x22 {
                unexpected(byte)
                skipValue(line)
                return false
            }
            if byte <= 0x20 {
                if position > start { valueRange = start..<position }
                return true
            }
            position += 1
        }
        if position > start { valueRange = start..<position }
        return true
    }

    private mutating func scanQuoted(_ line: UnsafeRawBufferPointer, unquoted: ByteArena) -> Bool {
        let count = line.count
        let start = position
        var hasEscape = false
        var escaped = false
        var index = position + 1
        while index < count {
            let byte = line[index]
            if escaped {
                escaped = false
            } else if byte == 0x5c {
                hasEscape = true
                escaped = true
            } else if byte == 0x22 {
                position = index + 1
                if hasEscape {
                    let mark = unquoted.count
                    guard LogfmtDecoder.unquote(UnsafeRawBufferPointer(rebasing: line[(start + 1)..<index]), into: unquoted)
                    else {
                        unquoted.truncate(to: mark)
                        syntaxError(.invalidQuote)
                        return false
                    }
                    valueRange = mark..<unquoted.count
                    valueIsUnquoted = true
                } else if index > start + 1 {
                    valueRange = (start + 1)..<index
                }
                return true
            }
            index += 1
        }
        position = count
        syntaxError(.unterminatedQuote)
        return false
    }

    private mutating func skipValue(_ line: UnsafeRawBufferPointer) {
        while position < line.count {
            if line[position] <= 0x20 { return }
            position += 1
        }
    }

    /// go-logfmt's `unquoteBytes` (JSON-style escapes plus `\'`; control characters are invalid; invalid UTF-8
    /// becomes U+FFFD).
    static func unquote(_ body: UnsafeRawBufferPointer, into out: ByteArena) -> Bool {
        var index = 0
        let count = body.count
        while index < count {
            let byte = body[index]
            if byte == 0x5c {
                index += 1
                guard index < count else { return false }
                switch body[index] {
                case 0x22, 0x5c, 0x2f, 0x27: out.append(byte: body[index])
                case 0x62: out.append(byte: 0x08)
                case 0x66: out.append(byte: 0x0c)
                case 0x6e: out.append(byte: 0x0a)
                case 0x72: out.append(byte: 0x0d)
                case 0x74: out.append(byte: 0x09)
                case 0x75:
                    guard let first = Bytes.hex4(body, index + 1) else { return false }
                    index += 5
                    if first >= 0xd800 && first < 0xe000 {
                        if body.count >= index + 6, body[index] == 0x5c, body[index + 1] == 0x75,
                           let second = Bytes.hex4(body, index + 2), first < 0xdc00, second >= 0xdc00, second < 0xe000
                        {
                            JSONScanner.appendUTF8(((first - 0xd800) << 10 | (second - 0xdc00)) + 0x10000, to: out)
                            index += 6
                        } else {
                            JSONScanner.appendUTF8(0xfffd, to: out)
                        }
                    } else {
                        JSONScanner.appendUTF8(first, to: out)
                    }
                    continue
                default:
                    return false
                }
                index += 1
                continue
            }
            if byte == 0x22 || byte < 0x20 { return false }
            if byte < 0x80 {
                out.append(byte: byte)
                index += 1
                continue
            }
            if let (_, width) = UTF8Decoding.decode(body, at: index) {
                out.append(UnsafeRawBufferPointer(rebasing: body[index..<(index + width)]))
                index += width
            } else {
                JSONScanner.appendUTF8(0xfffd, to: out)
                index += 1
            }
        }
        return true
    }
}
