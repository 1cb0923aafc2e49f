import FjordModel

/// A growable byte buffer that the Loki response encoders write JSON into by hand: no Foundation, no `Codable`,
/// fields in exactly the order Loki writes them.
public struct JSONBuffer: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    public mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Appends ASCII text as it is (field names, punctuation, constants).
    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends bytes as they are.
    public mutating func append(raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends the UTF-8 of `text` as it is (already-formatted numbers).
    public mutating func append(unescaped text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends the decimal digits of `value`.
    public mutating func append(decimal value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(decimal: value.magnitude)
        } else {
            append(decimal: UInt64(value))
        }
    }

    /// Appends the decimal digits of `value`.
    public mutating func append(decimal value: UInt64) {
        var count = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            count += 1
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var rest = value
            var index = start + count - 1
            repeat {
                buffer[index] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
                index -= 1
            } while rest > 0
        }
    }

    /// Appends `text` as a quoted JSON string escaped in `style`.
    public mutating func append(string text: String, _ style: JSONStringStyle) {
        var text = text
        text.withUTF8 { appendQuoted($0, style) }
    }

    /// Appends raw bytes (possibly invalid UTF-8) as a quoted JSON string escaped in `style`.
    public mutating func append(string text: [UInt8], _ style: JSONStringStyle) {
        text.withUnsafeBufferPointer { appendQuoted($0, style) }
    }

    /// Appends `text` as a quoted JSON string; each U+FFFD becomes a space first (Loki does this to stream labels).
    mutating func append(labelString text: String, _ style: JSONStringStyle) {
        guard text.utf8.contains(0xEF), text.unicodeScalars.contains("\u{FFFD}") else {
            append(string: text, style)
            return
        }
        var replaced = ""
        replaced.unicodeScalars.append(contentsOf: text.unicodeScalars.map { $0 == "\u{FFFD}" ? " " : $0 })
        append(string: replaced, style)
    }

    /// Appends a JSON array of strings.
    mutating func append(stringArray values: [String], _ style: JSONStringStyle) {
        append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            append(string: value, style)
        }
        append(UInt8(ascii: "]"))
    }

    /// Appends `"name":` (an object key followed by a colon).
    mutating func append(key: String, _ style: JSONStringStyle) {
        append(string: key, style)
        append(UInt8(ascii: ":"))
    }

    /// Appends a JSON object of labels in their (sorted) order: `{"a":"1","b":"2"}`.
    mutating func append(labels: Labels, _ style: JSONStringStyle, replacingReplacementCharacter: Bool = false) {
        append(UInt8(ascii: "{"))
        for (index, pair) in labels.pairs.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            if replacingReplacementCharacter {
                append(labelString: pair.name, style)
                append(UInt8(ascii: ":"))
                append(labelString: pair.value, style)
            } else {
                append(key: pair.name, style)
                append(string: pair.value, style)
            }
        }
        append(UInt8(ascii: "}"))
    }

    private mutating func appendQuoted(_ input: UnsafeBufferPointer<UInt8>, _ style: JSONStringStyle) {
        JSONEscaper.appendQuoted(input, style, into: &bytes)
    }
}

/// How a string is escaped inside quotes. Loki writes JSON with three different libraries, and they escape
/// differently, so each encoder names the style of the Go code it mirrors.
public enum JSONStringStyle: Sendable, Hashable {
    /// jsoniter `WriteString` (`ConfigFastest`): escapes `"`, `\` and bytes below 0x20 (`\n`, `\r`, `\t`, else
    /// `\u00xx`); every other byte, including invalid UTF-8, is copied. Used for labels and warnings of log results.
    case plain
    /// jsoniter `WriteStringWithHTMLEscaped`: additionally `<` `>` `&` as `\u003c` `\u003e` `\u0026`, invalid UTF-8
    /// bytes as `\ufffd` and U+2028/U+2029 as `\u2028`/`\u2029`. Used for log lines.
    case htmlEscaped
    /// Go `encoding/json` (Go ≥ 1.22): like ``htmlEscaped`` but with the short forms `\b` and `\f`. Used for metric
    /// results re-encoded by the query frontend and for small Go-marshalled bodies.
    case goStandard
}
