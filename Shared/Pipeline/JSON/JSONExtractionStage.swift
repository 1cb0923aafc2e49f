import FjordLogQL
import FjordModel

/// One step of a `| json name="expr"` path: an object key or an array index.
enum JSONPathElement: Sendable, Equatable {
    case key([UInt8])
    case index(Int)
}

/// Parses Loki's JSON extraction expressions (`pkg/logql/log/jsonexpr`): `a.b`, `a["key with space"]`,
/// `list[0]`, `a.list[0]["x"]`, with the yacc parser's error texts.
enum JSONPathParser {
    private enum Token: Equatable {
        case field(String)
        case string(String)
        case index(Int)
        case leftBracket, rightBracket, dot, end

        var name: String {
            switch self {
            case .field: return "FIELD"
            case .string: return "STRING"
            case .index: return "INDEX"
            case .leftBracket: return "LSB"
            case .rightBracket: return "RSB"
            case .dot: return "DOT"
            case .end: return "$end"
            }
        }
    }

    private static func tokenize(_ expression: String) -> Result<[Token], PipelineError> {
        let scalars = Array(expression.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        func isStart(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) || s == "_" }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case " ", "\t", "\n":
                index += 1
            case "[": tokens.append(.leftBracket); index += 1
            case "]": tokens.append(.rightBracket); index += 1
            case ".": tokens.append(.dot); index += 1
            case "\"":
                index += 1
                var text = String.UnicodeScalarView()
                while index < scalars.count, scalars[index] != "\"", scalars[index] != "]" {
                    text.append(scalars[index])
                    index += 1
                }
                if index < scalars.count, scalars[index] == "\"" { index += 1 }
                tokens.append(.string(String(text)))
            case "0"..."9":
                var digits = ""
                while index < scalars.count {
                    let s = scalars[index]
                    if s == ".", !digits.isEmpty { return .failure(PipelineError(message: "cannot use float as array index")) }
                    if s == " " || s == "\t" || s == "\n" || s == "." || s == "]" { break }
                    guard ("0"..."9").contains(s) else {
                        return .failure(PipelineError(message: "non-integer value: \(Character(s))"))
                    }
                    digits.unicodeScalars.append(s)
                    index += 1
                }
                tokens.append(.index(Int(digits) ?? 0))
            default:
                guard isStart(scalar) else {
                    return .failure(PipelineError(message: "unexpected char \(Character(scalar))"))
                }
                var text = String.UnicodeScalarView()
                while index < scalars.count, isStart(scalars[index]) || ("0"..."9").contains(scalars[index]) {
                    text.append(scalars[index])
                    index += 1
                }
                tokens.append(.field(String(text)))
            }
        }
        tokens.append(.end)
        return .success(tokens)
    }

    static func parse(_ expression: String) throws(PipelineError) -> [JSONPathElement] {
        func fail(_ message: String) -> PipelineError {
            PipelineError(message: "cannot parse expression [\(expression)]: \(message)")
        }
        let tokens: [Token]
        switch tokenize(expression) {
        case .success(let list): tokens = list
        case .failure(let error): throw fail(error.message)
        }
        var position = 0
        var path: [JSONPathElement] = []
        func unexpected(_ token: Token, expecting: String?) -> PipelineError {
            fail("syntax error: unexpected \(token.name)" + (expecting.map { ", expecting \($0)" } ?? ""))
        }
        func bracket() throws(PipelineError) {
            let content = tokens[position]
            switch content {
            case .string(let key): path.append(.key(Array(key.utf8)))
            case .index(let value): path.append(.index(value))
            default: throw unexpected(content, expecting: "STRING or INDEX")
            }
            position += 1
            guard tokens[position] == .rightBracket else { throw unexpected(tokens[position], expecting: "RSB") }
            position += 1
        }
        switch tokens[position] {
        case .field(let name):
            path.append(.key(Array(name.utf8)))
            position += 1
        case .leftBracket:
            position += 1
            try bracket()
        default:
            throw unexpected(tokens[position], expecting: "LSB or FIELD")
        }
        while true {
            switch tokens[position] {
            case .end:
                return path
            case .leftBracket:
                position += 1
                try bracket()
            case .dot:
                position += 1
                guard case .field(let name) = tokens[position] else {
                    throw unexpected(tokens[position], expecting: "FIELD")
                }
                path.append(.key(Array(name.utf8)))
                position += 1
            default:
                throw unexpected(tokens[position], expecting: nil)
            }
        }
    }
}

/// Finds values by path in JSON text, tolerating malformed input (a malformed part simply does not match).
enum JSONPathLookup {
    /// The first value, in document order, whose path equals `path`.
    static func find(_ path: ArraySlice<JSONPathElement>, in data: UnsafeRawBufferPointer, at start: Int,
                     keys: ByteArena) -> JSONScanner.Value?
    {
        guard let element = path.first else {
            if case .success(let value) = JSONScanner.value(data, start) { return value }
            return nil
        }
        guard let offset = JSONScanner.nextToken(data, start) else { return nil }
        switch element {
        case .key(let wanted):
            guard data[offset] == 0x7b else { return nil }
            var result: JSONScanner.Value?
            _ = JSONScanner.forEachMember(data, from: offset, keyScratch: keys) { key, value in
                guard wanted.withUnsafeBytes({ Bytes.equal($0, key) }) else { return true }
                if let found = find(path.dropFirst(), in: data, at: value.start, keys: keys) {
                    result = found
                    return false
                }
                return true
            }
            return result
        case .index(let wanted):
            guard data[offset] == 0x5b else { return nil }
            var position = offset + 1
            var current = 0
            while true {
                guard let token = JSONScanner.nextToken(data, position), data[token] != 0x5d else { return nil }
                guard case .success(let value) = JSONScanner.value(data, token) else { return nil }
                if current == wanted { return find(path.dropFirst(), in: data, at: value.start, keys: keys) }
                current += 1
                guard let next = JSONScanner.nextToken(data, value.end), data[next] == 0x2c else { return nil }
                position = next + 1
            }
        }
    }

    /// jsonparser's `EachKey` reports a `Malformed JSON error` when a key appears outside any object.
    static func hasTopLevelKey(_ data: UnsafeRawBufferPointer) -> Bool {
        var level = 0
        var index = 0
        while index < data.count {
            switch data[index] {
            case 0x22:
                guard let (end, _) = JSONScanner.stringEnd(data, index + 1) else { return false }
                if let next = JSONScanner.nextToken(data, end), data[next] == 0x3a, level < 1 { return true }
                index = end
                continue
            case 0x7b: level += 1
            case 0x7d: level -= 1
            case 0x5b:
                guard let end = JSONScanner.blockEnd(data, index, open: 0x5b, close: 0x5d) else { return false }
                index = end
                continue
            default: break
            }
            index += 1
        }
        return false
    }
}

/// `| json a="expr", b` (Loki's `JSONExpressionParser`): only the listed labels; objects and arrays give their
/// raw text, `null` gives "", missing paths give "". The line must start with `{`, `[` or `"`.
struct JSONExtractionStage: StageProgram {
    private let names: [ByteString]
    private let paths: [[JSONPathElement]]

    init(_ extractions: [LabelExtraction]) throws(PipelineError) {
        var names: [ByteString] = []
        var paths: [[JSONPathElement]] = []
        for extraction in extractions {
            let expression = extraction.expression ?? extraction.name
            let path = try JSONPathParser.parse(expression)
            guard LabelNames.isLegacyValid(extraction.name) else {
                throw PipelineError(message: "invalid extracted label name '\(extraction.name)'")
            }
            names.append(ByteString(extraction.name))
            paths.append(path)
        }
        self.names = names
        self.paths = paths
    }

    func run(_ runtime: StageRuntime) -> Bool {
        let line = runtime.line
        let labels = runtime.labels
        if line.count == 0 || runtime.hints.skipsParsing(labels) { return true }
        let first = line[0]
        guard first == 0x22 || first == 0x7b || first == 0x5b else {
            runtime.addError(ErrorTypes.json, details: nil)
            return true
        }
        if first == 0x22, JSONPathLookup.hasTopLevelKey(line) {
            runtime.addError(ErrorTypes.json, details: JSONScanner.Failure.malformedJSON.rawValue)
        }
        var matched = 0
        for (position, path) in paths.enumerated() {
            runtime.jsonKeys.reset()
            guard let value = JSONPathLookup.find(path[...], in: line, at: 0, keys: runtime.jsonKeys) else { continue }
            matched += 1
            let id = names[position]
            let nameArena = runtime.names
            nameArena.reset()
            nameArena.append(id.bytes)
            if labels.baseHas(id.bytes, hash: id.hash) || labels.hasInCategory(id.bytes, hash: id.hash, .structuredMetadata) {
                nameArena.append(ExtractedSuffix.text)
            }
            let name = nameArena.bytes(0, nameArena.count)
            let values = runtime.values
            values.reset()
            let range: Range<Int>
            switch value.type {
            case .null:
                range = 0..<0
            case .object:
                values.append(UnsafeRawBufferPointer(rebasing: line[value.start..<value.end]))
                range = 0..<values.count
            case .string:
                range = JSONScanner.labelValue(UnsafeRawBufferPointer(rebasing: line[value.contentStart..<value.contentEnd]),
                                               escaped: value.escaped, into: values, temp: runtime.jsonTemp)
            case .array, .number, .boolean:
                let raw = UnsafeRawBufferPointer(rebasing: line[value.start..<value.end])
                let escaped = Bytes.find(byte: 0x5c, in: raw) != nil
                range = JSONScanner.labelValue(raw, escaped: escaped, into: values, temp: runtime.jsonTemp)
            }
            labels.set(.parsed, name: name, hash: Bytes.hash(name), value: values.bytes(range.lowerBound, range.count))
        }
        if matched < names.count {
            for id in names where labels.get(id) == nil {
                labels.set(.parsed, name: id, value: UnsafeRawBufferPointer(start: nil, count: 0))
            }
        }
        return true
    }

    var requiredLabelNames: [String] { [] }
}
