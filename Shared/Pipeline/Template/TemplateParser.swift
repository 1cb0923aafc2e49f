import Foundation
import FjordModel

/// Lexes and parses Go `text/template` source (actions `{{…}}`, trim markers `{{- -}}`, comments, pipelines,
/// `if/else if/else/end`, `with`, `range`, `break`, `continue`, variables), reporting errors with Go's texts.
struct TemplateParser {
    private enum Token: Equatable {
        case text([UInt8])
        case leftDelimiter
        case rightDelimiter
        case space
        case field(String)
        case variable(String)
        case identifier(String)
        case keyword(String)
        case string(String, quoted: String)
        case number(String)
        case character(String)
        case bool(Bool)
        case `nil`
        case dot
        case pipe
        case leftParen
        case rightParen
        case declare
        case assign
        case comma
        case eof
    }

    private struct Item {
        var token: Token
        var position: Int
    }

    private let name: String
    private let source: [UInt8]
    private let functions: Set<String>
    private var items: [Item] = []
    private var index = 0
    private var variables: [[String]] = [["$"]]
    private var rangeDepth = 0

    init(name: String, source: String, functions: Set<String>) {
        self.name = name
        self.source = Array(source.utf8)
        self.functions = functions
    }

    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "break", "continue", "define", "template", "block"]

    // MARK: - Errors

    private func lineNumber(_ position: Int) -> Int {
        1 + source[..<min(position, source.count)].filter { $0 == 0x0a }.count
    }

    private func error(_ message: String, at position: Int) -> TemplateParseError {
        TemplateParseError(message: "template: \(name):\(lineNumber(position)): \(message)")
    }

    // MARK: - Lexer

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a }
    private static func isAlphaNumeric(_ byte: UInt8) -> Bool {
        byte == 0x5f || (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
            || byte >= 0x80
    }

    private func hasPrefix(_ text: String, at position: Int) -> Bool {
        let bytes = Array(text.utf8)
        guard position + bytes.count <= source.count else { return false }
        return Array(source[position..<(position + bytes.count)]) == bytes
    }

    private mutating func lex() throws(TemplateParseError) {
        var position = 0
        var textStart = 0
        var trimNextText = false
        func emitText(_ end: Int, trimRight: Bool) {
            var start = textStart
            var stop = end
            if trimNextText { while start < stop, TemplateParser.isSpace(source[start]) { start += 1 } }
            if trimRight { while stop > start, TemplateParser.isSpace(source[stop - 1]) { stop -= 1 } }
            if stop > start { items.append(Item(token: .text(Array(source[start..<stop])), position: start)) }
        }
        while position < source.count {
            guard hasPrefix("{{", at: position) else {
                position += 1
                continue
            }
            let delimiter = position
            var inside = position + 2
            let trimLeft = inside + 1 < source.count && source[inside] == 0x2d && TemplateParser.isSpace(source[inside + 1])
            emitText(delimiter, trimRight: trimLeft)
            if trimLeft { inside += 2 }
            // Comments.
            var probe = inside
            while probe < source.count, TemplateParser.isSpace(source[probe]), trimLeft { probe += 1 }
            if hasPrefix("/*", at: inside) || (trimLeft && hasPrefix("/*", at: probe) && probe == inside) {
                guard let close = findBytes("*/", from: inside + 2) else { throw error("unclosed comment", at: inside) }
                var after = close + 2
                var trimRight = false
                if after + 3 <= source.count, TemplateParser.isSpace(source[after]), source[after + 1] == 0x2d,
                   hasPrefix("}}", at: after + 2)
                {
                    trimRight = true
                    after += 2
                }
                guard hasPrefix("}}", at: after) else { throw error("comment ends before closing delimiter", at: close) }
                position = after + 2
                textStart = position
                trimNextText = trimRight
                continue
            }
            items.append(Item(token: .leftDelimiter, position: delimiter))
            let (end, trimRight) = try lexAction(from: inside)
            position = end
            textStart = position
            trimNextText = trimRight
        }
        emitText(source.count, trimRight: false)
        items.append(Item(token: .eof, position: source.count))
    }

    private func findBytes(_ text: String, from start: Int) -> Int? {
        var position = start
        while position < source.count {
            if hasPrefix(text, at: position) { return position }
            position += 1
        }
        return nil
    }

    /// Lexes one action starting at `start`; returns the index after `}}` and whether it ended with `-}}`.
    private mutating func lexAction(from start: Int) throws(TemplateParseError) -> (Int, Bool) {
        var position = start
        var parenDepth = 0
        while true {
            guard position < source.count else { throw error("unclosed action", at: start) }
            if hasPrefix("}}", at: position) {
                items.append(Item(token: .rightDelimiter, position: position))
                return (position + 2, false)
            }
            let byte = source[position]
            if TemplateParser.isSpace(byte) {
                var end = position
                while end < source.count, TemplateParser.isSpace(source[end]) { end += 1 }
                if hasPrefix("-}}", at: end) {
                    items.append(Item(token: .rightDelimiter, position: end))
                    return (end + 3, true)
                }
                items.append(Item(token: .space, position: position))
                position = end
                continue
            }
            switch byte {
            case 0x7c:
                items.append(Item(token: .pipe, position: position))
                position += 1
            case 0x28:
                parenDepth += 1
                items.append(Item(token: .leftParen, position: position))
                position += 1
            case 0x29:
                parenDepth -= 1
                if parenDepth < 0 { throw error("unexpected right paren", at: position) }
                items.append(Item(token: .rightParen, position: position))
                position += 1
            case 0x2c:
                items.append(Item(token: .comma, position: position))
                position += 1
            case 0x3a:
                guard position + 1 < source.count, source[position + 1] == 0x3d else {
                    throw error("expected :=", at: position)
                }
                items.append(Item(token: .declare, position: position))
                position += 2
            case 0x3d:
                items.append(Item(token: .assign, position: position))
                position += 1
            case 0x22:
                var end = position + 1
                while true {
                    guard end < source.count, source[end] != 0x0a else {
                        throw error("unterminated quoted string", at: position)
                    }
                    if source[end] == 0x5c { end += 2; continue }
                    if source[end] == 0x22 { break }
                    end += 1
                }
                let quoted = String(decoding: source[position...end], as: UTF8.self)
                guard let value = GoStringLiteral.unquote(quoted) else {
                    throw error("invalid syntax", at: position)
                }
                items.append(Item(token: .string(value, quoted: quoted), position: position))
                position = end + 1
            case 0x60:
                guard let close = source[(position + 1)...].firstIndex(of: 0x60) else {
                    throw error("unterminated raw quoted string", at: position)
                }
                let value = String(decoding: source[(position + 1)..<close], as: UTF8.self)
                items.append(Item(token: .string(value, quoted: String(decoding: source[position...close], as: UTF8.self)),
                                  position: position))
                position = close + 1
            case 0x27:
                var end = position + 1
                while end < source.count, source[end] != 0x27 {
                    if source[end] == 0x5c { end += 1 }
                    end += 1
                }
                guard end < source.count else { throw error("unterminated character constant", at: position) }
                items.append(Item(token: .character(String(decoding: source[position...end], as: UTF8.self)),
                                  position: position))
                position = end + 1
            case 0x24:
                var end = position + 1
                while end < source.count, TemplateParser.isAlphaNumeric(source[end]) { end += 1 }
                items.append(Item(token: .variable(String(decoding: source[position..<end], as: UTF8.self)), position: position))
                position = end
            case 0x2e:
                if position + 1 < source.count, Bytes.isDigit(source[position + 1]) {
                    position = lexNumber(position)
                } else if position + 1 < source.count, TemplateParser.isAlphaNumeric(source[position + 1]) {
                    var end = position + 1
                    while end < source.count, TemplateParser.isAlphaNumeric(source[end]) { end += 1 }
                    items.append(Item(token: .field(String(decoding: source[(position + 1)..<end], as: UTF8.self)),
                                      position: position))
                    position = end
                } else {
                    items.append(Item(token: .dot, position: position))
                    position += 1
                }
            case 0x2b, 0x2d, 0x30...0x39:
                position = lexNumber(position)
            default:
                guard TemplateParser.isAlphaNumeric(byte) else {
                    throw error("unrecognized character in action: \(GoQuoteRune.quote(source, position))", at: position)
                }
                var end = position
                while end < source.count, TemplateParser.isAlphaNumeric(source[end]) { end += 1 }
                let word = String(decoding: source[position..<end], as: UTF8.self)
                let token: Token
                switch word {
                case "true": token = .bool(true)
                case "false": token = .bool(false)
                case "nil": token = .nil
                default: token = TemplateParser.keywords.contains(word) ? .keyword(word) : .identifier(word)
                }
                items.append(Item(token: token, position: position))
                position = end
            }
        }
    }

    private mutating func lexNumber(_ start: Int) -> Int {
        var end = start
        if end < source.count, source[end] == 0x2b || source[end] == 0x2d { end += 1 }
        while end < source.count {
            let byte = source[end]
            if TemplateParser.isAlphaNumeric(byte) || byte == 0x2e {
                end += 1
            } else if (byte == 0x2b || byte == 0x2d), end > start, "eEpP".utf8.contains(source[end - 1]) {
                end += 1
            } else {
                break
            }
        }
        items.append(Item(token: .number(String(decoding: source[start..<end], as: UTF8.self)), position: start))
        return end
    }

    // MARK: - Parser

    mutating func parse() throws(TemplateParseError) -> [TemplateNode] {
        try lex()
        let (nodes, end) = try parseList()
        if let end {
            throw error("unexpected {{\(end)}}", at: items[index].position)
        }
        return nodes
    }

    private var current: Item { items[index] }

    private mutating func next() -> Item {
        let item = items[index]
        if index < items.count - 1 { index += 1 }
        return item
    }

    private mutating func skipSpace() {
        while case .space = items[index].token { index += 1 }
    }

    private mutating func nextNonSpace() -> Item {
        skipSpace()
        return next()
    }

    private mutating func peekNonSpace() -> Item {
        skipSpace()
        return current
    }

    /// Parses nodes until EOF or `{{end}}` / `{{else…}}`; returns which keyword stopped it.
    private mutating func parseList() throws(TemplateParseError) -> ([TemplateNode], String?) {
        var nodes: [TemplateNode] = []
        while true {
            let item = next()
            switch item.token {
            case .eof:
                return (nodes, nil)
            case .text(let bytes):
                nodes.append(.text(bytes))
            case .leftDelimiter:
                let keywordItem = peekNonSpace()
                if case .keyword(let keyword) = keywordItem.token {
                    switch keyword {
                    case "end":
                        _ = next()
                        try expectRightDelimiter("end")
                        return (nodes, "end")
                    case "else":
                        _ = next()
                        return (nodes, "else")
                    case "if", "with":
                        _ = next()
                        nodes.append(try parseBranch(keyword, position: keywordItem.position))
                    case "range":
                        _ = next()
                        nodes.append(try parseRange(position: keywordItem.position))
                    case "break", "continue":
                        _ = next()
                        guard rangeDepth > 0 else { throw error("{{\(keyword)}} outside {{range}}", at: keywordItem.position) }
                        try expectRightDelimiter(keyword)
                        nodes.append(keyword == "break" ? .break(position: keywordItem.position)
                                     : .continue(position: keywordItem.position))
                    default:
                        throw error("unsupported action {{\(keyword)}}", at: keywordItem.position)
                    }
                    continue
                }
                let pipe = try parsePipe(context: "command", end: .rightDelimiter)
                nodes.append(.action(pipe))
            default:
                throw error("unexpected \(describe(item.token))", at: item.position)
            }
        }
    }

    private mutating func expectRightDelimiter(_ context: String) throws(TemplateParseError) {
        let item = nextNonSpace()
        guard case .rightDelimiter = item.token else {
            throw error("unexpected \(describe(item.token)) in \(context)", at: item.position)
        }
    }

    private mutating func parseBranch(_ keyword: String, position: Int) throws(TemplateParseError) -> TemplateNode {
        variables.append([])
        defer { variables.removeLast() }
        let pipe = try parsePipe(context: keyword, end: .rightDelimiter)
        let (list, stop) = try parseList()
        var elseList: [TemplateNode]?
        if stop == "else" {
            // `{{else if …}}` / `{{else with …}}` chain into a nested branch.
            let following = peekNonSpace()
            if case .keyword(let nested) = following.token, nested == keyword {
                _ = next()
                elseList = [try parseBranch(keyword, position: following.position)]
            } else {
                elseList = try parseElse()
            }
        } else if stop != "end" {
            throw error("unexpected EOF", at: source.count)
        }
        let kind: TemplateNode.BranchKind = keyword == "if" ? .if : .with
        return .branch(kind: kind, pipe: pipe, list: list, elseList: elseList, position: position)
    }

    /// The nodes of a plain `{{else}}` up to `{{end}}`.
    private mutating func parseElse() throws(TemplateParseError) -> [TemplateNode] {
        try expectRightDelimiter("else")
        let (nodes, stop) = try parseList()
        guard stop == "end" else { throw error("expected end; found \(stop ?? "EOF")", at: current.position) }
        return nodes
    }

    private mutating func parseRange(position: Int) throws(TemplateParseError) -> TemplateNode {
        variables.append([])
        defer { variables.removeLast() }
        let pipe = try parsePipe(context: "range", end: .rightDelimiter)
        rangeDepth += 1
        let (list, stop) = try parseList()
        rangeDepth -= 1
        var elseList: [TemplateNode]?
        if stop == "else" {
            elseList = try parseElse()
        } else if stop != "end" {
            throw error("unexpected EOF", at: source.count)
        }
        return .range(pipe: pipe, list: list, elseList: elseList, position: position)
    }

    private mutating func parsePipe(context: String, end: Token) throws(TemplateParseError) -> TemplatePipe {
        let start = peekNonSpace().position
        var declarations: [String] = []
        var isAssign = false
        // Declarations: `$x :=`, `$x, $y :=`, `$x =`.
        let save = index
        if case .variable(let first) = current.token {
            _ = next()
            skipSpace()
            var names = [first]
            if case .comma = current.token, context == "range" {
                _ = next()
                skipSpace()
                if case .variable(let second) = current.token {
                    _ = next()
                    names.append(second)
                    skipSpace()
                }
            }
            switch current.token {
            case .declare:
                _ = next()
                declarations = names
                variables[variables.count - 1] += names
            case .assign:
                _ = next()
                declarations = names
                isAssign = true
            default:
                index = save
            }
        }
        var commands: [TemplateCommand] = []
        while true {
            let item = peekNonSpace()
            if item.token == end {
                _ = next()
                break
            }
            switch item.token {
            case .eof:
                throw error("unclosed action", at: item.position)
            case .rightDelimiter, .rightParen:
                throw error("unexpected \(describe(item.token)) in \(context)", at: item.position)
            default:
                break
            }
            commands.append(try parseCommand())
            let after = peekNonSpace()
            if case .pipe = after.token {
                _ = next()
                if peekNonSpace().token == end { throw error("missing command", at: after.position) }
            }
        }
        if commands.isEmpty { throw error("missing value for \(context)", at: start) }
        return TemplatePipe(declarations: declarations, isAssign: isAssign, commands: commands, position: start)
    }

    private mutating func parseCommand() throws(TemplateParseError) -> TemplateCommand {
        let start = peekNonSpace().position
        var arguments: [TemplateOperand] = []
        while true {
            skipSpace()
            switch current.token {
            case .pipe, .rightDelimiter, .rightParen, .eof:
                if arguments.isEmpty { throw error("empty command", at: start) }
                return TemplateCommand(arguments: arguments, position: start)
            default:
                arguments.append(try parseOperand())
            }
            // Operands must be separated by spaces.
            switch current.token {
            case .space, .pipe, .rightDelimiter, .rightParen, .eof: continue
            default:
                throw error("unexpected \(describe(current.token)) in operand", at: current.position)
            }
        }
    }

    private mutating func parseOperand() throws(TemplateParseError) -> TemplateOperand {
        var operand = try parseTerm()
        var fields: [String] = []
        while case .field(let field) = current.token {
            _ = next()
            fields.append(field)
        }
        if fields.isEmpty { return operand }
        switch operand {
        case .field(let names, let position): operand = .field(names + fields, position: position)
        case .variable(let name, let existing, let position): operand = .variable(name, fields: existing + fields, position: position)
        case .bool, .string, .number, .nil, .identifier:
            throw error("unexpected . after term \(GoQuoteRune.quoteString(operand.text))", at: operand.position)
        default: operand = .chain(operand, fields: fields, position: operand.position)
        }
        return operand
    }

    private mutating func parseTerm() throws(TemplateParseError) -> TemplateOperand {
        let item = next()
        switch item.token {
        case .identifier(let name):
            guard functions.contains(name) else { throw error("function \(GoQuoteRune.quoteString(name)) not defined", at: item.position) }
            return .identifier(name, position: item.position)
        case .dot:
            return .field([], position: item.position)
        case .nil:
            return .nil(position: item.position)
        case .variable(let name):
            guard variables.contains(where: { $0.contains(name) }) else {
                throw error("undefined variable \(GoQuoteRune.quoteString(name))", at: item.position)
            }
            return .variable(name, fields: [], position: item.position)
        case .field(let name):
            return .field([name], position: item.position)
        case .bool(let value):
            return .bool(value, position: item.position)
        case .string(let value, let quoted):
            return .string(value, quoted: quoted, position: item.position)
        case .number(let text):
            guard let number = TemplateParser.number(text) else {
                throw error("illegal number syntax: \(GoQuoteRune.quoteString(text))", at: item.position)
            }
            return .number(number, text: text, position: item.position)
        case .character(let text):
            guard let value = GoStringLiteral.unquoteCharacter(text) else {
                throw error("malformed character constant: \(text)", at: item.position)
            }
            return .number(TemplateNumber(int: Int64(value), float: Double(value), isCharacter: true), text: text,
                           position: item.position)
        case .leftParen:
            let pipe = try parsePipe(context: "parenthesized pipeline", end: .rightParen)
            return .pipe(pipe, position: item.position)
        default:
            throw error("unexpected \(describe(item.token)) in operand", at: item.position)
        }
    }

    /// Go's number reading: integers (with base prefixes) and floats.
    static func number(_ text: String) -> TemplateNumber? {
        let clean = text.replacingOccurrences(of: "_", with: "")
        var body = Substring(clean)
        var negative = false
        if body.hasPrefix("+") || body.hasPrefix("-") {
            negative = body.hasPrefix("-")
            body = body.dropFirst()
        }
        var radix = 10
        var digits = body
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { radix = 16; digits = body.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; digits = body.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; digits = body.dropFirst(2) }
        else if body.count > 1, body.hasPrefix("0"), body.allSatisfy({ $0.isNumber }) { radix = 8; digits = body.dropFirst() }
        if let magnitude = Int64(digits, radix: radix) {
            let value = negative ? -magnitude : magnitude
            return TemplateNumber(int: value, float: Double(value), isCharacter: false)
        }
        if case .success(let float) = GoStrconv.parseFloat(clean) {
            if !clean.contains(where: { ".eEpP".contains($0) }) { return nil }
            let int: Int64? = (float.rounded(.towardZero) == float && abs(float) < 9.2e18) ? Int64(float) : nil
            return TemplateNumber(int: int, float: float, isCharacter: false)
        }
        return nil
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .text: return "text"
        case .leftDelimiter: return "\"{{\""
        case .rightDelimiter: return "\"}}\""
        case .space: return "space"
        case .field(let name): return "<.\(name)>"
        case .variable(let name): return "<\(name)>"
        case .identifier(let name), .keyword(let name): return "<\(name)>"
        case .string(_, let quoted): return quoted
        case .number(let text), .character(let text): return text
        case .bool(let value): return value ? "<true>" : "<false>"
        case .nil: return "<nil>"
        case .dot: return "<.>"
        case .pipe: return "\"|\""
        case .leftParen: return "\"(\""
        case .rightParen: return "\")\""
        case .declare: return "\":=\""
        case .assign: return "\"=\""
        case .comma: return "\",\""
        case .eof: return "EOF"
        }
    }
}

/// Go string and character literal unquoting (`strconv.Unquote`).
enum GoStringLiteral {
    static func unquote(_ quoted: String) -> String? {
        let scalars = Array(quoted.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return nil }
        var out = String.UnicodeScalarView()
        var index = 1
        let end = scalars.count - 1
        while index < end {
            let scalar = scalars[index]
            if scalar == "\\" {
                guard let (value, next) = escape(scalars, index, end: end, quote: "\"") else { return nil }
                out.append(contentsOf: value)
                index = next
                continue
            }
            if scalar == "\"" || scalar == "\n" { return nil }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }

    static func unquoteCharacter(_ quoted: String) -> UInt32? {
        let scalars = Array(quoted.unicodeScalars)
        guard scalars.count >= 3, scalars.first == "'", scalars.last == "'" else { return nil }
        if scalars[1] == "\\" {
            guard let (value, next) = escape(scalars, 1, end: scalars.count - 1, quote: "'"), next == scalars.count - 1,
                  value.count == 1 else { return nil }
            return value.first!.value
        }
        guard scalars.count == 3 else { return nil }
        return scalars[1].value
    }

    private static func escape(_ scalars: [Unicode.Scalar], _ index: Int, end: Int, quote: Unicode.Scalar)
        -> ([Unicode.Scalar], Int)?
    {
        guard index + 1 < end else { return nil }
        let code = scalars[index + 1]
        switch code {
        case "a": return (["\u{07}"], index + 2)
        case "b": return (["\u{08}"], index + 2)
        case "f": return (["\u{0C}"], index + 2)
        case "n": return (["\n"], index + 2)
        case "r": return (["\r"], index + 2)
        case "t": return (["\t"], index + 2)
        case "v": return (["\u{0B}"], index + 2)
        case "\\": return (["\\"], index + 2)
        case "\"", "'":
            guard code == quote else { return nil }
            return ([code], index + 2)
        case "x", "u", "U":
            let width = code == "x" ? 2 : (code == "u" ? 4 : 8)
            guard index + 2 + width <= end else { return nil }
            var value: UInt32 = 0
            for offset in 0..<width {
                guard let digit = Bytes.hexValue(UInt8(truncatingIfNeeded: scalars[index + 2 + offset].value)),
                      scalars[index + 2 + offset].isASCII else { return nil }
                value = value << 4 | digit
            }
            if code == "x" {
                // A byte; only valid UTF-8 results survive in Swift strings.
                guard let scalar = Unicode.Scalar(value) else { return nil }
                return ([scalar], index + 2 + width)
            }
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return ([scalar], index + 2 + width)
        case "0"..."7":
            guard index + 4 <= end else { return nil }
            var value: UInt32 = 0
            for offset in 1...3 {
                let digit = scalars[index + offset]
                guard ("0"..."7").contains(digit) else { return nil }
                value = value * 8 + (digit.value - 0x30)
            }
            guard value <= 255, let scalar = Unicode.Scalar(value) else { return nil }
            return ([scalar], index + 4)
        default:
            return nil
        }
    }
}

/// Go's `%q` for strings and runes in error messages.
enum GoQuoteRune {
    static func quoteString(_ text: String) -> String {
        GoQuote.quote(text)
    }

    static func quote(_ bytes: [UInt8], _ position: Int) -> String {
        let scalar = bytes.withUnsafeBytes { UTF8Decoding.decode($0, at: position)?.0 } ?? "\u{FFFD}"
        if scalar == "'" { return "'\\''" }
        return "'" + String(scalar) + "'"
    }
}
