import Yams
import FjordLogQL
import FjordModel
import FjordPipeline
import FjordRegex

/// One `pipeline_stages` entry, parsed and checked (regexes compiled, selectors parsed). ``AgentPipeline`` builds
/// fresh stage instances from these for every target, so stateful stages (multiline, cri) keep state per source.
public indirect enum StageConfig: Sendable {
    case docker
    case cri(maxPartialLines: Int, maxPartialLineSize: Int)
    case json(expressions: [(name: String, path: JSONPath)], source: String?, dropMalformed: Bool)
    case logfmt(mapping: [(name: String, key: String)], source: String?)
    case regex(RE2Regex, source: String?)
    case labels([(name: String, source: String)])
    case structuredMetadata([(name: String, source: String)])
    case timestamp(TimestampStageConfig)
    case output(source: String)
    case template(source: String, template: TemplateStageRenderer)
    case staticLabels([(name: String, value: String)])
    case labelDrop([String])
    case labelAllow([String])
    case match(MatchStageConfig)
    case drop(DropStageConfig)
    case multiline(MultilineStageConfig)
    case tenant(TenantStageConfig)
    case decolorize
    /// `metrics`: accepted and ignored (docs/agent.md).
    case ignoredMetrics

    /// The stage's name as written in the configuration.
    public var name: String {
        switch self {
        case .docker: return "docker"
        case .cri: return "cri"
        case .json: return "json"
        case .logfmt: return "logfmt"
        case .regex: return "regex"
        case .labels: return "labels"
        case .structuredMetadata: return "structured_metadata"
        case .timestamp: return "timestamp"
        case .output: return "output"
        case .template: return "template"
        case .staticLabels: return "static_labels"
        case .labelDrop: return "labeldrop"
        case .labelAllow: return "labelallow"
        case .match: return "match"
        case .drop: return "drop"
        case .multiline: return "multiline"
        case .tenant: return "tenant"
        case .decolorize: return "decolorize"
        case .ignoredMetrics: return "metrics"
        }
    }
}

/// `timestamp` stage settings.
public struct TimestampStageConfig: Sendable {
    public var source = ""
    public var format = ""
    public var fallbackFormats: [String] = []
    public var location = ""
    /// `fudge` (default) or `skip`.
    public var fudgeOnFailure = true
}

/// `match` stage settings.
public struct MatchStageConfig: Sendable {
    public var selector: String
    public var matchers: [LabelMatcher]
    /// Line filters of the selector (`{app="x"} |= "error"`), nil when there are none.
    public var filters: LogPipeline?
    public var dropEntries: Bool
    public var dropRatio: Double
    public var dropCounterReason: String
    public var stages: [StageConfig]
}

/// `drop` stage settings: every condition given must hold for the entry to be dropped.
public struct DropStageConfig: Sendable {
    public var sources: [String] = []
    public var separator = ";"
    public var value: String?
    public var expression: RE2Regex?
    public var olderThanNanos: Int64?
    public var longerThanBytes: Int?
    public var dropCounterReason = "drop_stage"
}

/// `multiline` stage settings.
public struct MultilineStageConfig: Sendable {
    public var firstLine: RE2Regex
    public var maxWaitNanos: Int64 = 3_000_000_000
    public var maxLines = 128
}

/// `tenant` stage settings: a fixed value, an extracted value or a label.
public struct TenantStageConfig: Sendable {
    public var value = ""
    public var source = ""
    public var label = ""
}

/// Parses `pipeline_stages` lists.
enum StageConfigParser {
    static let supported = [
        "docker", "cri", "json", "logfmt", "regex", "labels", "structured_metadata", "timestamp", "output", "template",
        "static_labels", "labeldrop", "labelallow", "match", "drop", "multiline", "tenant", "decolorize", "metrics",
    ]

    static func parseList(_ items: [(Node, String)]) throws(AgentConfigError) -> [StageConfig] {
        var stages: [StageConfig] = []
        for (node, path) in items {
            let wrapper = try YAMLFields(node, path: path)
            guard wrapper.keys.count == 1, let name = wrapper.keys.first else {
                throw AgentConfigError("\(path): a pipeline stage must be a mapping with exactly one key (the stage name)")
            }
            guard supported.contains(name) else {
                throw AgentConfigError("\(path): unsupported pipeline stage \"\(name)\" (see docs/agent.md)")
            }
            stages.append(try parse(name, wrapper, path: wrapper.child(name)))
        }
        return stages
    }

    private static func parse(_ name: String, _ wrapper: YAMLFields, path: String) throws(AgentConfigError) -> StageConfig {
        // Stages whose body is a list rather than a mapping.
        if name == "labeldrop" || name == "labelallow" {
            let names = try wrapper.strings(name) ?? []
            return name == "labeldrop" ? .labelDrop(names) : .labelAllow(names)
        }
        if name == "metrics" {
            _ = wrapper.node(name)
            return .ignoredMetrics
        }
        let fields = try YAMLFields(wrapper.node(name), path: path)
        let stage: StageConfig
        switch name {
        case "docker":
            stage = .docker
        case "cri":
            stage = .cri(maxPartialLines: try fields.int("max_partial_lines", default: 100),
                         maxPartialLineSize: try fields.bytes("max_partial_line_size", default: 0))
            _ = try fields.bool("max_partial_line_size_truncate", default: false)
        case "decolorize":
            stage = .decolorize
        case "json":
            var expressions: [(name: String, path: JSONPath)] = []
            for (key, expression) in try fields.stringMap("expressions") ?? [] {
                let text = expression.isEmpty ? key : expression
                do {
                    expressions.append((key, try JSONPath(text)))
                } catch {
                    throw AgentConfigError("\(fields.child("expressions")).\(key): \(error)")
                }
            }
            stage = .json(expressions: expressions, source: try fields.string("source"),
                          dropMalformed: try fields.bool("drop_malformed", default: false))
        case "logfmt":
            let mapping = (try fields.stringMap("mapping") ?? []).map { (name: $0.0, key: $0.1.isEmpty ? $0.0 : $0.1) }
            stage = .logfmt(mapping: mapping, source: try fields.string("source"))
        case "regex":
            guard let expression = try fields.string("expression"), !expression.isEmpty else {
                throw AgentConfigError("\(path): expression is required")
            }
            let regex = try compile(expression, at: fields.child("expression"))
            guard regex.groupNames.contains(where: { $0 != nil }) else {
                throw AgentConfigError("\(fields.child("expression")): the expression has no named capture group")
            }
            stage = .regex(regex, source: try fields.string("source"))
        case "labels", "structured_metadata":
            var pairs: [(name: String, source: String)] = []
            for (label, source) in try YAMLFields.requireMap(wrapper, name) {
                guard Relabeler.isValidLabelName(label) else {
                    throw AgentConfigError("\(path): invalid label name \"\(label)\"")
                }
                pairs.append((label, source.isEmpty ? label : source))
            }
            return name == "labels" ? .labels(pairs) : .structuredMetadata(pairs)
        case "static_labels":
            let pairs = try YAMLFields.requireMap(wrapper, name).map { (name: $0.0, value: $0.1) }
            for pair in pairs where !Relabeler.isValidLabelName(pair.name) {
                throw AgentConfigError("\(path): invalid label name \"\(pair.name)\"")
            }
            return .staticLabels(pairs)
        case "timestamp":
            stage = .timestamp(try parseTimestamp(fields, path: path))
        case "output":
            guard let source = try fields.string("source"), !source.isEmpty else {
                throw AgentConfigError("\(path): source is required")
            }
            stage = .output(source: source)
        case "template":
            guard let source = try fields.string("source"), !source.isEmpty else {
                throw AgentConfigError("\(path): source is required")
            }
            let text = try fields.string("template", default: "")
            do {
                stage = .template(source: source, template: try TemplateStageRenderer(text))
            } catch {
                throw AgentConfigError("\(fields.child("template")): \(error)")
            }
        case "match":
            stage = .match(try parseMatch(fields, path: path))
        case "drop":
            stage = .drop(try parseDrop(fields, path: path))
        case "multiline":
            guard let firstLine = try fields.string("firstline"), !firstLine.isEmpty else {
                throw AgentConfigError("\(path): firstline is required")
            }
            var config = MultilineStageConfig(firstLine: try compile(firstLine, at: fields.child("firstline")))
            config.maxWaitNanos = try fields.duration("max_wait_time", default: 3_000_000_000)
            config.maxLines = try fields.int("max_lines", default: 128)
            stage = .multiline(config)
        case "tenant":
            let config = TenantStageConfig(value: try fields.string("value", default: ""),
                                           source: try fields.string("source", default: ""),
                                           label: try fields.string("label", default: ""))
            let given = [config.value, config.source, config.label].filter { !$0.isEmpty }.count
            guard given == 1 else {
                throw AgentConfigError("\(path): exactly one of value, source and label is required")
            }
            stage = .tenant(config)
        default:
            throw AgentConfigError("\(path): unsupported pipeline stage \"\(name)\"")
        }
        try fields.finish()
        return stage
    }

    static func compile(_ pattern: String, at path: String) throws(AgentConfigError) -> RE2Regex {
        do {
            return try RE2Regex(pattern)
        } catch {
            throw AgentConfigError("\(path): \(error)")
        }
    }

    private static func parseTimestamp(_ fields: YAMLFields, path: String) throws(AgentConfigError) -> TimestampStageConfig {
        var config = TimestampStageConfig()
        config.source = try fields.string("source", default: "")
        config.format = try fields.string("format", default: "")
        guard !config.source.isEmpty, !config.format.isEmpty else {
            throw AgentConfigError("\(path): source and format are required")
        }
        config.fallbackFormats = try fields.strings("fallback_formats") ?? []
        config.location = try fields.string("location", default: "")
        guard GoTimeLayout.isKnownLocation(config.location) else {
            throw AgentConfigError("\(fields.child("location")): unknown time zone \"\(config.location)\"")
        }
        switch try fields.string("action_on_failure", default: "fudge") {
        case "fudge": config.fudgeOnFailure = true
        case "skip": config.fudgeOnFailure = false
        case let other: throw AgentConfigError("\(fields.child("action_on_failure")): must be fudge or skip, not \"\(other)\"")
        }
        return config
    }

    private static func parseMatch(_ fields: YAMLFields, path: String) throws(AgentConfigError) -> MatchStageConfig {
        guard let selector = try fields.string("selector"), !selector.isEmpty else {
            throw AgentConfigError("\(path): selector is required")
        }
        let expression: LogSelectorExpr
        do {
            expression = try LogQLParser.parseLogSelector(selector, validate: false)
        } catch {
            throw AgentConfigError("\(fields.child("selector")): \(error)")
        }
        var filters: LogPipeline?
        if !expression.pipeline.isEmpty {
            guard expression.pipeline.allSatisfy({ if case .lineFilter = $0 { return true } else { return false } }) else {
                throw AgentConfigError("\(fields.child("selector")): only line filters may follow the selector")
            }
            do {
                filters = try LogPipeline(stages: expression.pipeline)
            } catch {
                throw AgentConfigError("\(fields.child("selector")): \(error)")
            }
        }
        let action = try fields.string("action", default: "keep")
        guard action == "keep" || action == "drop" else {
            throw AgentConfigError("\(fields.child("action")): must be keep or drop, not \"\(action)\"")
        }
        _ = try fields.string("pipeline_name")
        let ratioText = try fields.string("drop_ratio")
        var ratio = 1.0
        if let ratioText {
            guard let value = Double(ratioText), (0...1).contains(value) else {
                throw AgentConfigError("\(fields.child("drop_ratio")): must be a number between 0 and 1")
            }
            ratio = value
        }
        let stages = try parseList(try fields.list("stages"))
        if action == "keep", stages.isEmpty {
            throw AgentConfigError("\(path): a match stage with action keep needs stages")
        }
        if action == "drop", !stages.isEmpty {
            throw AgentConfigError("\(path): a match stage with action drop takes no stages")
        }
        return MatchStageConfig(selector: selector, matchers: expression.matchers, filters: filters,
                                dropEntries: action == "drop", dropRatio: ratio,
                                dropCounterReason: try fields.string("drop_counter_reason", default: "match_stage"),
                                stages: stages)
    }

    private static func parseDrop(_ fields: YAMLFields, path: String) throws(AgentConfigError) -> DropStageConfig {
        var config = DropStageConfig()
        config.sources = try fields.strings("source") ?? []
        config.separator = try fields.string("separator", default: ";")
        config.value = try fields.string("value")
        if let expression = try fields.string("expression") {
            config.expression = try compile(expression, at: fields.child("expression"))
        }
        if fields.has("older_than") {
            config.olderThanNanos = try fields.duration("older_than", default: 0)
        }
        if fields.has("longer_than") {
            config.longerThanBytes = try fields.bytes("longer_than", default: 0)
        }
        config.dropCounterReason = try fields.string("drop_counter_reason", default: "drop_stage")
        if config.value != nil, config.expression != nil {
            throw AgentConfigError("\(path): value and expression cannot both be set")
        }
        if config.value != nil, config.sources.isEmpty {
            throw AgentConfigError("\(path): value requires source")
        }
        if config.sources.isEmpty, config.value == nil, config.expression == nil, config.olderThanNanos == nil,
           config.longerThanBytes == nil {
            throw AgentConfigError("\(path): at least one of source, value, expression, older_than or longer_than is required")
        }
        return config
    }
}

extension YAMLFields {
    /// A stage whose body is a plain mapping of strings (`labels`, `static_labels`).
    static func requireMap(_ wrapper: YAMLFields, _ key: String) throws(AgentConfigError) -> [(String, String)] {
        try wrapper.stringMap(key) ?? []
    }
}
