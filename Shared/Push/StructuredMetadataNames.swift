import FjordModel

/// Structured-metadata sanitising as Loki's distributor does before storing an entry: names go through the
/// OpenTelemetry→Prometheus `LabelNamer` (every run of characters outside `[a-zA-Z0-9]` becomes one `_`,
/// `__reserved__` names keep their wrapper, a leading digit gets `key_`), and invalid UTF-8 or U+FFFD in values
/// becomes a space.
enum StructuredMetadataNames {
    /// The sanitised name, or the `LabelNamer` error text (`label name is empty`, `normalization for label name …`).
    static func normalize(_ name: UnsafeRawBufferPointer) -> Result<String, PushError> {
        if name.isEmpty { return .failure(.badRequest("label name is empty")) }
        if isAlreadyNormal(name) { return .success(String(decoding: name, as: UTF8.self)) }
        var output: [UInt8] = []
        output.reserveCapacity(name.count + 4)
        let reserved = name.count >= 4 && name[0] == 0x5F && name[1] == 0x5F
            && name[name.count - 1] == 0x5F && name[name.count - 2] == 0x5F
        if reserved {
            output.append(contentsOf: [0x5F, 0x5F])
            collapse(UnsafeRawBufferPointer(rebasing: name[2..<(name.count - 2)]), into: &output)
            output.append(contentsOf: [0x5F, 0x5F])
        } else {
            collapse(name, into: &output)
        }
        if let first = output.first, first >= 0x30, first <= 0x39 { output.insert(contentsOf: Array("key_".utf8), at: 0) }
        if output.allSatisfy({ $0 == 0x5F }) {
            let original = String(decoding: name, as: UTF8.self)
            let result = String(decoding: output, as: UTF8.self)
            return .failure(.badRequest("normalization for label name \(GoQuote.quote(original)) resulted in invalid name \(GoQuote.quote(result))"))
        }
        return .success(String(decoding: output, as: UTF8.self))
    }

    /// True when the name would come out unchanged (the common case, checked without allocating).
    private static func isAlreadyNormal(_ name: UnsafeRawBufferPointer) -> Bool {
        if name[0] >= 0x30, name[0] <= 0x39 { return false }
        var start = 0
        var end = name.count
        if name.count >= 4, name[0] == 0x5F, name[1] == 0x5F, name[end - 1] == 0x5F, name[end - 2] == 0x5F {
            start = 2
            end -= 2
        }
        var previousUnderscore = false
        var sawOther = false
        for index in start..<end {
            let byte = name[index]
            if byte == 0x5F {
                if previousUnderscore { return false }
                previousUnderscore = true
            } else if isAlphanumeric(byte) {
                previousUnderscore = false
                sawOther = true
            } else {
                return false
            }
        }
        return sawOther
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Copies ASCII letters and digits; every run of other bytes (a multi-byte character included) becomes one `_`.
    private static func collapse(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var previousUnderscore = false
        for byte in bytes {
            if isAlphanumeric(byte) {
                output.append(byte)
                previousUnderscore = false
            } else if !previousUnderscore {
                output.append(0x5F)
                previousUnderscore = true
            }
        }
    }

    /// The value as a `String`, with each invalid UTF-8 byte and each U+FFFD replaced by a space.
    static func sanitizeValue(_ value: UnsafeRawBufferPointer) -> String {
        var ascii = true
        for byte in value where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii { return String(decoding: value, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var index = 0
        while index < value.count {
            let length = validSequenceLength(value, at: index)
            if length == 0 {
                output.append(0x20)
                index += 1
            } else if length == 3, value[index] == 0xEF, value[index + 1] == 0xBF, value[index + 2] == 0xBD {
                output.append(0x20)
                index += 3
            } else {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[index..<(index + length)]))
                index += length
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Length of the valid UTF-8 sequence at `index`, 0 when the byte starts none.
    private static func validSequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int {
        let first = bytes[index]
        if first < 0x80 { return 1 }
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch first {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        let second = bytes[index + 1]
        guard second >= low, second <= high else { return 0 }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return 0 }
        return length
    }
}
