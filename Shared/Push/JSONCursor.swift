#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only JSON reader over bytes for the push decoders: no Foundation, no intermediate objects.
/// Strings are either referenced raw (`rawString`) or unescaped into a caller's arena (`appendUnescaped`).
struct JSONCursor {
    enum Kind: Equatable {
        case string, number, object, array, bool, null, invalid

        var name: String {
            switch self {
            case .string: return "string"
            case .number: return "number"
            case .object: return "object"
            case .array: return "array"
            case .bool: return "boolean"
            case .null: return "null"
            case .invalid: return "invalid value"
            }
        }
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    func error(_ message: String) -> PushError {
        .badRequest("invalid push request JSON at byte \(position): \(message)")
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The kind of the next value (after whitespace), without consuming it.
    mutating func peekKind() -> Kind {
        skipWhitespace()
        guard position < bytes.count else { return .invalid }
        switch bytes[position] {
        case 0x22: return .string
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x74, 0x66: return .bool
        case 0x6E: return .null
        case 0x2D, 0x30...0x39: return .number
        default: return .invalid
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(PushError) {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input, expected \(what)") }
        guard bytes[position] == byte else { throw error("expected \(what)") }
        position += 1
    }

    /// Consumes `,` (returns true) or the closing `close` byte (returns false).
    mutating func nextElement(close: UInt8) throws(PushError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw error("unexpected end of input") }
        if bytes[position] == 0x2C {
            position += 1
            return true
        }
        guard bytes[position] == close else { throw error(close == 0x5D ? "expected ',' or ']'" : "expected ',' or '}'") }
        position += 1
        return false
    }

    /// After `[` or `{`: consumes the closing byte if the container is empty.
    mutating func consumeIfEmpty(close: UInt8) -> Bool {
        skipWhitespace()
        if position < bytes.count, bytes[position] == close {
            position += 1
            return true
        }
        return false
    }

    /// Reads a string token; returns the byte range between the quotes and whether it holds escapes.
    mutating func rawString() throws(PushError) -> (Range<Int>, escaped: Bool) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == 0x22, let base = bytes.baseAddress else {
            throw error("expected a string")
        }
        let start = position + 1
        var searchFrom = start
        while searchFrom < bytes.count {
            guard let found = memchr(base + searchFrom, 0x22, bytes.count - searchFrom) else { break }
            let quote = UnsafeRawPointer(found) - base
            var backslashes = 0
            while quote - backslashes > start, bytes[quote - backslashes - 1] == 0x5C { backslashes += 1 }
            if backslashes % 2 == 0 {
                position = quote + 1
                let escaped = quote > start && memchr(base + start, 0x5C, quote - start) != nil
                return (start..<quote, escaped)
            }
            searchFrom = quote + 1
        }
        position = bytes.count
        throw error("unterminated string")
    }

    /// Reads `true`, `false` or `null` literally.
    mutating func literal(_ word: StaticString) throws(PushError) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input") }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] {
            throw error("invalid literal")
        }
        position += count
    }

    /// Skips one value of any kind and returns its byte range.
    @discardableResult
    mutating func skipValue(depth: Int = 0) throws(PushError) -> Range<Int> {
        guard depth < 1000 else { throw error("nesting too deep") }
        let kind = peekKind()
        let start = position
        switch kind {
        case .string: _ = try rawString()
        case .number:
            position += 1
            while position < bytes.count {
                switch bytes[position] {
                case 0x30...0x39, 0x2B, 0x2D, 0x2E, 0x45, 0x65: position += 1
                default: return start..<position
                }
            }
        case .bool: try literal(bytes[position] == 0x74 ? "true" : "false")
        case .null: try literal("null")
        case .array:
            position += 1
            if consumeIfEmpty(close: 0x5D) { break }
            repeat { try skipValue(depth: depth + 1) } while try nextElement(close: 0x5D)
        case .object:
            position += 1
            if consumeIfEmpty(close: 0x7D) { break }
            repeat {
                _ = try rawString()
                try expect(0x3A, "':'")
                try skipValue(depth: depth + 1)
            } while try nextElement(close: 0x7D)
        case .invalid:
            throw error(isAtEnd ? "unexpected end of input" : "invalid character")
        }
        return start..<position
    }

    /// Unescapes the string body `range` (JSON escapes, surrogate pairs) onto `output`.
    /// Lone or malformed surrogates fail like `jsonparser.ParseString`.
    func appendUnescaped(_ range: Range<Int>, to output: inout [UInt8]) throws(PushError) {
        var index = range.lowerBound
        var runStart = index
        while index < range.upperBound {
            guard bytes[index] == 0x5C else {
                index += 1
                continue
            }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            guard index + 1 < range.upperBound else { throw badEscape(index) }
            let code = bytes[index + 1]
            index += 2
            switch code {
            case 0x22, 0x5C, 0x2F: output.append(code)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x75:
                guard var scalar = hex4(at: index, limit: range.upperBound) else { throw badEscape(index - 2) }
                index += 4
                if scalar >= 0xD800, scalar < 0xE000 {
                    guard scalar < 0xDC00, index + 6 <= range.upperBound, bytes[index] == 0x5C, bytes[index + 1] == 0x75,
                          let low = hex4(at: index + 2, limit: range.upperBound), low >= 0xDC00
                    else { throw badEscape(index - 6) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                    index += 6
                }
                appendUTF8(scalar, to: &output)
            default:
                throw badEscape(index - 2)
            }
            runStart = index
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<range.upperBound]))
    }

    private func badEscape(_ offset: Int) -> PushError {
        .badRequest("invalid push request JSON at byte \(offset): invalid escape sequence in string")
    }

    private func hex4(at index: Int, limit: Int) -> UInt32? {
        guard index + 4 <= limit else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    private func appendUTF8(_ value: UInt32, to output: inout [UInt8]) {
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        UTF8.encode(scalar) { output.append($0) }
    }
}
