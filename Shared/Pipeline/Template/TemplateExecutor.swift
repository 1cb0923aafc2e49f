import FjordRegex
import FjordModel

/// A compiled `line_format` / `label_format` template.
struct CompiledTemplate: Sendable {
    /// Go's template name: `line` for `line_format`, `label` for `label_format`.
    let name: String
    let source: String
    let nodes: [TemplateNode]
    /// Set when the template is exactly `{{.name}}` (Loki copies the label value directly).
    let simpleKey: ByteString?
    /// Field names the template reads (Loki's `listNodeFields`).
    let fieldNames: [String]

    init(name: String, source: String) throws(TemplateParseError) {
        self.name = name
        self.source = source
        var parser = TemplateParser(name: name, source: source, functions: TemplateFunctions.names)
        nodes = try parser.parse()
        if nodes.count == 1, case .action(let pipe) = nodes[0], pipe.declarations.isEmpty, pipe.commands.count == 1,
           pipe.commands[0].arguments.count == 1, case .field(let names, _) = pipe.commands[0].arguments[0], names.count == 1
        {
            simpleKey = ByteString(names[0])
        } else {
            simpleKey = nil
        }
        var fields: [String] = []
        CompiledTemplate.collectFields(nodes, into: &fields)
        var seen = Set<String>()
        fieldNames = fields.filter { seen.insert($0).inserted }
    }

    private static func collectFields(_ nodes: [TemplateNode], into fields: inout [String]) {
        for node in nodes {
            switch node {
            case .action(let pipe): self.pipe(pipe, into: &fields)
            case .branch(_, let pipe, let list, let elseList, _), .range(let pipe, let list, let elseList, _):
                self.pipe(pipe, into: &fields)
                collectFields(list, into: &fields)
                collectFields(elseList ?? [], into: &fields)
            default: break
            }
        }
    }

    private static func pipe(_ pipe: TemplatePipe, into fields: inout [String]) {
        for command in pipe.commands {
            for argument in command.arguments {
                switch argument {
                case .field(let names, _): fields += names
                case .pipe(let inner, _): self.pipe(inner, into: &fields)
                case .chain(let base, _, _):
                    if case .pipe(let inner, _) = base { self.pipe(inner, into: &fields) }
                    if case .field(let names, _) = base { fields += names }
                default: break
                }
            }
        }
    }
}

/// The labels a template reads: live (`line_format`) or a copy taken before a `label_format` stage.
enum TemplateData {
    case live(LabelState)
    case snapshot([String: String], LabelState)

    var labels: LabelState {
        switch self {
        case .live(let state), .snapshot(_, let state): return state
        }
    }

    func value(_ name: String) -> String? {
        switch self {
        case .snapshot(let map, _): return map[name]
        case .live(let state):
            if name == ErrorLabels.error.string { return state.errorType.isEmpty ? nil : state.errorType }
            if name == ErrorLabels.details.string { return state.errorDetails.isEmpty ? nil : state.errorDetails }
            return Bytes.withUTF8(name) { bytes in state.get(bytes, hash: Bytes.hash(bytes)).map(Bytes.string) }
        }
    }

    /// All labels, sorted by name, including the error labels (Loki passes them in the template data).
    func all() -> [(String, String)] {
        switch self {
        case .snapshot(let map, _): return map.sorted { Labels.nameLess($0.key, $1.key) }
        case .live(let state): return TemplateData.snapshotMap(state).sorted { Labels.nameLess($0.key, $1.key) }
        }
    }

    static func snapshotMap(_ state: LabelState) -> [String: String] {
        var map: [String: String] = [:]
        state.forEachVisible { name, value in map[Bytes.string(name)] = Bytes.string(value) }
        if !state.errorType.isEmpty { map[ErrorLabels.error.string] = state.errorType }
        if !state.errorDetails.isEmpty { map[ErrorLabels.details.string] = state.errorDetails }
        return map
    }
}

/// A template evaluation error with Go's text
/// (`template: line:1:3: executing "line" at <call .level>: error calling call: …`).
struct TemplateExecError: Error {
    let message: String
}

/// Evaluates compiled templates (Go `text/template` semantics with `missingkey=zero`). One per processor.
final class TemplateExecutor {
    private var template: CompiledTemplate!
    private var data: TemplateData!
    private var variables: [(name: String, value: TemplateValue)] = []
    private(set) var output = ""
    var line = UnsafeRawBufferPointer(start: nil, count: 0)
    var timestamp: Int64 = 0
    /// Regexes compiled by `regexReplaceAll` and friends, by pattern.
    var regexCache: [String: Result<RE2Regex, TemplateCallError>] = [:]

    private enum Control: Error {
        case breakLoop
        case continueLoop
    }

    /// Runs `template` over `data`; the text is in ``output``.
    func execute(_ template: CompiledTemplate, data: TemplateData) -> TemplateExecError? {
        self.template = template
        self.data = data
        output = ""
        variables = [("$", .labels)]
        do {
            try walk(template.nodes, dot: .labels)
            return nil
        } catch let error as TemplateExecError {
            return error
        } catch {
            return TemplateExecError(message: "\(error)")
        }
    }

    // MARK: - Errors

    func error(at position: Int, context: String, _ message: String) -> TemplateExecError {
        let bytes = Array(template.source.utf8)
        let prefix = bytes[..<min(position, bytes.count)]
        let line = 1 + prefix.filter { $0 == 0x0a }.count
        let column: Int
        if let lastNewline = prefix.lastIndex(of: 0x0a) { column = position - (lastNewline + 1) } else { column = position }
        return TemplateExecError(message:
            "template: \(template.name):\(line):\(column): executing \"\(template.name)\" at <\(context)>: \(message)")
    }

    // MARK: - Walking

    private func walk(_ nodes: [TemplateNode], dot: TemplateValue) throws {
        for node in nodes {
            switch node {
            case .text(let bytes):
                output += String(decoding: bytes, as: UTF8.self)
            case .action(let pipe):
                let value = try evalPipe(pipe, dot: dot)
                if pipe.declarations.isEmpty { output += GoFormat.print(value, labels: data.labels) }
            case .branch(let kind, let pipe, let list, let elseList, _):
                let mark = variables.count
                let value = try evalPipe(pipe, dot: dot)
                if truth(value) {
                    try walk(list, dot: kind == .with ? value : dot)
                } else if let elseList {
                    try walk(elseList, dot: dot)
                }
                variables.removeLast(variables.count - mark)
            case .range(let pipe, let list, let elseList, _):
                let mark = variables.count
                var rangePipe = pipe
                let names = pipe.declarations
                rangePipe.declarations = []
                let value = try evalPipe(rangePipe, dot: dot)
                let items = try rangeItems(value, pipe: pipe)
                if items.isEmpty {
                    if let elseList { try walk(elseList, dot: dot) }
                } else {
                    loop: for (key, element) in items {
                        let inner = variables.count
                        if names.count == 1 {
                            variables.append((names[0], element))
                        } else if names.count == 2 {
                            variables.append((names[0], key))
                            variables.append((names[1], element))
                        }
                        do {
                            try walk(list, dot: element)
                        } catch Control.breakLoop {
                            variables.removeLast(variables.count - inner)
                            break loop
                        } catch Control.continueLoop {}
                        variables.removeLast(variables.count - inner)
                    }
                }
                variables.removeLast(variables.count - mark)
            case .break:
                throw Control.breakLoop
            case .continue:
                throw Control.continueLoop
            }
        }
    }

    /// text/template's `isTrue`; the label map is true when it has labels.
    func truth(_ value: TemplateValue) -> Bool {
        if case .labels = value { return !data.all().isEmpty }
        return value.isTrue(labelCount: 0)
    }

    /// The labels visible to the template (for `len`, `range`, printing).
    var dataPairs: [(String, String)] { data.all() }

    func dataValue(_ name: String) -> String? { data.value(name) }

    var labelState: LabelState { data.labels }

    private func rangeItems(_ value: TemplateValue, pipe: TemplatePipe) throws -> [(TemplateValue, TemplateValue)] {
        switch value {
        case .list(let list): return list.enumerated().map { (.int($0.offset), $0.element) }
        case .map(let map):
            return map.keys.sorted { Labels.nameLess($0, $1) }.map { (.string($0), map[$0]!) }
        case .labels: return data.all().map { (.string($0.0), .string($0.1)) }
        case .int(let count): return (0..<max(count, 0)).map { (.int($0), .int($0)) }
        case .none: return []
        default:
            throw error(at: pipe.position, context: pipe.text, "range can't iterate over \(GoFormat.print(value, labels: nil))")
        }
    }

    // MARK: - Pipes and commands

    func evalPipe(_ pipe: TemplatePipe, dot: TemplateValue) throws -> TemplateValue {
        var value: TemplateValue?
        for command in pipe.commands {
            value = try evalCommand(command, dot: dot, final: value)
        }
        let result = value ?? .none
        if !pipe.declarations.isEmpty {
            if pipe.isAssign {
                guard let index = variables.lastIndex(where: { $0.name == pipe.declarations[0] }) else {
                    throw error(at: pipe.position, context: pipe.text, "undefined variable: \(pipe.declarations[0])")
                }
                variables[index].value = result
            } else {
                for name in pipe.declarations { variables.append((name, result)) }
            }
        }
        return result
    }

    private func evalCommand(_ command: TemplateCommand, dot: TemplateValue, final: TemplateValue?) throws -> TemplateValue {
        let first = command.arguments[0]
        let rest = Array(command.arguments.dropFirst())
        switch first {
        case .identifier(let name, _):
            return try TemplateFunctions.call(name, arguments: rest, final: final, command: command, dot: dot, executor: self)
        case .field(let names, _):
            return try evalFields(dot, names, node: first, hasArguments: !rest.isEmpty || final != nil)
        case .variable(let name, let fields, _):
            let value = try variable(name, node: first)
            return try evalFields(value, fields, node: first, hasArguments: !rest.isEmpty || final != nil)
        case .chain(let base, let fields, _):
            let value = try evalOperand(base, dot: dot)
            if fields.count >= 1, case .time(let time) = value, rest.count + (final == nil ? 0 : 1) > 0 {
                return try timeMethod(time, fields, arguments: rest, final: final, dot: dot, node: first)
            }
            return try evalFields(value, fields, node: first, hasArguments: !rest.isEmpty || final != nil)
        case .pipe(let pipe, _):
            if !rest.isEmpty || final != nil {
                throw error(at: first.position, context: first.text, "can't give argument to non-function \(first.text)")
            }
            return try evalPipe(pipe, dot: dot)
        case .nil:
            throw error(at: first.position, context: first.text, "nil is not a command")
        default:
            if !rest.isEmpty || final != nil {
                throw error(at: first.position, context: first.text, "can't give argument to non-function \(first.text)")
            }
            return try evalOperand(first, dot: dot)
        }
    }

    /// Evaluates an operand used as an argument (constants become `int` / `float64` / `string`).
    func evalOperand(_ operand: TemplateOperand, dot: TemplateValue) throws -> TemplateValue {
        switch operand {
        case .field(let names, _): return try evalFields(dot, names, node: operand, hasArguments: false)
        case .variable(let name, let fields, _):
            return try evalFields(try variable(name, node: operand), fields, node: operand, hasArguments: false)
        case .identifier(let name, _):
            return try TemplateFunctions.call(name, arguments: [], final: nil,
                                              command: TemplateCommand(arguments: [operand], position: operand.position),
                                              dot: dot, executor: self)
        case .string(let value, _, _): return .string(value)
        case .number(let number, let text, _): return TemplateExecutor.idealConstant(number, text)
        case .bool(let value, _): return .bool(value)
        case .nil: return .none
        case .pipe(let pipe, _): return try evalPipe(pipe, dot: dot)
        case .chain(let base, let fields, _):
            return try evalFields(try evalOperand(base, dot: dot), fields, node: operand, hasArguments: false)
        }
    }

    /// text/template's `idealConstant`: floats when written with `.`/`e`/`p`, else `int`.
    static func idealConstant(_ number: TemplateNumber, _ text: String) -> TemplateValue {
        let lower = text.lowercased()
        let isHex = lower.hasPrefix("0x") || lower.hasPrefix("-0x") || lower.hasPrefix("+0x")
        if let float = number.float, !number.isCharacter, !isHex, text.contains(where: { ".eEpP".contains($0) }) {
            return .float(float)
        }
        if let int = number.int { return .int(Int(int)) }
        return .float(number.float ?? 0)
    }

    private func variable(_ name: String, node: TemplateOperand) throws -> TemplateValue {
        guard let found = variables.last(where: { $0.name == name }) else {
            throw error(at: node.position, context: node.text, "undefined variable: \(name)")
        }
        return found.value
    }

    private func evalFields(_ receiver: TemplateValue, _ fields: [String], node: TemplateOperand, hasArguments: Bool)
        throws -> TemplateValue
    {
        var value = receiver
        for (index, field) in fields.enumerated() {
            let last = index == fields.count - 1
            switch value {
            case .labels:
                if last && hasArguments { throw error(at: node.position, context: node.text, "\(field) is not a method but has arguments") }
                value = .string(data.value(field) ?? "")
            case .map(let map):
                if last && hasArguments { throw error(at: node.position, context: node.text, "\(field) is not a method but has arguments") }
                value = map[field] ?? .none
            case .time(let time):
                value = try timeMethod(time, [field], arguments: [], final: nil, dot: .none, node: node)
            case .none:
                throw error(at: node.position, context: node.text, "nil pointer evaluating interface {}.\(field)")
            default:
                throw error(at: node.position, context: node.text, "can't evaluate field \(field) in type \(value.typeName)")
            }
        }
        return value
    }

    private func timeMethod(_ time: GoTimeValue, _ fields: [String], arguments: [TemplateOperand], final: TemplateValue?,
                            dot: TemplateValue, node: TemplateOperand) throws -> TemplateValue
    {
        guard let method = fields.last else { return .time(time) }
        var values = try arguments.map { try evalOperand($0, dot: dot) }
        if let final { values.append(final) }
        switch (method, values.count) {
        case ("Unix", 0): return .int64(time.unixSeconds)
        case ("UnixMilli", 0): return .int64(time.unixSeconds * 1000 + Int64(time.nanosecond / 1_000_000))
        case ("UnixMicro", 0): return .int64(time.unixSeconds * 1_000_000 + Int64(time.nanosecond / 1000))
        case ("UnixNano", 0): return .int64(time.nanos)
        case ("UTC", 0): return .time(GoTimeValue(nanos: time.nanos, offsetSeconds: 0, zoneName: "UTC"))
        case ("Local", 0): return .time(GoTimeValue(nanos: time.nanos, offsetSeconds: 0, zoneName: "UTC"))
        case ("String", 0): return .string(GoFormat.print(.time(time), labels: nil))
        case ("Year", 0): return .int(GoTimeFormat.civilDate(time.unixSeconds + Int64(time.offsetSeconds)).year)
        case ("Day", 0): return .int(GoTimeFormat.civilDate(time.unixSeconds + Int64(time.offsetSeconds)).day)
        case ("Hour", 0): return .int(GoTimeFormat.civilDate(time.unixSeconds + Int64(time.offsetSeconds)).hour)
        case ("Minute", 0): return .int(GoTimeFormat.civilDate(time.unixSeconds + Int64(time.offsetSeconds)).minute)
        case ("Second", 0): return .int(GoTimeFormat.civilDate(time.unixSeconds + Int64(time.offsetSeconds)).second)
        case ("Nanosecond", 0): return .int(time.nanosecond)
        case ("Format", 1):
            guard case .string(let layout) = values[0] else {
                throw error(at: node.position, context: node.text, "wrong type for value; expected string; got \(values[0].typeName)")
            }
            return .string(GoTimeFormat.format(time, layout: layout))
        default:
            throw error(at: node.position, context: node.text, "can't evaluate field \(method) in type time.Time")
        }
    }
}

