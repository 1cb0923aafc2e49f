/// The parsed form of a Go `text/template` (the subset Loki users write in `line_format` / `label_format`).
/// Every node keeps its byte offset in the template for Go-style error positions (`line:1:3`).
indirect enum TemplateNode: Sendable {
    case text([UInt8])
    case action(TemplatePipe)
    /// `if`, `with`: branch on the pipe's value.
    case branch(kind: BranchKind, pipe: TemplatePipe, list: [TemplateNode], elseList: [TemplateNode]?, position: Int)
    /// `range`: iterate the pipe's value.
    case range(pipe: TemplatePipe, list: [TemplateNode], elseList: [TemplateNode]?, position: Int)
    case `break`(position: Int)
    case `continue`(position: Int)

    enum BranchKind: Sendable {
        case `if`, with
    }
}

/// `$x := cmd | cmd …`.
struct TemplatePipe: Sendable {
    var declarations: [String]
    /// `=` assigns an existing variable instead of declaring one.
    var isAssign: Bool
    var commands: [TemplateCommand]
    var position: Int

    var text: String {
        var out = ""
        if !declarations.isEmpty {
            out = declarations.joined(separator: ", ") + (isAssign ? " = " : " := ")
        }
        return out + commands.map(\.text).joined(separator: " | ")
    }
}

/// One command of a pipe: operands separated by spaces (the first may be a function).
struct TemplateCommand: Sendable {
    var arguments: [TemplateOperand]
    var position: Int

    var text: String {
        arguments.map { argument in
            if case .pipe(let pipe, _) = argument { return "(" + pipe.text + ")" }
            return argument.text
        }.joined(separator: " ")
    }
}

/// An operand of a command.
indirect enum TemplateOperand: Sendable {
    /// `.` with optional fields: `.`, `.a.b`.
    case field([String], position: Int)
    /// `$x.f`; `$` is the data.
    case variable(String, fields: [String], position: Int)
    /// A function name.
    case identifier(String, position: Int)
    case string(String, quoted: String, position: Int)
    case number(TemplateNumber, text: String, position: Int)
    case bool(Bool, position: Int)
    case `nil`(position: Int)
    /// `( pipe )`.
    case pipe(TemplatePipe, position: Int)
    /// `(pipe).f.g` or `$x.f` style chains on a parenthesised pipe.
    case chain(TemplateOperand, fields: [String], position: Int)

    var position: Int {
        switch self {
        case .field(_, let p), .variable(_, _, let p), .identifier(_, let p), .string(_, _, let p), .number(_, _, let p),
             .bool(_, let p), .nil(let p), .pipe(_, let p), .chain(_, _, let p):
            return p
        }
    }

    var text: String {
        switch self {
        case .field(let names, _): return names.isEmpty ? "." : names.map { "." + $0 }.joined()
        case .variable(let name, let fields, _): return name + fields.map { "." + $0 }.joined()
        case .identifier(let name, _): return name
        case .string(_, let quoted, _): return quoted
        case .number(_, let text, _): return text
        case .bool(let value, _): return value ? "true" : "false"
        case .nil: return "nil"
        case .pipe(let pipe, _): return "(" + pipe.text + ")"
        case .chain(let base, let fields, _): return base.text + fields.map { "." + $0 }.joined()
        }
    }
}

/// A number constant; Go keeps both an integer and a float reading where they are exact.
struct TemplateNumber: Sendable {
    var int: Int64?
    var float: Double?
    /// A character constant such as `'a'`.
    var isCharacter: Bool
}

/// A template could not be parsed; `message` is Go's text (`template: line:1: function "x" not defined`).
struct TemplateParseError: Error {
    let message: String
}
