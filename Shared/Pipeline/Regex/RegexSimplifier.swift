// Loki rewrites simple regexes of line filters and label filters into literal filters
// (`pkg/logql/log/filter.go`, `RegexSimplifier`) after Go's `regexp/syntax` parser has factored alternations.
// For line filters this is only an optimisation, but for label filters it changes the answer: `name=~"al.*"`
// becomes a *substring* test (grafana/loki#23892), and `level=~"warn|warning"` (factored by Go into
// `warn(?:|ing)`) does too. To give Loki's answers, this file reproduces both steps for the shapes involved:
// literals, `.*`, `.+`, groups and alternations. Anything else is left to RE2 with normal semantics.

/// A filter a simple regex was reduced to.
indirect enum SimplifiedRegex: Sendable {
    /// Always matches (`.*`, empty regex).
    case always
    /// Matches a non-empty value (`.+`, Loki's `ExistsFilter`).
    case nonEmpty
    /// Substring test; `caseInsensitive` compares lower-cased (the needle is already lower-case then).
    case contains([UInt8], caseInsensitive: Bool)
    /// Whole-value test.
    case equal([UInt8], caseInsensitive: Bool)
    case or(SimplifiedRegex, SimplifiedRegex)

    /// Applies the filter to `bytes`.
    func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .always: return true
        case .nonEmpty: return bytes.count > 0
        case .contains(let needle, let folded):
            return needle.withUnsafeBytes { n in
                folded ? CaseFolding.containsLowercased(bytes, n) : Bytes.contains(bytes, n)
            }
        case .equal(let needle, let folded):
            guard needle.count == bytes.count else { return false }
            return needle.withUnsafeBytes { n in
                folded ? CaseFolding.containsLowercased(bytes, n) : Bytes.equal(bytes, n)
            }
        case .or(let left, let right):
            return left.matches(bytes) || right.matches(bytes)
        }
    }

    /// The literal alternatives when the filter is an `or` of case-sensitive substring tests.
    var plainNeedles: [[UInt8]]? {
        switch self {
        case .contains(let needle, false): return [needle]
        case .or(let left, let right):
            guard let l = left.plainNeedles, let r = right.plainNeedles else { return nil }
            return l + r
        default: return nil
        }
    }
}

enum RegexSimplifier {
    /// Loki's simplification of `pattern`; `isLabel` selects label-filter semantics (literal = whole value).
    /// Returns nil when Loki would keep a regex.
    static func simplify(_ pattern: String, isLabel: Bool) -> SimplifiedRegex? {
        var parser = MiniRegexParser(pattern)
        guard let tree = parser.parse() else { return nil }
        return lokiSimplify(tree, isLabel: isLabel)
    }

    // MARK: Loki's simplifier over the Go-shaped tree

    private static func lokiSimplify(_ node: GoRegexNode, isLabel: Bool) -> SimplifiedRegex? {
        switch node {
        case .alternate(let subs):
            guard var result = lokiSimplify(subs[0].withoutCapture, isLabel: isLabel) else { return nil }
            for sub in subs.dropFirst() {
                guard let next = lokiSimplify(sub.withoutCapture, isLabel: isLabel) else { return nil }
                result = .or(result, next)
            }
            return result
        case .concat(let subs):
            return simplifyConcat(subs, base: nil, baseFolded: false)
        case .capture(let inner):
            return lokiSimplify(inner, isLabel: isLabel)
        case .literal(let runes, let folded):
            let bytes = encode(runes, folded: folded)
            return isLabel ? .equal(bytes, caseInsensitive: folded) : .contains(bytes, caseInsensitive: folded)
        case .anyStar, .empty:
            return .always
        case .anyPlus:
            return .nonEmpty
        }
    }

    private static func simplifyConcat(_ subs: [GoRegexNode], base: [Unicode.Scalar]?, baseFolded: Bool)
        -> SimplifiedRegex?
    {
        let subs = subs.map(\.withoutCapture).filter { if case .empty = $0 { return false } else { return true } }
        if subs.count > 3 { return nil }
        var current: SimplifiedRegex?
        var literal = base
        var literalFolded = baseFolded
        var literals = 0
        for sub in subs {
            switch sub {
            case .literal(let runes, let folded):
                if literals != 0 { return nil }
                literals += 1
                literal = (literal ?? []) + runes
                literalFolded = folded
            case .alternate(let alternatives) where literal != nil:
                guard let next = simplifyConcatAlternate(alternatives, literal: literal!, folded: literalFolded,
                                                         current: current) else { return nil }
                current = next
            case .anyStar:
                continue
            default:
                return nil
            }
        }
        if let current { return current }
        if let literal { return .contains(encode(literal, folded: literalFolded), caseInsensitive: literalFolded) }
        return nil
    }

    private static func simplifyConcatAlternate(_ alternatives: [GoRegexNode], literal: [Unicode.Scalar],
                                                folded: Bool, current: SimplifiedRegex?) -> SimplifiedRegex?
    {
        var current = current
        func chain(_ next: SimplifiedRegex) {
            current = current.map { .or($0, next) } ?? next
        }
        for alternative in alternatives {
            if !folded && alternative.isFolded { return nil }
            switch alternative {
            case .empty:
                chain(.contains(encode(literal, folded: folded), caseInsensitive: folded))
            case .literal(let runes, _):
                chain(.contains(encode(literal + runes, folded: folded), caseInsensitive: folded))
            case .concat(let subs):
                guard let next = simplifyConcat(subs, base: literal, baseFolded: folded) else { return nil }
                chain(next)
            case .anyStar:
                chain(.contains(encode(literal, folded: folded), caseInsensitive: folded))
            default:
                return nil
            }
        }
        return current
    }

    private static func encode(_ runes: [Unicode.Scalar], folded: Bool) -> [UInt8] {
        var text = String(String.UnicodeScalarView(runes))
        if folded { text = CaseFolding.lowercase(text) }
        return Array(text.utf8)
    }
}

/// The subset of Go's `regexp/syntax` tree that Loki's simplifier looks at.
indirect enum GoRegexNode {
    case literal([Unicode.Scalar], folded: Bool)
    case empty
    case anyStar
    case anyPlus
    case capture(GoRegexNode)
    case concat([GoRegexNode])
    case alternate([GoRegexNode])

    var withoutCapture: GoRegexNode {
        if case .capture(let inner) = self { return inner.withoutCapture }
        return self
    }

    var isFolded: Bool {
        switch self {
        case .literal(_, let folded): return folded
        default: return false
        }
    }
}

/// Parses the regex subset Loki's simplifier can reduce into Go's tree shape (literal merging, alternation
/// factoring by common prefix, single-character alternatives turning into character classes). Returns nil for
/// anything outside the subset — those regexes are never simplified by Loki either.
struct MiniRegexParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var folded = false

    init(_ pattern: String) { scalars = Array(pattern.unicodeScalars) }

    mutating func parse() -> GoRegexNode? {
        if scalars.starts(with: Array("(?i)".unicodeScalars)) {
            folded = true
            position = 4
        }
        guard let node = parseAlternation(), position == scalars.count else { return nil }
        return node
    }

    private mutating func parseAlternation() -> GoRegexNode? {
        var alternatives: [GoRegexNode] = []
        while true {
            guard let concat = parseConcat() else { return nil }
            alternatives.append(concat)
            if position < scalars.count, scalars[position] == "|" {
                position += 1
                continue
            }
            break
        }
        if alternatives.count == 1 { return alternatives[0] }
        // Go hoists nested alternations before factoring.
        var flat: [GoRegexNode] = []
        for alternative in alternatives {
            if case .alternate(let subs) = alternative { flat += subs } else { flat.append(alternative) }
        }
        return GoFactoring.collapseAlternate(flat)
    }

    private mutating func parseConcat() -> GoRegexNode? {
        var items: [GoRegexNode] = []
        func push(_ node: GoRegexNode) {
            if case .literal(let runes, let f) = node, let last = items.last, case .literal(let previous, let g) = last,
               f == g
            {
                items[items.count - 1] = .literal(previous + runes, folded: f)
                return
            }
            if case .concat(let subs) = node {
                for sub in subs { push(sub) }
                return
            }
            items.append(node)
        }
        while position < scalars.count {
            let scalar = scalars[position]
            switch scalar {
            case "|", ")":
                return finish(items)
            case "(":
                position += 1
                var capturing = true
                if position < scalars.count, scalars[position] == "?" {
                    if position + 1 < scalars.count, scalars[position + 1] == ":" {
                        capturing = false
                        position += 2
                    } else if position + 2 < scalars.count, scalars[position + 1] == "P", scalars[position + 2] == "<" {
                        guard let close = scalars[position...].firstIndex(of: ">") else { return nil }
                        position = close + 1
                    } else {
                        return nil
                    }
                }
                guard let inner = parseAlternation(), position < scalars.count, scalars[position] == ")" else { return nil }
                position += 1
                if isQuantifier(at: position) { return nil }
                push(capturing ? .capture(inner) : inner)
            case ".":
                position += 1
                guard position < scalars.count else { return nil }
                if scalars[position] == "*" {
                    position += 1
                    if position < scalars.count, scalars[position] == "?" { position += 1 }
                    push(.anyStar)
                } else if scalars[position] == "+" {
                    position += 1
                    if position < scalars.count, scalars[position] == "?" { position += 1 }
                    push(.anyPlus)
                } else {
                    return nil
                }
                if isQuantifier(at: position) { return nil }
            case "\\":
                guard position + 1 < scalars.count else { return nil }
                let escaped = scalars[position + 1]
                guard escaped.isASCII, isPunctuation(escaped) else { return nil }
                position += 2
                if isQuantifier(at: position) { return nil }
                push(literal(escaped))
            case "[":
                // A one-character class such as `[.]` is a literal in Go's tree.
                guard let (character, end) = singleCharacterClass(at: position) else { return nil }
                position = end
                if isQuantifier(at: position) { return nil }
                // Go stores a single-rune class as a case-sensitive literal.
                push(.literal([character], folded: false))
            case "*", "+", "?", "{", "^", "$":
                return nil
            default:
                position += 1
                if isQuantifier(at: position) { return nil }
                push(literal(scalar))
            }
        }
        return finish(items)
    }

    private func finish(_ items: [GoRegexNode]) -> GoRegexNode {
        if items.isEmpty { return .empty }
        if items.count == 1 { return items[0] }
        return .concat(items)
    }

    private func literal(_ scalar: Unicode.Scalar) -> GoRegexNode {
        guard folded else { return .literal([scalar], folded: false) }
        // Go marks every literal parsed under (?i) as case-folded, with the smallest rune of its fold orbit.
        return .literal([CaseFolding.minimumFold(scalar)], folded: true)
    }

    private func isQuantifier(at index: Int) -> Bool {
        guard index < scalars.count else { return false }
        let scalar = scalars[index]
        return scalar == "*" || scalar == "+" || scalar == "?" || scalar == "{"
    }

    private func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return (value >= 0x21 && value <= 0x2f) || (value >= 0x3a && value <= 0x40) || (value >= 0x5b && value <= 0x60)
            || (value >= 0x7b && value <= 0x7e)
    }

    private func singleCharacterClass(at index: Int) -> (Unicode.Scalar, Int)? {
        var cursor = index + 1
        guard cursor < scalars.count, scalars[cursor] != "^", scalars[cursor] != "]" else { return nil }
        var character = scalars[cursor]
        if character == "\\" {
            guard cursor + 1 < scalars.count, scalars[cursor + 1].isASCII, isPunctuation(scalars[cursor + 1]) else {
                return nil
            }
            character = scalars[cursor + 1]
            cursor += 2
        } else {
            cursor += 1
        }
        guard cursor < scalars.count, scalars[cursor] == "]" else { return nil }
        if folded, CaseFolding.hasOtherCase(character) { return nil }
        return (character, cursor + 1)
    }
}

/// Go's alternation factoring (`regexp/syntax` `parser.factor`), restricted to the node kinds above.
enum GoFactoring {
    static func collapseAlternate(_ subs: [GoRegexNode]) -> GoRegexNode? {
        guard let factored = factor(subs) else { return nil }
        return factored.count == 1 ? factored[0] : .alternate(factored)
    }

    private static func leadingString(_ node: GoRegexNode) -> ([Unicode.Scalar], Bool)? {
        var node = node
        if case .concat(let subs) = node, let first = subs.first { node = first }
        if case .literal(let runes, let folded) = node { return (runes, folded) }
        return nil
    }

    private static func removeLeadingString(_ node: GoRegexNode, _ count: Int) -> GoRegexNode {
        switch node {
        case .concat(var subs):
            let first = removeLeadingString(subs[0], count)
            if case .empty = first {
                subs.removeFirst()
                if subs.isEmpty { return .empty }
                if subs.count == 1 { return subs[0] }
                return .concat(subs)
            }
            subs[0] = first
            return .concat(subs)
        case .literal(let runes, let folded):
            let rest = Array(runes.dropFirst(count))
            return rest.isEmpty ? .empty : .literal(rest, folded: folded)
        default:
            return node
        }
    }

    /// Returns nil when factoring produces a character class (which Loki cannot simplify).
    private static func factor(_ subs: [GoRegexNode]) -> [GoRegexNode]? {
        if subs.count < 2 { return subs }
        // Round 1: common literal prefixes of adjacent alternatives.
        var out: [GoRegexNode] = []
        var start = 0
        var prefix: [Unicode.Scalar] = []
        var prefixFolded = false
        var index = 0
        while index <= subs.count {
            var next: ([Unicode.Scalar], Bool)?
            if index < subs.count {
                next = leadingString(subs[index])
                if let (runes, folded) = next, folded == prefixFolded {
                    var same = 0
                    while same < prefix.count, same < runes.count, prefix[same] == runes[same] { same += 1 }
                    if same > 0 {
                        prefix = Array(prefix[..<same])
                        index += 1
                        continue
                    }
                }
            }
            if index - start == 1 {
                out.append(subs[start])
            } else if index - start > 1 {
                let suffixes = subs[start..<index].map { removeLeadingString($0, prefix.count) }
                guard let suffix = collapseAlternate(Array(suffixes)) else { return nil }
                out.append(.concat([.literal(prefix, folded: prefixFolded)] + flattenConcat(suffix)))
            }
            start = index
            prefix = next?.0 ?? []
            prefixFolded = next?.1 ?? false
            index += 1
        }
        // Round 3: adjacent single characters become a character class.
        for position in out.indices.dropLast() where isSingleCharacter(out[position]) && isSingleCharacter(out[position + 1]) {
            return nil
        }
        // Round 4: collapse runs of empty matches.
        var result: [GoRegexNode] = []
        for node in out {
            if case .empty = node, let last = result.last, case .empty = last { continue }
            result.append(node)
        }
        return result
    }

    private static func flattenConcat(_ node: GoRegexNode) -> [GoRegexNode] {
        if case .concat(let subs) = node { return subs }
        return [node]
    }

    private static func isSingleCharacter(_ node: GoRegexNode) -> Bool {
        if case .literal(let runes, _) = node { return runes.count == 1 }
        return false
    }
}
