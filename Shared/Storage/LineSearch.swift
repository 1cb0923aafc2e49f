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
}

/// What a block checks for `BlockContent.fullIfContaining(needles)` before decoding lines (see
/// `docs/storage-format.md`, "Literal line filters").
///
/// Per needle it knows a *core* (``LineTransform/searchableCore(_:)``), found verbatim in the rewritten bytes of
/// every line containing the needle, and *token conditions* (``LineTransform/tokenConditions(_:years:)``), packed
/// hex digits found in the tokens of every such line. A block none of whose tokens satisfy a condition is skipped
/// without decompressing its lines; otherwise only the lines that satisfy every check of every needle are decoded.
struct LineSearch {
    private struct Needle {
        var core: [UInt8]?
        var tokenConditions: [[[UInt8]]]
    }

    private let needles: [Needle]

    /// The checks for `needles` in a block whose entries fall in the years `years` (UTC; `nil` = any year).
    init(needles: [[UInt8]], years: ClosedRange<Int>?) {
        self.needles = needles.compactMap { needle in
            let checks = Needle(core: LineTransform.searchableCore(needle),
                                tokenConditions: LineTransform.tokenConditions(needle, years: years))
            return checks.core == nil && checks.tokenConditions.isEmpty ? nil : checks
        }
    }

    /// True when no needle gives any check (every line has to be decoded).
    var isEmpty: Bool { needles.isEmpty }

    /// True when the needles' token conditions use the tokens section.
    var usesTokens: Bool { needles.contains { !$0.tokenConditions.isEmpty } }

    /// False when some token condition is met nowhere in the block's tokens section (no line can match).
    func tokensMayMatch(_ tokens: UnsafeRawBufferPointer) -> Bool {
        needles.allSatisfy { needle in
            needle.tokenConditions.allSatisfy { alternatives in
                alternatives.contains { pattern in Self.find(pattern, in: tokens, from: 0) != nil }
            }
        }
    }

    /// False when some needle's core occurs nowhere in the block's rewritten lines (no line can match): checked
    /// before the lines are walked for their boundaries, which costs more than the search.
    func linesMayMatch(_ lines: UnsafeRawBufferPointer) -> Bool {
        needles.allSatisfy { needle in
            guard let core = needle.core else { return true }
            return Self.find(core, in: lines, from: 0) != nil
        }
    }

    /// The entries (ascending) whose lines meet every check; `spans` are the lines' starts in both streams
    /// (``LineDecoder/spans(lines:tokens:lineStarts:)``).
    func candidates(
        lines: UnsafeRawBufferPointer, tokens: UnsafeRawBufferPointer, spans: (input: [Int], tokens: [Int])
    ) -> [Int] {
        let count = spans.input.count - 1
        var keep = [Bool](repeating: true, count: count)
        for needle in needles {
            if let core = needle.core {
                var found = [Bool](repeating: false, count: count)
                Self.mark(core, in: lines, starts: spans.input, into: &found)
                for index in 0..<count where !found[index] { keep[index] = false }
            }
            for alternatives in needle.tokenConditions {
                var found = [Bool](repeating: false, count: count)
                for pattern in alternatives { Self.mark(pattern, in: tokens, starts: spans.tokens, into: &found) }
                for index in 0..<count where !found[index] { keep[index] = false }
            }
        }
        return keep.indices.filter { keep[$0] }
    }

    /// Sets `found[e]` for every entry `e` whose part `starts[e]..<starts[e+1]` of `haystack` contains `pattern`.
    private static func mark(
        _ pattern: [UInt8], in haystack: UnsafeRawBufferPointer, starts: [Int], into found: inout [Bool]
    ) {
        var from = 0
        var entry = 0
        while let hit = find(pattern, in: haystack, from: from) {
            while starts[entry + 1] <= hit { entry += 1 }
            if hit + pattern.count <= starts[entry + 1] {
                found[entry] = true
                from = starts[entry + 1]
            } else {
                from = hit + 1
            }
        }
    }

    /// Offset of the first occurrence of `pattern` in `haystack[from...]`.
    private static func find(_ pattern: [UInt8], in haystack: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard !pattern.isEmpty, let base = haystack.baseAddress, haystack.count - from >= pattern.count else { return nil }
        return pattern.withUnsafeBytes { needle -> Int? in
            guard let hit = fjord_memmem(base + from, haystack.count - from, needle.baseAddress, needle.count) else {
                return nil
            }
            return UnsafeRawPointer(hit) - base
        }
    }
}
