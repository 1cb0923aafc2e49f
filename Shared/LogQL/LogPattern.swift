/// A `| pattern "…"` expression parsed and validated as Loki's `pattern.New` does: `<name>` captures
/// (`<` letter-or-underscore, letters/digits/underscores, `>`), `<_>` skips, everything else literal text.
public struct LogPattern: Sendable, Hashable {
    /// One element of a pattern.
    public enum Node: Sendable, Hashable {
        /// `<name>`; `name` is `_` for the anonymous capture `<_>`.
        case capture(String)
        /// Literal bytes between captures (adjacent literal characters are merged).
        case literal([UInt8])
    }

    /// A pattern Loki would reject; `message` is Loki's text (without the `invalid pattern parser: ` prefix).
    public struct ParseError: Error, Hashable, Sendable {
        public var message: String
    }

    public let nodes: [Node]

    /// Parses and validates `expression`.
    public init(_ expression: String) throws(ParseError) {
        nodes = Self.parse(Array(expression.utf8))
        if nodes.isEmpty {
            throw ParseError(message:
                "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or LITERAL")
        }
        try Self.validate(nodes)
    }

    /// The names of the named captures, in order.
    public var captureNames: [String] {
        nodes.compactMap { node in
            if case .capture(let name) = node, name != "_" { return name }
            return nil
        }
    }

    private static func parse(_ bytes: [UInt8]) -> [Node] {
        var nodes: [Node] = []
        var literal: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if let (name, end) = capture(in: bytes, at: index) {
                if !literal.isEmpty {
                    nodes.append(.literal(literal))
                    literal = []
                }
                nodes.append(.capture(name))
                index = end
            } else {
                literal.append(bytes[index])
                index += 1
            }
        }
        if !literal.isEmpty { nodes.append(.literal(literal)) }
        return nodes
    }

    /// `<name>` at `index`: the name and the index after `>`.
    private static func capture(in bytes: [UInt8], at index: Int) -> (String, Int)? {
        guard bytes[index] == 0x3C, index + 1 < bytes.count, isNameStart(bytes[index + 1]) else { return nil }
        var end = index + 2
        while end < bytes.count, isNameStart(bytes[end]) || (bytes[end] >= 0x30 && bytes[end] <= 0x39) { end += 1 }
        guard end < bytes.count, bytes[end] == 0x3E else { return nil }
        return (String(decoding: bytes[(index + 1)..<end], as: UTF8.self), end + 1)
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        byte == 0x5F || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func validate(_ nodes: [Node]) throws(ParseError) {
        let names = nodes.compactMap { node -> String? in
            if case .capture(let name) = node, name != "_" { return name }
            return nil
        }
        if names.isEmpty { throw ParseError(message: "at least one capture is required") }
        for (first, second) in zip(nodes, nodes.dropFirst()) {
            if case .capture(let a) = first, case .capture(let b) = second {
                throw ParseError(message: "found consecutive capture '<\(a)><\(b)>': invalid expression")
            }
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw ParseError(message: "duplicate capture name (\(name)): invalid expression")
        }
    }
}
