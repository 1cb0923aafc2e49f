/// Breaks queries the way users, editors and attackers do: tokens deleted, duplicated, swapped or inserted,
/// characters deleted or replaced, truncation, random bytes (NUL, invalid UTF-8, control characters), and pathological
/// nesting or operation chains that hit the parser's limits.
struct QueryMutator {
    var random: FuzzRandom

    init(seed: UInt64) {
        random = FuzzRandom(state: seed)
    }

    /// Tokens worth inserting: keywords, operators, literals and brackets of the language.
    static let vocabulary: [String] = [
        "{", "}", "(", ")", "[", "]", ",", "|", "|=", "!=", "|~", "!~", "|>", "!>", "=", "=~", "==", ">", ">=", "<",
        "<=", "+", "-", "*", "/", "%", "^", "and", "or", "unless", "by", "without", "bool", "on", "ignoring",
        "group_left", "group_right", "offset", "unwrap", "json", "logfmt", "regexp", "pattern", "unpack",
        "line_format", "label_format", "drop", "keep", "decolorize", "ip", "sum", "rate", "count_over_time",
        "quantile_over_time", "topk", "sort", "vector", "label_replace", "duration", "bytes", "variants", "of",
        "--strict", "--keep-empty", "\"x\"", "`raw`", "\"\\q\"", "\"unterminated", "'c'", "1", "-1.5", "1e9", "0x",
        "5m", "[5m]", "[1h30m]", "[5minutes]", "1KB", "__error__", "app", "#", "\n", "\t", "{{.a}}", "..", "$", "@",
    ]

    /// Invalid or special byte sequences.
    static let badBytes: [[UInt8]] = [
        [0x00], [0xFF], [0xC0, 0x80], [0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xEF, 0xBB, 0xBF], [0x1B, 0x5B, 0x33, 0x31, 0x6D], [0x7F], [0x0D], [0xF0, 0x9F, 0x98],
    ]

    /// One mutant of `query`: one to three mutations.
    mutating func mutate(_ query: String) -> [UInt8] {
        var bytes = Array(query.utf8)
        for _ in 0...random.upTo(2) { bytes = mutateOnce(bytes) }
        return bytes
    }

    private mutating func mutateOnce(_ bytes: [UInt8]) -> [UInt8] {
        var tokens = Self.tokenize(bytes)
        switch random.upTo(11) {
        case 0 where !tokens.isEmpty:
            tokens.remove(at: random.upTo(tokens.count - 1))
        case 1 where !tokens.isEmpty:
            let index = random.upTo(tokens.count - 1)
            tokens.insert(tokens[index], at: index)
        case 2 where tokens.count > 1:
            tokens.swapAt(random.upTo(tokens.count - 1), random.upTo(tokens.count - 1))
        case 3:
            let token = Array(random.pick(Self.vocabulary).utf8)
            let spaced = random.chance(50) ? [0x20] + token + [0x20] : token
            tokens.insert(spaced, at: random.upTo(tokens.count))
        case 4 where !tokens.isEmpty:
            tokens[random.upTo(tokens.count - 1)] = Array(random.pick(Self.vocabulary).utf8)
        case 5 where !bytes.isEmpty:
            var copy = bytes
            copy.remove(at: random.upTo(bytes.count - 1))
            return copy
        case 6 where !bytes.isEmpty:
            var copy = bytes
            copy[random.upTo(bytes.count - 1)] = UInt8(random.upTo(127))
            return copy
        case 7:
            return Array(bytes.prefix(random.upTo(bytes.count)))
        case 8:
            var copy = bytes
            copy.insert(contentsOf: random.pick(Self.badBytes), at: random.upTo(bytes.count))
            return copy
        case 9:
            var copy = bytes
            let count = 1 + random.upTo(4)
            copy.insert(contentsOf: (0..<count).map { _ in UInt8(random.upTo(255)) }, at: random.upTo(bytes.count))
            return copy
        case 10 where !tokens.isEmpty:
            // Case change of one token (keywords are case-insensitive, label names are not).
            let index = random.upTo(tokens.count - 1)
            tokens[index] = tokens[index].map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        case 11 where tokens.count > 2:
            // Duplicate a whole span (doubles pipelines, operands, brackets).
            let start = random.upTo(tokens.count - 2)
            let end = min(tokens.count, start + 1 + random.upTo(6))
            tokens.insert(contentsOf: tokens[start..<end], at: end)
        default:
            return bytes + Array(random.pick(Self.vocabulary).utf8)
        }
        return tokens.flatMap { $0 }
    }

    /// Splits bytes into rough tokens: quoted strings, words (letters, digits, `_`, `.`), runs of operator characters,
    /// whitespace, and single other bytes. Joining the tokens gives the input back.
    static func tokenize(_ bytes: [UInt8]) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        var index = 0
        func isWord(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2E || byte >= 0x80
        }
        func isOperator(_ byte: UInt8) -> Bool { Array("|=!~<>+-*/%^".utf8).contains(byte) }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        while index < bytes.count {
            let start = index
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x60 {  // "…" with escapes, `…`
                index += 1
                while index < bytes.count, bytes[index] != byte {
                    if byte == 0x22, bytes[index] == 0x5C { index += 1 }
                    index += 1
                }
                index = min(index + 1, bytes.count)
            } else if isWord(byte) {
                while index < bytes.count, isWord(bytes[index]) { index += 1 }
            } else if isOperator(byte) {
                while index < bytes.count, isOperator(bytes[index]), index - start < 2 { index += 1 }
            } else if isSpace(byte) {
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            } else {
                index += 1
            }
            tokens.append(Array(bytes[start..<index]))
        }
        return tokens
    }

    /// Queries built to hit the parser's nesting and operation limits (and to stay just under them).
    mutating func pathological() -> String {
        let depth = random.pick([10, 255, 256, 257, 300, 2000])
        switch random.upTo(6) {
        case 0: return String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        case 1:
            return String(repeating: "sum(", count: depth) + "rate({a=\"b\"}[5m])" + String(repeating: ")", count: depth)
        case 2:
            let count = random.pick([999, 1000, 1001, 5000])
            return Array(repeating: "vector(1)", count: count + 1).joined(separator: " + ")
        case 3:
            let count = random.pick([999, 1000, 1001, 3000])
            return "{a=\"b\"} | " + Array(repeating: "x=\"1\"", count: count + 1).joined(separator: random.pick([" and ", " or ", ", "]))
        case 4:
            return "{a=\"b\"} | " + String(repeating: "(", count: depth) + "x=\"1\"" + String(repeating: ")", count: depth)
        case 5:
            return String(repeating: "-", count: depth) + "1"
        default:
            return "1" + String(repeating: " ^ 2", count: depth)
        }
    }
}
