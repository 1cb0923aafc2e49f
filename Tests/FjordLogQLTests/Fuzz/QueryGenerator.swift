import Foundation

/// Deterministic pseudo-random numbers (SplitMix64) so a failing fuzz input can be replayed from its seed.
struct FuzzRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }

    mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty list")
        return items[Int.random(in: 0..<items.count, using: &self)]
    }

    mutating func upTo(_ limit: Int) -> Int { Int.random(in: 0...limit, using: &self) }
}

/// Writes LogQL queries from a small model of the grammar (logql.md): selectors, every pipeline stage, range and
/// vector aggregations, `unwrap`, binary operations with matching, literals, `vector()`, `label_replace`, comments and
/// odd whitespace. Most queries it writes are valid; some break semantic rules on purpose (e.g. grouping where it is
/// not allowed), which the parser must reject with a parse error.
struct QueryGenerator {
    var random: FuzzRandom
    /// Remaining nesting budget for metric expressions.
    private var depth = 0

    init(seed: UInt64) {
        random = FuzzRandom(state: seed)
    }

    static let labelNames = ["app", "job", "level", "service", "container", "namespace", "env", "pod", "le", "x_1",
                             "__error__", "status", "latency_ms", "duration", "size", "addr", "msg", "method"]
    static let values = ["api", "db", "error", "a\\\"b", "é→✓", "x\\\\y", "tab\\there", "", "line\\nbreak", "日本",
                         "1.5", "<tag>", "a|b", " spaced "]
    static let regexes = [".+", "a|b", "(?i)err.*", "[0-9]{3}", "^$", "x+y?", "\\\\d+", "(foo|bar)baz", ".*"]
    static let durations = ["5m", "1h", "30s", "250ms", "1m30s", "2d", "1w", "90s", "10m", "1y"]
    static let numbers = ["0", "1", "2.5", "100", "1e3", "0.001", "42", "3.14159", "0x1F", "1_000"]
    static let bytesValues = ["1KB", "2MiB", "10B", "1.5GB", "100kb", "3TiB"]

    mutating func query() -> String {
        depth = 3
        let text = random.chance(35) ? logQuery() : metric()
        return decorate(text)
    }

    // MARK: Strings

    private mutating func quoted(_ body: String) -> String {
        // Backticks only when the raw text needs no escapes.
        if random.chance(15), !body.contains("\\"), !body.contains("`") { return "`" + body + "`" }
        return "\"" + body + "\""
    }

    private mutating func labelName() -> String { random.pick(Self.labelNames) }

    // MARK: Log queries

    private mutating func matcher(nonEmpty: Bool) -> String {
        let name = random.pick(Self.labelNames.filter { $0 != "__error__" })
        if nonEmpty {
            return random.chance(70) ? "\(name)=\(quoted(random.pick(Self.values.filter { !$0.isEmpty })))"
                : "\(name)=~\(quoted(random.pick(["a.+", ".+", "api|db", "x"])))"
        }
        switch random.upTo(3) {
        case 0: return "\(name)=\(quoted(random.pick(Self.values)))"
        case 1: return "\(name)!=\(quoted(random.pick(Self.values)))"
        case 2: return "\(name)=~\(quoted(random.pick(Self.regexes)))"
        default: return "\(name)!~\(quoted(random.pick(Self.regexes)))"
        }
    }

    private mutating func selector() -> String {
        var matchers = [matcher(nonEmpty: true)]
        for _ in 0..<random.upTo(2) { matchers.append(matcher(nonEmpty: false)) }
        matchers.shuffle(using: &random)
        return "{" + matchers.joined(separator: random.pick([", ", ",", " , "])) + "}"
    }

    private mutating func lineFilter() -> String {
        let op = random.pick(["|=", "!=", "|~", "!~", "|>", "!>"])
        func operand(_ generator: inout QueryGenerator) -> String {
            switch op {
            case "|~", "!~": return generator.quoted(generator.random.pick(Self.regexes))
            case "|>", "!>": return generator.quoted(generator.random.pick(["<_> error <_>", "<_>foo", "a<_>b", "<_>"]))
            default:
                if generator.random.chance(10) {
                    return "ip(" + generator.quoted(generator.random.pick(["10.0.0.0/8", "::1", "192.168.0.1-192.168.0.9",
                                                                           "1.2.3.4"])) + ")"
                }
                return generator.quoted(generator.random.pick(Self.values))
            }
        }
        var text = op + " " + operand(&self)
        for _ in 0..<(random.chance(20) ? random.upTo(2) : 0) { text += " or " + operand(&self) }
        return text
    }

    private mutating func extractions() -> String {
        var items: [String] = []
        for _ in 0..<random.upTo(3) {
            let name = random.pick(["a", "b", "lvl", "code", "x_y"])
            items.append(random.chance(50) ? name
                : name + "=" + quoted(random.pick(["a.b", "a[0]", "level", "request.id", "x", "a[\\\"key\\\"]"])))
        }
        return items.joined(separator: random.pick([",", ", "]))
    }

    private mutating func labelFilterAtom() -> String {
        let name = labelName()
        switch random.upTo(5) {
        case 0: return "\(name)\(random.pick(["=", "!=", "=~", "!~"]))\(quoted(random.pick(Self.values)))"
        case 1: return "\(name) \(random.pick(["==", "!=", ">", ">=", "<", "<="])) \(random.pick(Self.numbers))"
        case 2: return "\(name) \(random.pick([">", ">=", "<", "<=", "==", "!="])) \(random.pick(Self.durations))"
        case 3: return "\(name) \(random.pick([">", "<=", "=="])) \(random.pick(Self.bytesValues))"
        case 4: return "\(name) \(random.pick(["=", "!="])) ip(\(quoted(random.pick(["1.2.3.4", "10.0.0.0/8", "::1"]))))"
        default: return "__error__=\"\""
        }
    }

    private mutating func labelFilter(depth: Int = 2) -> String {
        if depth == 0 || random.chance(55) { return labelFilterAtom() }
        let lhs = labelFilter(depth: depth - 1)
        let rhs = labelFilter(depth: depth - 1)
        let joined = lhs + random.pick([" and ", " or ", ", ", " "]) + rhs
        return random.chance(30) ? "(" + joined + ")" : joined
    }

    private mutating func stage() -> String {
        switch random.upTo(12) {
        case 0, 1: return lineFilter()
        case 2:
            let list = extractions()
            return "| json" + (list.isEmpty ? "" : " " + list)
        case 3:
            var text = "| logfmt"
            if random.chance(30) { text += " --strict" }
            if random.chance(30) { text += " --keep-empty" }
            let list = extractions()
            return text + (list.isEmpty ? "" : " " + list)
        case 4: return "| regexp " + quoted(random.pick(["(?P<a>\\\\w+) (?P<b>.*)", "(?P<code>[0-9]+)", "^(?P<x>.)"]))
        case 5: return "| pattern " + quoted(random.pick(["<a> <_> <b>", "<_> - <status>", "<ip>:<port>"]))
        case 6: return random.pick(["| unpack", "| decolorize"])
        case 7, 8: return "| " + labelFilter()
        case 9: return "| line_format " + quoted(random.pick(["{{.a}}", "{{ .msg | upper }}", "{{__line__}} x",
                                                            "{{ printf \\\"%s\\\" .b }}", "plain"]))
        case 10:
            var ops: [String] = []
            for _ in 0...random.upTo(2) {
                ops.append(random.chance(50) ? "\(labelName())=\(labelName())"
                    : "\(labelName())=\(quoted(random.pick(["{{.a}}", "x", "{{ .b | lower }}"])))")
            }
            return "| label_format " + ops.joined(separator: ", ")
        default:
            var items: [String] = []
            for _ in 0...random.upTo(2) {
                items.append(random.chance(60) ? labelName()
                    : "\(labelName())\(random.pick(["=", "!=", "=~", "!~"]))\(quoted(random.pick(Self.values)))")
            }
            return random.pick(["| drop ", "| keep "]) + items.joined(separator: ", ")
        }
    }

    private mutating func pipeline(maxStages: Int = 4) -> String {
        var stages: [String] = []
        for _ in 0..<random.upTo(maxStages) { stages.append(stage()) }
        return stages.map { " " + $0 }.joined()
    }

    private mutating func logQuery() -> String {
        selector() + pipeline()
    }

    // MARK: Metric queries

    private mutating func grouping() -> String {
        var labels: [String] = []
        for _ in 0..<random.upTo(3) { labels.append(labelName()) }
        return random.pick(["by", "without"]) + " (" + labels.joined(separator: ", ") + ")"
    }

    private mutating func rangeAggregation() -> String {
        let unwrapped = ["avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "stdvar_over_time",
                         "stddev_over_time", "quantile_over_time", "first_over_time", "last_over_time", "rate_counter"]
        let plain = ["count_over_time", "bytes_over_time", "bytes_rate", "absent_over_time", "rate"]
        let op = random.chance(50) ? random.pick(unwrapped) : random.pick(plain)
        let needsUnwrap = unwrapped.contains(op) || (op == "rate" && random.chance(30))
        var inner = selector()
        let range = "[" + random.pick(Self.durations) + "]"
        let offset = random.chance(20) ? " offset " + random.pick(Self.durations + ["-5m"]) : ""
        if !needsUnwrap && random.chance(25) {
            inner += range + offset + pipeline(maxStages: 2)
        } else {
            inner += pipeline(maxStages: 3)
            if needsUnwrap {
                let label = random.pick(["latency_ms", "duration", "size", "x"])
                inner += " | unwrap " + (random.chance(40)
                    ? random.pick(["duration", "duration_seconds", "bytes"]) + "(" + label + ")" : label)
                for _ in 0..<(random.chance(30) ? random.upTo(2) : 0) { inner += " | " + labelFilter(depth: 1) }
            }
            inner += " " + range + offset
        }
        let parameter = op == "quantile_over_time" ? random.pick(["0.99", "0.5", "1", "0"]) + ", " : ""
        let grouping = needsUnwrap && random.chance(25) ? " " + grouping() : ""
        return op + "(" + parameter + inner + ")" + grouping
    }

    private mutating func vectorAggregation() -> String {
        let op = random.pick(["sum", "avg", "count", "max", "min", "stddev", "stdvar", "topk", "bottomk", "sort",
                              "sort_desc"])
        let inner = metric()
        switch op {
        case "topk", "bottomk":
            let text = op + "(" + random.pick(["1", "5", "10"]) + ", " + inner + ")"
            return random.chance(20) ? text + " " + grouping() : text
        case "sort", "sort_desc":
            return op + "(" + inner + ")"
        default:
            switch random.upTo(2) {
            case 0: return op + "(" + inner + ")"
            case 1: return op + " " + grouping() + " (" + inner + ")"
            default: return op + "(" + inner + ") " + grouping()
            }
        }
    }

    private mutating func binary() -> String {
        let lhs = metric()
        let rhs = metric()
        let op = random.pick(["+", "-", "*", "/", "%", "^", "==", "!=", ">", ">=", "<", "<=", "and", "or", "unless"])
        var modifiers = ""
        if ["==", "!=", ">", ">=", "<", "<="].contains(op), random.chance(40) { modifiers += " bool" }
        if random.chance(20) {
            modifiers += " " + random.pick(["on", "ignoring"]) + " (" + labelName() + ")"
            if !["and", "or", "unless"].contains(op), random.chance(40) {
                modifiers += " " + random.pick(["group_left", "group_right"])
                    + (random.chance(50) ? " (" + labelName() + ")" : "")
            }
        }
        return lhs + " " + op + modifiers + " " + rhs
    }

    private mutating func metric() -> String {
        depth -= 1
        defer { depth += 1 }
        if depth <= 0 { return random.chance(80) ? rangeAggregation() : random.pick(Self.numbers) }
        switch random.upTo(9) {
        case 0, 1, 2: return rangeAggregation()
        case 3, 4: return vectorAggregation()
        case 5: return binary()
        case 6: return random.pick(["-", ""]) + random.pick(Self.numbers)
        case 7: return "vector(" + random.pick(Self.numbers) + ")"
        case 8:
            return "label_replace(" + metric() + ", " + quoted(labelName()) + ", " + quoted("$1") + ", "
                + quoted(labelName()) + ", " + quoted(random.pick(["(.*)", "a-(.+)", ""])) + ")"
        default: return "(" + metric() + ")"
        }
    }

    // MARK: Decoration

    /// Odd but valid spacing, comments and keyword case.
    private mutating func decorate(_ query: String) -> String {
        var text = query
        if random.chance(10) { text = text.replacingFirst(" ", with: random.pick(["\n", "\t", "  ", "\n  "])) }
        if random.chance(5) { text = "# leading comment\n" + text }
        if random.chance(5) { text += " # trailing comment" }
        if random.chance(5) { text = text.replacingFirst("sum", with: "SUM") }
        if random.chance(5) { text = text.replacingFirst("count_over_time", with: "Count_Over_Time") }
        return text
    }
}

extension String {
    /// This text with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
