/// The byte loops behind ``JSONStringStyle``. Escaping Go's way (jsoniter and `encoding/json`: lower-case hex,
/// `\ufffd` for each invalid UTF-8 byte in the HTML styles) in two passes: the first computes the exact output
/// length, the second writes into space reserved once. A string that needs no escapes is copied in one go.
enum JSONEscaper {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Output length of each byte in each style; 0 marks a non-ASCII byte that needs UTF-8 inspection.
    private static let plainLengths: [UInt8] = (0..<256).map { lengthOf(UInt8($0), html: false, short: false) }
    private static let htmlLengths: [UInt8] = (0..<256).map { lengthOf(UInt8($0), html: true, short: false) }
    private static let goLengths: [UInt8] = (0..<256).map { lengthOf(UInt8($0), html: true, short: true) }

    private static func lengthOf(_ byte: UInt8, html: Bool, short: Bool) -> UInt8 {
        switch byte {
        case 0x22, 0x5C, 0x0A, 0x0D, 0x09: return 2
        case 0x08, 0x0C: return short ? 2 : 6
        case 0x00..<0x20: return 6
        case 0x3C, 0x3E, 0x26: return html ? 6 : 1
        case 0x80...: return html ? 0 : 1
        default: return 1
        }
    }

    /// Appends `input` escaped in `style`, surrounded by double quotes.
    static func appendQuoted(_ input: UnsafeBufferPointer<UInt8>, _ style: JSONStringStyle, into out: inout [UInt8]) {
        let table: [UInt8]
        switch style {
        case .plain: table = plainLengths
        case .htmlEscaped: table = htmlLengths
        case .goStandard: table = goLengths
        }
        table.withUnsafeBufferPointer { lengths in
            let escapedCount = escapedLength(input, lengths)
            out.append(0x22)
            if escapedCount == input.count {
                out.append(contentsOf: input)
            } else {
                let start = out.count
                out.append(contentsOf: repeatElement(0, count: escapedCount))
                out.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    write(input, lengths, to: base + start)
                }
            }
            out.append(0x22)
        }
    }

    private static func escapedLength(_ input: UnsafeBufferPointer<UInt8>, _ lengths: UnsafeBufferPointer<UInt8>) -> Int {
        var total = 0
        var index = 0
        let count = input.count
        while index < count {
            let length = lengths[Int(input[index])]
            if length != 0 {
                total += Int(length)
                index += 1
                continue
            }
            let sequence = UTF8Validation.sequenceLength(input, at: index)
            if sequence == 0 {
                total += 6
                index += 1
            } else {
                total += isLineSeparator(input, at: index, length: sequence) ? 6 : sequence
                index += sequence
            }
        }
        return total
    }

    private static func write(
        _ input: UnsafeBufferPointer<UInt8>, _ lengths: UnsafeBufferPointer<UInt8>,
        to destination: UnsafeMutablePointer<UInt8>
    ) {
        var out = destination
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            let length = lengths[Int(byte)]
            if length == 1 {
                out.pointee = byte
                out += 1
                index += 1
                continue
            }
            if length == 0 {
                let sequence = UTF8Validation.sequenceLength(input, at: index)
                if sequence == 0 {
                    out = unicodeEscape(0xFFFD, at: out)
                    index += 1
                } else if isLineSeparator(input, at: index, length: sequence) {
                    out = unicodeEscape(input[index + 2] == 0xA8 ? 0x2028 : 0x2029, at: out)
                    index += 3
                } else {
                    for offset in 0..<sequence { out[offset] = input[index + offset] }
                    out += sequence
                    index += sequence
                }
                continue
            }
            if length == 2 {
                out[0] = 0x5C
                switch byte {
                case 0x0A: out[1] = UInt8(ascii: "n")
                case 0x0D: out[1] = UInt8(ascii: "r")
                case 0x09: out[1] = UInt8(ascii: "t")
                case 0x08: out[1] = UInt8(ascii: "b")
                case 0x0C: out[1] = UInt8(ascii: "f")
                default: out[1] = byte  // `"` and `\`
                }
                out += 2
            } else {
                out = unicodeEscape(UInt16(byte), at: out)
            }
            index += 1
        }
    }

    /// U+2028 (E2 80 A8) and U+2029 (E2 80 A9) are valid JSON but not valid JavaScript, so the HTML styles escape
    /// them.
    @inline(__always)
    private static func isLineSeparator(_ input: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> Bool {
        length == 3 && input[index] == 0xE2 && input[index + 1] == 0x80
            && (input[index + 2] == 0xA8 || input[index + 2] == 0xA9)
    }

    private static func unicodeEscape(_ value: UInt16, at out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        hexDigits.withUnsafeBufferPointer { hex in
            out[0] = 0x5C
            out[1] = UInt8(ascii: "u")
            out[2] = hex[Int(value >> 12)]
            out[3] = hex[Int((value >> 8) & 0xF)]
            out[4] = hex[Int((value >> 4) & 0xF)]
            out[5] = hex[Int(value & 0xF)]
        }
        return out + 6
    }
}

/// UTF-8 validity with the rules of Go's `utf8.DecodeRune`: no overlong forms, no surrogates, nothing above
/// U+10FFFF; an invalid sequence counts as one bad byte.
enum UTF8Validation {
    /// The length (2…4) of the valid multi-byte sequence starting at `index`, or 0 if the byte there does not start
    /// one.
    @inline(__always)
    static func sequenceLength(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let first = input[index]
        let remaining = input.count - index
        @inline(__always) func continuation(_ offset: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            offset < remaining && input[index + offset] >= low && input[index + offset] <= high
        }
        switch first {
        case 0xC2...0xDF:
            return continuation(1) ? 2 : 0
        case 0xE0:
            return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(1) && continuation(2) ? 3 : 0
        case 0xED:
            return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0:
            return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4:
            return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default:
            return 0
        }
    }
}
