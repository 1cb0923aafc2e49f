import FjordModel
import Yams

/// Renders rule groups back to Prometheus rule-group YAML: rule files (`groups: [...]`), the Loki API's
/// `namespace: [groups]` listing and single groups. Field order and omitted empty fields follow `rulefmt`
/// (`name`, `interval`, `limit`, `rules`; `record`/`alert`, `expr`, `for`, `keep_firing_for`, `labels`,
/// `annotations`), emitted by libyaml (2-space indentation, sequences not indented under their key).
public enum RuleYAML {
    /// A rule file's text.
    public static func file(_ groups: [RuleGroup]) -> String {
        emit(Node([(Node("groups"), Node(groups.map(node(for:))))]))
    }

    /// `GET /loki/api/v1/rules`: `namespace: [groups]`, namespaces in the given order.
    public static func namespaces(_ namespaces: [RuleNamespace]) -> String {
        emit(Node(namespaces.map { (Node($0.name), Node($0.groups.map(node(for:)))) }))
    }

    /// `GET /loki/api/v1/rules/{namespace}/{group}`: one group.
    public static func group(_ group: RuleGroup) -> String { emit(node(for: group)) }

    static func node(for group: RuleGroup) -> Node {
        var pairs: [(Node, Node)] = [(Node("name"), Node(group.name))]
        if let interval = group.intervalNanos { pairs.append((Node("interval"), Node(PromDuration.format(interval)))) }
        if group.limit > 0 { pairs.append((Node("limit"), Node(String(group.limit), .implicit, .plain))) }
        pairs.append((Node("rules"), Node(group.rules.map(node(for:)))))
        return Node(pairs)
    }

    static func node(for rule: Rule) -> Node {
        var pairs: [(Node, Node)] = []
        switch rule.kind {
        case .alerting(let name): pairs.append((Node("alert"), Node(name)))
        case .recording(let name): pairs.append((Node("record"), Node(name)))
        }
        pairs.append((Node("expr"), Node(rule.expr)))
        if rule.forNanos != 0 { pairs.append((Node("for"), Node(PromDuration.format(rule.forNanos)))) }
        if rule.keepFiringForNanos != 0 {
            pairs.append((Node("keep_firing_for"), Node(PromDuration.format(rule.keepFiringForNanos))))
        }
        if !rule.labels.isEmpty { pairs.append((Node("labels"), mapping(rule.labels))) }
        if !rule.annotations.isEmpty { pairs.append((Node("annotations"), mapping(rule.annotations))) }
        return Node(pairs)
    }

    private static func mapping(_ labels: Labels) -> Node {
        Node(labels.map { (Node($0.name), Node($0.value)) })
    }

    private static func emit(_ node: Node) -> String {
        do {
            return try Yams.serialize(node: node, indent: 2, width: -1, allowUnicode: true, newLineScalarStyle: .literal)
        } catch {
            preconditionFailure("RuleYAML: serializing a node built from strings failed: \(error)")
        }
    }
}
