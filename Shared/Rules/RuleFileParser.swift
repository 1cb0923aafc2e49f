import FjordLogQL
import FjordModel
import Yams

/// Parses Prometheus rule-group YAML with LogQL expressions, strictly and with line numbers, and validates it the
/// way Loki's ruler does (`pkg/ruler/compat.go` `ValidateGroups`, Prometheus `rulefmt`): unknown fields, missing or
/// doubled `alert`/`record`, expressions that are not LogQL metric queries, bad names, durations and templates are
/// all reported with the file, the line and the reason.
///
/// ```yaml
/// groups:
///   - name: errors
///     interval: 1m            # optional; the ruler's evaluation_interval otherwise
///     limit: 0                # optional
///     rules:
///       - alert: HighErrorRate
///         expr: sum(rate({app="oneiric"} | json | level="error" [5m])) > 1
///         for: 5m
///         keep_firing_for: 0s
///         labels: {severity: page}
///         annotations: {summary: "{{ $value }} errors/s"}
///       - record: oneiric:errors:rate5m
///         expr: sum(rate({app="oneiric"} | json | level="error" [5m]))
/// ```
public enum RuleFileParser {
    /// A whole rule file (`groups: [...]`). An empty file has no groups.
    public static func parseFile(_ text: String, file: String) throws(RuleFileErrors) -> [RuleGroup] {
        var context = ParseContext(file: file)
        guard let root = try compose(text, context: context) else { return [] }
        guard let mapping = root.mapping else {
            throw RuleFileErrors([context.error(root, "the top level must be a mapping with a \"groups\" list")])
        }
        var groupsNode: Node?
        for (keyNode, valueNode) in mapping {
            if keyNode.string == "groups" {
                groupsNode = valueNode
            } else {
                context.errors.append(context.error(keyNode, "field \(keyNode.string ?? "?") not found in type rulefmt.RuleGroups"))
            }
        }
        var groups: [RuleGroup] = []
        if let groupsNode, !isNull(groupsNode) {
            if let sequence = groupsNode.sequence {
                var seen: [String: Int] = [:]
                for (index, node) in sequence.enumerated() {
                    guard let group = parseGroup(node, index: index, context: &context) else { continue }
                    if let first = seen[group.name] {
                        context.errors.append(context.error(node, "groupname: \"\(group.name)\" is repeated in the same file (first on line \(first))"))
                    }
                    seen[group.name] = line(node)
                    groups.append(group)
                }
            } else {
                context.errors.append(context.error(groupsNode, "groups must be a list of rule groups"))
            }
        }
        if !context.errors.isEmpty { throw RuleFileErrors(context.errors) }
        return groups
    }

    /// One rule group, as `POST /loki/api/v1/rules/{namespace}` receives it. `source` names it in errors.
    /// Loki also requires at least one rule here.
    public static func parseGroup(_ text: String, source: String = "") throws(RuleFileErrors) -> RuleGroup {
        var context = ParseContext(file: source)
        guard let root = try compose(text, context: context), root.mapping != nil else {
            throw RuleFileErrors([RuleFileError(file: source, line: 0, reason: "unable to decoded rule group")])
        }
        guard let group = parseGroup(root, index: 0, context: &context), context.errors.isEmpty else {
            throw RuleFileErrors(context.errors)
        }
        if group.rules.isEmpty {
            throw RuleFileErrors([context.error(root, "invalid rules config: rule group '\(group.name)' has no rules")])
        }
        return group
    }

    // MARK: Groups and rules

    private static func parseGroup(_ node: Node, index: Int, context: inout ParseContext) -> RuleGroup? {
        guard let mapping = node.mapping else {
            context.errors.append(context.error(node, "group \(index + 1) must be a mapping"))
            return nil
        }
        var name: String?
        var interval: Int64?
        var limit = 0
        var rules: [Rule] = []
        var rulesNode: Node?
        let errorsBefore = context.errors.count
        for (keyNode, valueNode) in mapping {
            switch keyNode.string ?? "" {
            case "name": name = context.scalar(valueNode, "name")
            case "interval":
                if let nanos = context.duration(valueNode, "interval") {
                    if nanos <= 0 {
                        context.errors.append(context.error(valueNode, "interval must be greater than 0"))
                    }
                    interval = nanos
                }
            case "limit":
                if let text = context.scalar(valueNode, "limit") {
                    if let value = Int(text), value >= 0 {
                        limit = value
                    } else {
                        context.errors.append(context.error(valueNode, "limit must be a non-negative whole number, got \(text)"))
                    }
                }
            case "rules": rulesNode = valueNode
            default:
                context.errors.append(context.error(keyNode, "field \(keyNode.string ?? "?") not found in type rulefmt.RuleGroup"))
            }
        }
        let groupName = name ?? ""
        if groupName.isEmpty {
            context.errors.append(context.error(node, "group \(index + 1): Groupname must not be empty"))
        }
        if let rulesNode, !isNull(rulesNode) {
            if let sequence = rulesNode.sequence {
                for (ruleIndex, ruleNode) in sequence.enumerated() {
                    if let rule = parseRule(ruleNode, group: groupName, index: ruleIndex, context: &context) {
                        rules.append(rule)
                    }
                }
            } else {
                context.errors.append(context.error(rulesNode, "rules must be a list"))
            }
        }
        guard context.errors.count == errorsBefore else { return nil }
        return RuleGroup(name: groupName, intervalNanos: interval, limit: limit, rules: rules)
    }

    private static func parseRule(_ node: Node, group: String, index: Int, context: inout ParseContext) -> Rule? {
        guard let mapping = node.mapping else {
            context.errors.append(context.error(node, "group \"\(group)\", rule \(index + 1): a rule must be a mapping"))
            return nil
        }
        var fields = RuleFields()
        var problems: [(Node, String)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "alert": fields.alert = (context.scalar(valueNode, "alert"), valueNode)
            case "record": fields.record = (context.scalar(valueNode, "record"), valueNode)
            case "expr": fields.expr = (context.scalar(valueNode, "expr"), valueNode)
            case "for": fields.forNanos = (context.duration(valueNode, "for"), valueNode)
            case "keep_firing_for": fields.keepFiringFor = (context.duration(valueNode, "keep_firing_for"), valueNode)
            case "labels": fields.labels = (context.stringMap(valueNode, "labels"), valueNode)
            case "annotations": fields.annotations = (context.stringMap(valueNode, "annotations"), valueNode)
            default: problems.append((keyNode, "field \(key) not found in type rulefmt.RuleNode"))
            }
        }
        let alert = fields.alert?.0 ?? ""
        let record = fields.record?.0 ?? ""
        let ruleName = alert.isEmpty ? record : alert
        let prefix = "group \"\(group)\", rule \(index + 1), \"\(ruleName)\": "
        for (problemNode, message) in problems { context.errors.append(context.error(problemNode, prefix + message)) }
        let errorsBefore = context.errors.count
        func fail(_ at: Node?, _ message: String) {
            context.errors.append(context.error(at ?? node, prefix + message))
        }
        if !alert.isEmpty && !record.isEmpty { fail(node, "only one of 'record' and 'alert' must be set") }
        if alert.isEmpty && record.isEmpty { fail(node, "one of 'record' or 'alert' must be set") }
        let expr = fields.expr?.0 ?? ""
        if expr.trimmingWhitespace().isEmpty {
            fail(fields.expr?.1, "field 'expr' must be set in rule")
        } else {
            do {
                _ = try LogQLParser.parseSampleExpr(expr)
            } catch {
                let what = record.isEmpty ? "alert '\(alert)'" : "record '\(record)'"
                fail(fields.expr?.1, "could not parse expression for \(what) in group '\(group)': \(error.message)")
            }
        }
        let labels = fields.labels?.0 ?? []
        let annotations = fields.annotations?.0 ?? []
        if !record.isEmpty {
            if !annotations.isEmpty { fail(fields.annotations?.1, "invalid field 'annotations' in recording rule") }
            if (fields.forNanos?.0 ?? 0) != 0 { fail(fields.forNanos?.1, "invalid field 'for' in recording rule") }
            if (fields.keepFiringFor?.0 ?? 0) != 0 {
                fail(fields.keepFiringFor?.1, "invalid field 'keep_firing_for' in recording rule")
            }
            if !RuleNames.isValidMetricName(record) { fail(fields.record?.1, "invalid recording rule name: \(record)") }
        }
        for (key, value) in labels {
            if !RuleNames.isValidLabelName(key) || key == "__name__" { fail(fields.labels?.1, "invalid label name: \(key)") }
            if !alert.isEmpty { checkTemplate(value, alert: alert, what: "label \"\(key)\"", at: fields.labels?.1, fail: fail) }
        }
        for (key, value) in annotations {
            if !RuleNames.isValidLabelName(key) { fail(fields.annotations?.1, "invalid annotation name: \(key)") }
            checkTemplate(value, alert: alert, what: "annotation \"\(key)\"", at: fields.annotations?.1, fail: fail)
        }
        guard context.errors.count == errorsBefore, problems.isEmpty else { return nil }
        let kind: Rule.Kind = alert.isEmpty ? .recording(record) : .alerting(alert)
        return Rule(kind: kind, expr: expr, forNanos: fields.forNanos?.0 ?? 0,
                    keepFiringForNanos: fields.keepFiringFor?.0 ?? 0,
                    labels: Labels(labels.map { LabelPair($0.0, $0.1) }),
                    annotations: Labels(annotations.map { LabelPair($0.0, $0.1) }))
    }

    private static func checkTemplate(_ text: String, alert: String, what: String, at node: Node?,
                                      fail: (Node?, String) -> Void) {
        guard text.contains("{{") else { return }
        do {
            _ = try AlertTemplate(text, name: "__alert_" + alert)
        } catch {
            fail(node, "invalid template in \(what): \(error.message)")
        }
    }

    /// The fields of one rule as read, with the nodes errors point at.
    private struct RuleFields {
        var alert: (String?, Node)?
        var record: (String?, Node)?
        var expr: (String?, Node)?
        var forNanos: (Int64?, Node)?
        var keepFiringFor: (Int64?, Node)?
        var labels: ([(String, String)]?, Node)?
        var annotations: ([(String, String)]?, Node)?
    }

    // MARK: YAML helpers

    private static func compose(_ text: String, context: ParseContext) throws(RuleFileErrors) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (line, problem) = describe(error)
            throw RuleFileErrors([RuleFileError(file: context.file, line: line, reason: "invalid YAML: \(problem)")])
        } catch {
            throw RuleFileErrors([RuleFileError(file: context.file, line: 0, reason: "invalid YAML: \(error)")])
        }
    }

    private static func describe(_ error: YamlError) -> (Int, String) {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return (mark.line, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line, "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))")
        default:
            return (0, "\(error)")
        }
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && (scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null")
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }
}

/// Errors collected while parsing one file, and typed readers for scalar fields.
struct ParseContext {
    var file: String
    var errors: [RuleFileError] = []

    init(file: String) { self.file = file }

    func error(_ node: Node, _ reason: String) -> RuleFileError {
        RuleFileError(file: file, line: RuleFileParser.line(node), reason: reason)
    }

    mutating func scalar(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            errors.append(error(node, "\(field) must be a string"))
            return nil
        }
        return scalar.string
    }

    mutating func duration(_ node: Node, _ field: String) -> Int64? {
        guard let text = scalar(node, field) else { return nil }
        do {
            return try PromDuration.parse(text)
        } catch {
            errors.append(self.error(node, "\(field): \(error.message)"))
            return nil
        }
    }

    mutating func stringMap(_ node: Node, _ field: String) -> [(String, String)]? {
        if RuleFileParser.isNull(node) { return [] }
        guard let mapping = node.mapping else {
            errors.append(error(node, "\(field) must be a mapping of names to strings"))
            return nil
        }
        var pairs: [(String, String)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = scalar(keyNode, "\(field) name"), let value = scalar(valueNode, "\(field) value") else { continue }
            pairs.append((key, value))
        }
        return pairs
    }
}
