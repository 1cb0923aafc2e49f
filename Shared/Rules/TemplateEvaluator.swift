import FjordModel

/// A value inside a template.
enum TemplateValue {
    case string(String)
    case number(Double)
    case integer(Int)
    case labels(Labels)
    /// A missing map entry: prints `<no value>` like Go.
    case missing

    /// How Go's `text/template` prints the value (`fmt.Print`).
    var printed: String {
        switch self {
        case .string(let text): return text
        case .number(let value): return GoFloat.formatShortest(value)
        case .integer(let value): return String(value)
        case .labels(let labels): return "map[" + labels.map { "\($0.name):\($0.value)" }.joined(separator: " ") + "]"
        case .missing: return "<no value>"
        }
    }

    /// Go's type name in error texts.
    var goType: String {
        switch self {
        case .string: return "string"
        case .number: return "float64"
        case .integer: return "int"
        case .labels: return "map[string]string"
        case .missing: return "<nil>"
        }
    }
}

/// Runs a parsed pipeline against ``TemplateData``.
struct TemplateEvaluator {
    let data: TemplateData

    func run(_ pipeline: TemplatePipeline) throws(TemplateError) -> TemplateValue {
        var previous: TemplateValue?
        for command in pipeline.commands {
            if case .function(let name) = command[0] {
                var arguments: [TemplateValue] = []
                for operand in command.dropFirst() { arguments.append(try value(of: operand)) }
                if let previous { arguments.append(previous) }
                previous = try TemplateFunctions.call(name, arguments)
            } else {
                previous = try value(of: command[0])
            }
        }
        return previous ?? .missing
    }

    func value(of operand: TemplateOperand) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .string(let text): return .string(text)
        case .number(let value): return .number(value)
        case .integer(let value): return .integer(value)
        case .function(let name): throw TemplateError("\(name) is a function")
        case .variable(let name, let fields):
            let root: TemplateValue
            switch name {
            case "$labels": root = .labels(data.labels)
            case "$value": root = .number(data.value)
            case "$externalLabels": root = .labels(data.externalLabels)
            case "$externalURL": root = .string(data.externalURL)
            default: return try lookup(fields)
            }
            return try descend(root, fields)
        case .field(let fields):
            return try lookup(fields)
        }
    }

    /// `.Field.sub...` on the data.
    private func lookup(_ fields: [String]) throws(TemplateError) -> TemplateValue {
        guard let first = fields.first else { throw TemplateError("the template data cannot be printed as a whole") }
        let root: TemplateValue
        switch first {
        case "Labels": root = .labels(data.labels)
        case "Value": root = .number(data.value)
        case "ExternalLabels": root = .labels(data.externalLabels)
        case "ExternalURL": root = .string(data.externalURL)
        default: throw TemplateError("can't evaluate field \(first) in type template.tmplData")
        }
        return try descend(root, Array(fields.dropFirst()))
    }

    private func descend(_ root: TemplateValue, _ fields: [String]) throws(TemplateError) -> TemplateValue {
        var current = root
        for field in fields {
            guard case .labels(let labels) = current else {
                throw TemplateError("can't evaluate field \(field) in type \(current.goType)")
            }
            current = labels[field].map(TemplateValue.string) ?? .missing
        }
        return current
    }
}
