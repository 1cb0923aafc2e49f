import FjordModel

/// Splits a template into text and actions and parses each action's pipeline (see ``AlertTemplate``).
struct TemplateParser {
    let text: [Character]
    let name: String

    static let variables: Set<String> = ["$", "$labels", "$value", "$externalLabels", "$externalURL"]
    static let functions: Set<String> = [
        "printf", "humanize", "humanize1024", "humanizePercentage", "humanizeDuration", "toUpper", "toLower", "title",
        "index",
    ]
    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]

    init(text: String, name: String) {
        self.text = Array(text)
        self.name = name
    }

    func parse() throws(TemplateError) -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
        var pending = ""
        var index = 0
        var line = 1
        var trimNextText = false
        while index < text.count {
            guard text[index] == "{", index + 1 < text.count, text[index + 1] == "{" else {
                if trimNextText, text[index].isWhitespace {
                    if text[index] == "\n" { line += 1 }
                    index += 1
                    continue
                }
                trimNextText = false
                if text[index] == "\n" { line += 1 }
                pending.append(text[index])
                index += 1
                continue
            }
            trimNextText = false
            let actionLine = line
            var start = index + 2
            if start + 1 < text.count, text[start] == "-", text[start + 1].isWhitespace {
                while let last = pending.last, last.isWhitespace { pending.removeLast() }
                start += 2
            }
            guard let close = findClose(from: start) else {
                throw TemplateError("template: \(name):\(actionLine): unclosed action")
            }
            var end = close
            if end - 2 >= start, text[end - 1] == "-", text[end - 2].isWhitespace {
                end -= 2
                trimNextText = true
            }
            let body = String(text[start..<max(start, end)])
            for character in text[index..<close] where character == "\n" { line += 1 }
            index = close + 2
            if !pending.isEmpty {
                pieces.append(.text(pending))
                pending = ""
            }
            let trimmed = body.trimmingWhitespace()
            if trimmed.hasPrefix("/*") {
                guard trimmed.hasSuffix("*/") else { throw TemplateError("template: \(name):\(actionLine): unclosed comment") }
                continue
            }
            pieces.append(.action(try parsePipeline(trimmed, line: actionLine), line: actionLine))
        }
        if !pending.isEmpty { pieces.append(.text(pending)) }
        return pieces
    }

    /// Index of the `}}` closing the action starting at `from`, skipping quoted strings.
    private func findClose(from: Int) -> Int? {
        var index = from
        var quote: Character?
        while index < text.count {
            let character = text[index]
            if let open = quote {
                if character == "\\", open == "\"" {
                    index += 2
                    continue
                }
                if character == open { quote = nil }
            } else if character == "\"" || character == "`" {
                quote = character
            } else if character == "}", index + 1 < text.count, text[index + 1] == "}" {
                return index
            }
            index += 1
        }
        return nil
    }

    private func parsePipeline(_ source: String, line: Int) throws(TemplateError) -> TemplatePipeline {
        func fail(_ message: String) -> TemplateError { TemplateError("template: \(name):\(line): \(message)") }
        var commands: [[TemplateOperand]] = []
        var current: [TemplateOperand] = []
        var lexer = TemplateLexer(Array(source))
        while let token = try lexer.next(fail) {
            switch token {
            case .pipe:
                guard !current.isEmpty else { throw fail("missing value for command") }
                commands.append(current)
                current = []
            case .word(let word):
                if word.hasPrefix("$") {
                    let parts = word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                    let variable = parts[0]
                    guard TemplateParser.variables.contains(variable) else { throw fail("undefined variable \"\(variable)\"") }
                    if parts.dropFirst().contains(where: \.isEmpty) { throw fail("bad field name in \(word)") }
                    current.append(.variable(variable, fields: Array(parts.dropFirst())))
                } else if word.hasPrefix(".") {
                    let fields = word == "." ? [] : word.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                    if fields.contains(where: \.isEmpty) { throw fail("bad field name in \(word)") }
                    current.append(.field(fields))
                } else if TemplateParser.keywords.contains(word) {
                    throw fail("unsupported action \"\(word)\": Fjord's alert templates support values and functions only")
                } else if TemplateParser.functions.contains(word) {
                    guard current.isEmpty else { throw fail("function \"\(word)\" must start a command") }
                    current.append(.function(word))
                } else if let integer = Int(word) {
                    current.append(.integer(integer))
                } else if let number = Double(word), word.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                    current.append(.number(number))
                } else if word == "true" || word == "false" || word == "nil" {
                    throw fail("unsupported constant \(word)")
                } else {
                    throw fail("function \"\(word)\" not defined")
                }
            case .string(let value):
                current.append(.string(value))
            }
        }
        guard !current.isEmpty else { throw fail(commands.isEmpty ? "missing value for command" : "missing command after |") }
        commands.append(current)
        for (position, command) in commands.enumerated() {
            if case .function = command[0] { continue }
            if command.count > 1 { throw fail("can't give argument to non-function \(command[0])") }
            if position > 0 { throw fail("non executable command in pipeline stage \(position + 1)") }
        }
        return TemplatePipeline(commands: commands, source: source)
    }
}

/// Tokens of an action: words (variables, fields, functions, numbers), quoted strings and `|`.
struct TemplateLexer {
    enum Token {
        case word(String)
        case string(String)
        case pipe
    }

    let characters: [Character]
    var index = 0

    init(_ characters: [Character]) { self.characters = characters }

    mutating func next(_ fail: (String) -> TemplateError) throws(TemplateError) -> Token? {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        guard index < characters.count else { return nil }
        let character = characters[index]
        if character == "|" {
            index += 1
            return .pipe
        }
        if character == "(" || character == ")" { throw fail("parenthesized pipelines are not supported") }
        if character == "`" {
            index += 1
            var value = ""
            while index < characters.count, characters[index] != "`" {
                value.append(characters[index])
                index += 1
            }
            guard index < characters.count else { throw fail("unterminated raw quoted string") }
            index += 1
            return .string(value)
        }
        if character == "\"" {
            index += 1
            var value = ""
            while index < characters.count, characters[index] != "\"" {
                if characters[index] == "\\", index + 1 < characters.count {
                    index += 1
                    switch characters[index] {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "r": value.append("\r")
                    case "\\": value.append("\\")
                    case "\"": value.append("\"")
                    default: throw fail("unsupported escape \\\(characters[index]) in quoted string")
                    }
                } else {
                    value.append(characters[index])
                }
                index += 1
            }
            guard index < characters.count else { throw fail("unterminated quoted string") }
            index += 1
            return .string(value)
        }
        var word = ""
        while index < characters.count, !characters[index].isWhitespace, !"|()\"`".contains(characters[index]) {
            word.append(characters[index])
            index += 1
        }
        return .word(word)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }
}
