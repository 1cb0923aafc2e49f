/// Loki's pattern language (`pkg/logql/log/pattern`): literal text, named captures `<name>` and the unnamed
/// capture `<_>`. Used by the `| pattern` parser (``matches(_:)``) and the `|>` / `!>` line filters (``test(_:)``).
struct PatternMatcher: Sendable {
    enum Node: Sendable, Equatable {
        case literal([UInt8])
        /// `nil` for `<_>`.
        case capture(String?)
    }

    let nodes: [Node]
    /// Named captures in order.
    let names: [String]

    /// Tokenises `pattern` like Loki's lexer. Each byte outside a capture is a literal rune; Loki turns a byte
    /// ≥ 0x80 into the rune of that value, so non-ASCII literals are re-encoded (and never match UTF-8 text).
    init(tokenizing pattern: String) {
        let bytes = Array(pattern.utf8)
        var nodes: [Node] = []
        var literal: [UInt8] = []
        var index = 0
        func flush() {
            if !literal.isEmpty {
                nodes.append(.literal(literal))
                literal = []
            }
        }
        while index < bytes.count {
            if bytes[index] == 0x3c, let end = PatternMatcher.identifierEnd(bytes, from: index) {
                flush()
                let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                nodes.append(.capture(name == "_" ? nil : name))
                index = end + 1
                continue
            }
            let byte = bytes[index]
            if byte < 0x80 {
                literal.append(byte)
            } else {
                literal.append(0xc0 | (byte >> 6))
                literal.append(0x80 | (byte & 0x3f))
            }
            index += 1
        }
        flush()
        self.nodes = nodes
        names = nodes.compactMap { if case .capture(let name) = $0 { return name } else { return nil } }
    }

    /// `<` (letter | `_`) (letter | digit | `_`)* `>` starting at `start`: returns the index of `>`.
    private static func identifierEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        guard index < bytes.count else { return nil }
        let first = bytes[index]
        guard (first >= 0x61 && first <= 0x7a) || (first >= 0x41 && first <= 0x5a) || first == 0x5f else { return nil }
        index += 1
        while index < bytes.count, Bytes.isLabelNameByte(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == 0x3e else { return nil }
        return index
    }

    /// A matcher for `| pattern`: at least one named capture, no two adjacent captures, unique names.
    static func parser(_ pattern: String) throws(PipelineError) -> PatternMatcher {
        let matcher = PatternMatcher(tokenizing: pattern)
        if matcher.nodes.isEmpty {
            throw PipelineError(message: "syntax error: unexpected $end, expecting IDENTIFIER or LITERAL")
        }
        if matcher.names.isEmpty { throw PipelineError(message: "at least one capture is required") }
        try matcher.checkNoConsecutiveCaptures()
        var seen = Set<String>()
        for name in matcher.names where !seen.insert(name).inserted {
            throw PipelineError(message: "duplicate capture name (\(name)): invalid expression")
        }
        return matcher
    }

    /// A matcher for `|>` / `!>`: only `<_>` captures, none adjacent. An empty pattern matches only empty lines.
    static func lineFilter(_ pattern: String) throws(PipelineError) -> PatternMatcher {
        let matcher = PatternMatcher(tokenizing: pattern)
        try matcher.checkNoConsecutiveCaptures()
        if let name = matcher.names.first {
            throw PipelineError(message: "named captures are not allowed: found '\(name)'")
        }
        return matcher
    }

    private func checkNoConsecutiveCaptures() throws(PipelineError) {
        for (index, node) in nodes.enumerated().dropLast() {
            if case .capture(let first) = node, case .capture(let second) = nodes[index + 1] {
                throw PipelineError(
                    message: "found consecutive capture '\(first ?? "_")\(second ?? "_")': invalid expression")
            }
        }
    }

    /// Loki's `Matcher.Test`: literals must appear in order (the first one anywhere), every capture after the
    /// first node must take at least one byte, a trailing literal must end the line, a trailing capture must
    /// take something. An empty line matches only an empty pattern.
    func test(_ line: UnsafeRawBufferPointer) -> Bool {
        if line.count == 0 || nodes.isEmpty { return line.count == 0 && nodes.isEmpty }
        var offset = 0
        for (index, node) in nodes.enumerated() {
            guard case .literal(let literal) = node else { continue }
            let rest = UnsafeRawBufferPointer(rebasing: line[offset...])
            guard let found = literal.withUnsafeBytes({ Bytes.find($0, in: rest) }) else { return false }
            if index != 0 && found == 0 { return false }
            offset += found + literal.count
        }
        let endsWithCapture: Bool
        if case .capture = nodes[nodes.count - 1] { endsWithCapture = true } else { endsWithCapture = false }
        return endsWithCapture == (offset != line.count)
    }

    /// Loki's `Matcher.Matches`: the byte ranges of the named captures, in order; fewer than `names.count` when
    /// the line ends early (partial match), empty when a leading literal does not start the line.
    func matches(_ line: UnsafeRawBufferPointer, into captures: inout [Range<Int>]) {
        captures.removeAll(keepingCapacity: true)
        if line.count == 0 || nodes.isEmpty { return }
        var position = 0
        var remaining = nodes[...]
        if case .literal(let literal) = remaining.first! {
            guard line.count >= literal.count,
                  literal.withUnsafeBytes({ Bytes.equal(UnsafeRawBufferPointer(rebasing: line[0..<$0.count]), $0) })
            else { return }
            position = literal.count
            remaining = remaining.dropFirst()
        }
        if remaining.isEmpty { return }
        while let node = remaining.first {
            guard case .capture(let name) = node else { return }
            if remaining.count == 1 {
                if name != nil { captures.append(position..<line.count) }
                return
            }
            guard case .literal(let literal) = remaining[remaining.startIndex + 1] else { return }
            remaining = remaining.dropFirst(2)
            let rest = UnsafeRawBufferPointer(rebasing: line[position...])
            guard let found = literal.withUnsafeBytes({ Bytes.find($0, in: rest) }) else {
                if name != nil { captures.append(position..<line.count) }
                return
            }
            if name != nil { captures.append(position..<(position + found)) }
            position += found + literal.count
        }
    }
}
