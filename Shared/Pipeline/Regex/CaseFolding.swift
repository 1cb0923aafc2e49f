/// Case-insensitive comparisons as Loki's literal filters do them (`containsLower` in `filter.go`): the line's
/// runes are lower-cased with Go's `unicode.ToLower` and compared to an already lower-cased needle.
enum CaseFolding {
    /// Lower-cases like Go's `bytes.ToLower` (per-rune simple mapping).
    static func lowercase(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(lower(scalar)) }
        return String(out)
    }

    /// Go's `unicode.ToLower` for one rune (simple mapping; multi-rune mappings leave the rune unchanged).
    @inline(__always)
    static func lower(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.value < 0x80 {
            if scalar.value >= 0x41 && scalar.value <= 0x5a { return Unicode.Scalar(scalar.value + 32)! }
            return scalar
        }
        let mapping = scalar.properties.lowercaseMapping.unicodeScalars
        if mapping.count == 1, let first = mapping.first { return first }
        return scalar
    }

    /// The smallest rune that folds to the same case orbit (Go's `minFoldRune`), approximated by the simple
    /// upper and lower mappings.
    static func minimumFold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        var best = scalar
        for mapping in [scalar.properties.uppercaseMapping, scalar.properties.lowercaseMapping] {
            let scalars = mapping.unicodeScalars
            if scalars.count == 1, let other = scalars.first, other.value < best.value { best = other }
        }
        return best
    }

    static func hasOtherCase(_ scalar: Unicode.Scalar) -> Bool {
        minimumFold(scalar) != scalar || lower(scalar) != scalar
    }

    /// True if `haystack` contains `needle` ignoring case; `needle` must already be lower-cased.
    static func containsLowercased(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        if needle.count == 0 { return true }
        if needle.count > haystack.count { return false }
        let first = needle[0]
        let last = haystack.count - needle.count
        var start = 0
        while start <= last {
            var byte = haystack[start]
            if byte >= 0x41 && byte <= 0x5a { byte += 32 }
            if byte == first {
                if matchesAt(haystack, start, needle) { return true }
            }
            start += 1
        }
        return false
    }

    private static func matchesAt(_ haystack: UnsafeRawBufferPointer, _ start: Int, _ needle: UnsafeRawBufferPointer)
        -> Bool
    {
        var line = start
        var pattern = 0
        while line < haystack.count, pattern < needle.count {
            let c = haystack[line]
            let s = needle[pattern]
            if c < 0x80 && s < 0x80 {
                let lowered = (c >= 0x41 && c <= 0x5a) ? c + 32 : c
                if lowered != s { return false }
                line += 1
                pattern += 1
                continue
            }
            guard let (lineScalar, lineWidth) = UTF8Decoding.decode(haystack, at: line) else {
                if c != s { return false }
                line += 1
                pattern += 1
                continue
            }
            guard let (needleScalar, needleWidth) = UTF8Decoding.decode(needle, at: pattern) else { return false }
            if lower(lineScalar) != needleScalar { return false }
            line += lineWidth
            pattern += needleWidth
        }
        return pattern == needle.count
    }
}

/// Minimal UTF-8 decoding with Go's rules for invalid input (each invalid byte is one `RuneError` of width 1).
enum UTF8Decoding {
    /// Decodes the rune at `index`; nil when the bytes there are not valid UTF-8.
    @inline(__always)
    static func decode(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (Unicode.Scalar, Int)? {
        let b0 = bytes[index]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let remaining = bytes.count - index
        func cont(_ offset: Int) -> UInt32? {
            let byte = bytes[index + offset]
            return byte & 0xc0 == 0x80 ? UInt32(byte & 0x3f) : nil
        }
        if b0 >= 0xc2 && b0 <= 0xdf, remaining >= 2, let c1 = cont(1) {
            return Unicode.Scalar((UInt32(b0 & 0x1f) << 6) | c1).map { ($0, 2) }
        }
        if b0 >= 0xe0 && b0 <= 0xef, remaining >= 3, let c1 = cont(1), let c2 = cont(2) {
            let value = (UInt32(b0 & 0x0f) << 12) | (c1 << 6) | c2
            if value < 0x800 || (value >= 0xd800 && value <= 0xdfff) { return nil }
            return Unicode.Scalar(value).map { ($0, 3) }
        }
        if b0 >= 0xf0 && b0 <= 0xf4, remaining >= 4, let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
            let value = (UInt32(b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            if value < 0x10000 || value > 0x10ffff { return nil }
            return Unicode.Scalar(value).map { ($0, 4) }
        }
        return nil
    }

    /// True if `bytes` contain invalid UTF-8 or U+FFFD — Loki then replaces those runes with spaces.
    static func needsRuneErrorRepair(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if Bytes.isASCII(bytes) { return false }
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            guard let (scalar, width) = decode(bytes, at: index) else { return true }
            if scalar.value == 0xfffd { return true }
            index += width
        }
        return false
    }

    /// Appends `bytes` to `arena`, replacing every invalid byte and every U+FFFD with a space (Loki's
    /// `removeInvalidUtf` applied through `strings.Map`).
    static func appendRepaired(_ bytes: UnsafeRawBufferPointer, to arena: ByteArena) {
        var index = 0
        var runStart = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            if let (scalar, width) = decode(bytes, at: index), scalar.value != 0xfffd {
                index += width
                continue
            }
            let width = decode(bytes, at: index)?.1 ?? 1
            arena.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
            arena.append(byte: 0x20)
            index += width
            runStart = index
        }
        arena.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<bytes.count]))
    }
}
