public import FjordModel

/// What an alert's label and annotation templates see: Prometheus' `$labels`, `$value`, `$externalLabels` and
/// `$externalURL` (also reachable as `.Labels`, `.Value`, `.ExternalLabels`, `.ExternalURL`).
public struct TemplateData: Sendable, Hashable {
    /// The labels of the sample that raised the alert.
    public var labels: Labels
    /// The sample's value.
    public var value: Double
    public var externalLabels: Labels
    public var externalURL: String

    public init(labels: Labels = Labels(), value: Double = 0, externalLabels: Labels = Labels(), externalURL: String = "") {
        self.labels = labels
        self.value = value
        self.externalLabels = externalLabels
        self.externalURL = externalURL
    }
}

/// A template that cannot be parsed or executed, in Go's `text/template` wording (`template: <name>:<line>: ...`).
public struct TemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The subset of Go's `text/template` that Prometheus alert templates use, compiled once per rule: text, and
/// actions `{{ pipeline }}` (with `{{-`/`-}}` trimming and `{{/* comments */}}`) whose pipelines are a value — a
/// variable (`$value`, `$labels`, `$labels.name`, `$externalLabels.name`, `$externalURL`), a field of the data
/// (`.Value`, `.Labels.name`), a quoted string or a number — or a function call, chained with `|`. Functions:
/// `printf`, `humanize`, `humanize1024`, `humanizePercentage`, `humanizeDuration`, `toUpper`, `toLower`, `title`,
/// `index`. Control structures (`if`, `range`, `with`, `define`) are rejected when the template is parsed.
public struct AlertTemplate: Sendable, Hashable {
    let name: String
    let pieces: [TemplatePiece]

    /// Parses `text`; `name` appears in error messages (Prometheus uses `__alert_<alertname>`).
    public init(_ text: String, name: String) throws(TemplateError) {
        self.name = name
        pieces = try TemplateParser(text: text, name: name).parse()
    }

    /// True when the text has no action (nothing to expand).
    public var isPlainText: Bool { pieces.allSatisfy { if case .text = $0 { true } else { false } } }

    /// Runs the template on `data`.
    public func execute(_ data: TemplateData) throws(TemplateError) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text):
                out += text
            case .action(let pipeline, let line):
                do {
                    out += try TemplateEvaluator(data: data).run(pipeline).printed
                } catch {
                    throw TemplateError("template: \(name):\(line): executing \"\(name)\" at <\(pipeline.source)>: \(error.message)")
                }
            }
        }
        return out
    }

    /// Prometheus' behaviour for labels and annotations: expand `text`, or on any error put
    /// `<error expanding template: ...>` in its place.
    public static func expand(_ text: String, name: String, data: TemplateData) -> String {
        guard text.contains("{{") else { return text }
        do {
            return try AlertTemplate(text, name: name).execute(data)
        } catch {
            return "<error expanding template: \(error.message)>"
        }
    }
}

/// A parsed piece of a template.
enum TemplatePiece: Sendable, Hashable {
    case text(String)
    /// An action's pipeline and the 1-based line it starts on.
    case action(TemplatePipeline, line: Int)
}

/// `command | command | ...`; the result of each command is the last argument of the next.
struct TemplatePipeline: Sendable, Hashable {
    var commands: [[TemplateOperand]]
    /// The action's text, for error messages.
    var source: String
}

/// One operand of a command.
enum TemplateOperand: Sendable, Hashable {
    /// `$name` followed by `.field` lookups.
    case variable(String, fields: [String])
    /// `.Field.field` on the template data (`fields` empty for a bare `.`).
    case field([String])
    case function(String)
    case string(String)
    case number(Double)
    case integer(Int)
}
