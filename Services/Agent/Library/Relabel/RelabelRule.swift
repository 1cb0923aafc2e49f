import FjordRegex

/// One Prometheus `relabel_configs` rule, compiled. ``Relabeler`` applies a list of them.
public struct RelabelRule: Sendable {
    /// Prometheus' relabel actions.
    public enum Action: String, Sendable, CaseIterable {
        case replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase, keepequal, dropequal
    }

    public var sourceLabels: [String] = []
    public var separator = ";"
    /// The pattern as written (before Prometheus' `^(?:…)$` anchoring).
    public var regexText = "(.*)"
    public var regex: RE2Regex
    public var modulus: UInt64 = 0
    public var targetLabel = ""
    public var replacement = "$1"
    public var action = Action.replace

    public init(regex: String = "(.*)") throws(RegexError) {
        regexText = regex
        self.regex = try RE2Regex("^(?:\(regex))$")
    }

    /// Parses one rule from its YAML fields, checking what Prometheus checks.
    static func parse(_ fields: YAMLFields) throws(AgentConfigError) -> RelabelRule {
        let regexText = try fields.string("regex", default: "(.*)")
        var rule: RelabelRule
        do {
            rule = try RelabelRule(regex: regexText)
        } catch {
            throw AgentConfigError("\(fields.child("regex")): \(error)")
        }
        rule.sourceLabels = try fields.strings("source_labels") ?? []
        rule.separator = try fields.string("separator", default: ";")
        rule.targetLabel = try fields.string("target_label", default: "")
        rule.replacement = try fields.string("replacement", default: "$1")
        rule.modulus = UInt64(max(0, try fields.int("modulus", default: 0)))
        let actionText = try fields.string("action", default: "replace").lowercased()
        guard let action = Action(rawValue: actionText) else {
            throw AgentConfigError("\(fields.child("action")): unknown relabel action \"\(actionText)\"")
        }
        rule.action = action
        try fields.finish()
        switch action {
        case .replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal:
            if rule.targetLabel.isEmpty {
                throw AgentConfigError("\(fields.path): relabel configuration for \(action.rawValue) action requires 'target_label' value")
            }
        default:
            break
        }
        if action == .hashmod, rule.modulus == 0 {
            throw AgentConfigError("\(fields.path): relabel configuration for hashmod requires non-zero modulus")
        }
        if [.labeldrop, .labelkeep].contains(action),
           !rule.sourceLabels.isEmpty || !rule.targetLabel.isEmpty || rule.replacement != "$1" {
            throw AgentConfigError("\(fields.path): \(action.rawValue) action requires only 'regex', and no other fields")
        }
        return rule
    }
}
