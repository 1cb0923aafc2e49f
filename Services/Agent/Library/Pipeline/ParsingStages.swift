import FjordRegex

/// `json`: parses the line (or an extracted value) and extracts values by JMESPath-subset expressions.
final class JSONStage: AgentStage {
    let expressions: [(name: String, path: JSONPath)]
    let source: String?
    let dropMalformed: Bool

    init(expressions: [(name: String, path: JSONPath)], source: String?, dropMalformed: Bool) {
        self.expressions = expressions
        self.source = source
        self.dropMalformed = dropMalformed
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        let input: String
        if let source {
            guard let value = entry.extracted[source] else { return next(entry) }
            input = value
        } else {
            input = entry.line
        }
        guard let root = try? JSONParser.parse(input), root.objectMembers != nil else {
            if dropMalformed { return context.drop(entry, reason: "malformed_json") }
            return next(entry)
        }
        for (name, path) in expressions {
            if let value = path.evaluate(root), value != .null { entry.extracted[name] = value.text }
        }
        next(entry)
    }
}

/// `logfmt`: extracts `key=value` pairs by the mapping.
final class LogfmtStage: AgentStage {
    let mapping: [(name: String, key: String)]
    let source: String?

    init(mapping: [(name: String, key: String)], source: String?) {
        self.mapping = mapping
        self.source = source
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        let input = source.map { entry.extracted[$0] } ?? entry.line
        guard let input else { return next(entry) }
        let pairs = Logfmt.parse(input)
        for (name, key) in mapping {
            if let value = pairs.last(where: { $0.0 == key })?.1 { entry.extracted[name] = value }
        }
        next(entry)
    }
}

/// go-logfmt's decoding: `key=value`, `key="quoted \" value"`, a bare `key` has an empty value.
enum Logfmt {
    static func parse(_ text: String) -> [(String, String)] {
        var out: [(String, String)] = []
        let chars = Array(text.unicodeScalars)
        var index = 0
        while index < chars.count {
            while index < chars.count, chars[index] == " " || chars[index] == "\t" { index += 1 }
            var key = ""
            while index < chars.count, chars[index] != "=", chars[index] != " ", chars[index] != "\t" {
                key.unicodeScalars.append(chars[index])
                index += 1
            }
            var value = ""
            if index < chars.count, chars[index] == "=" {
                index += 1
                if index < chars.count, chars[index] == "\"" {
                    index += 1
                    while index < chars.count, chars[index] != "\"" {
                        if chars[index] == "\\", index + 1 < chars.count {
                            index += 1
                            switch chars[index] {
                            case "n": value += "\n"
                            case "t": value += "\t"
                            case "r": value += "\r"
                            default: value.unicodeScalars.append(chars[index])
                            }
                        } else {
                            value.unicodeScalars.append(chars[index])
                        }
                        index += 1
                    }
                    index += 1
                } else {
                    while index < chars.count, chars[index] != " ", chars[index] != "\t" {
                        value.unicodeScalars.append(chars[index])
                        index += 1
                    }
                }
            }
            if !key.isEmpty { out.append((key, value)) }
        }
        return out
    }
}

/// `regex`: named capture groups become extracted values.
final class RegexStage: AgentStage {
    let regex: RE2Regex
    let source: String?

    init(regex: RE2Regex, source: String?) {
        self.regex = regex
        self.source = source
    }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        let input = source.map { entry.extracted[$0] } ?? entry.line
        guard let input, let ranges = regex.firstMatch(in: input) else { return next(entry) }
        let utf8 = Array(input.utf8)
        for (index, name) in regex.groupNames.enumerated() {
            guard let name, index < ranges.count else { continue }
            entry.extracted[name] = ranges[index].map { String(decoding: utf8[$0], as: UTF8.self) } ?? ""
        }
        next(entry)
    }
}

/// `decolorize`: removes ANSI colour escape sequences from the line.
final class DecolorizeStage: AgentStage {
    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        guard entry.line.contains("\u{1B}[") else { return next(entry) }
        var out = ""
        var scalars = entry.line.unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            if scalar == "\u{1B}" {
                guard let bracket = scalars.next() else { break }
                if bracket == "[" {
                    while let c = scalars.next(), !(c.value >= 0x40 && c.value <= 0x7E) {}
                    continue
                }
                out.unicodeScalars.append(scalar)
                out.unicodeScalars.append(bracket)
                continue
            }
            out.unicodeScalars.append(scalar)
        }
        entry.line = out
        next(entry)
    }
}
