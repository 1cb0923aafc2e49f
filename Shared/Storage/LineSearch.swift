import CFjordBytes

extension LineTransform {
    /// Bytes a rewritten timestamp text can consist of: digits, `-`, `:`, `T` or space, `.` or `,` (see the type doc).
    private static func isTimestampByte(_ byte: UInt8) -> Bool {
        byteClass[Int(byte)] == classDigit || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
            || byte == UInt8(ascii: "T") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ",")
    }

    private static func isRewritable(_ byte: UInt8) -> Bool { byteClass[Int(byte)] != 0 || isTimestampByte(byte) }

    /// The part of `needle` that appears verbatim in a block's transformed lines section whenever some line of the
    /// block contains `needle`, or `nil` when no such part can be derived safely.
    ///
    /// The transform rewrites only (a) runs of ≥ 16 hex digits and (b) the entry's own timestamp text, which starts
    /// and ends with a digit and holds only digits, `-`, `:`, `T`/space and `.`/`,`. The core is the needle without
    /// its leading and trailing hex digits. It is safe when no rewritten region can start, end or lie inside it:
    /// - it contains a byte no region can hold, no run of 16 hex digits and fewer than 14 digits (a timestamp has
    ///   at least 14), and no `0xFF`;
    /// - its first byte is not a region byte, or is followed by a byte no region can hold (and symmetrically at the
    ///   end) — a region can then neither run into the core nor out of it.
    static func searchableCore(_ needle: [UInt8]) -> [UInt8]? {
        var start = 0
        var end = needle.count
        while start < end, byteClass[Int(needle[start])] != 0 { start += 1 }
        while end > start, byteClass[Int(needle[end - 1])] != 0 { end -= 1 }
        guard end > start else { return nil }
        let core = Array(needle[start..<end])
        var hexRun = 0
        var digits = 0
        var hasPlainByte = false
        for byte in core {
            if byte == escape { return nil }
            if byteClass[Int(byte)] != 0 {
                hexRun += 1
                if hexRun >= minimumHexRun { return nil }
            } else {
                hexRun = 0
            }
            if byteClass[Int(byte)] == classDigit { digits += 1 }
            if !isRewritable(byte) { hasPlainByte = true }
        }
        guard digits < 14, hasPlainByte else { return nil }
        if let first = core.first, isRewritable(first), core.count < 2 || isRewritable(core[1]) { return nil }
        if let last = core.last, isRewritable(last), core.count < 2 || isRewritable(core[core.count - 2]) { return nil }
        return core
    }

    /// False only when some needle provably occurs in no line of a block whose transformed lines are `lines`.
    static func mayContainAll(_ needles: [[UInt8]], transformedLines lines: ArraySlice<UInt8>) -> Bool {
        for needle in needles {
            guard let core = searchableCore(needle) else { continue }
            let found = lines.withUnsafeBytes { haystack in
                core.withUnsafeBytes { pattern in
                    fjord_memmem(haystack.baseAddress, haystack.count, pattern.baseAddress, pattern.count) != nil
                }
            }
            if !found { return false }
        }
        return true
    }
}
