/// Applies `relabel_configs` to a target's label set exactly as Prometheus' `relabel.Process` does: rules in order,
/// `nil` when a `keep`/`drop` rule drops the target.
public enum Relabeler {
    public static func process(_ input: [String: String], _ rules: [RelabelRule]) -> [String: String]? {
        var labels = input
        for rule in rules {
            guard apply(rule, to: &labels) else { return nil }
        }
        return labels
    }

    /// Applies one rule; false when the target is dropped.
    static func apply(_ rule: RelabelRule, to labels: inout [String: String]) -> Bool {
        let value = rule.sourceLabels.map { labels[$0] ?? "" }.joined(separator: rule.separator)
        switch rule.action {
        case .drop:
            if rule.regex.fullyMatches(value) { return false }
        case .keep:
            if !rule.regex.fullyMatches(value) { return false }
        case .dropequal:
            if labels[rule.targetLabel] ?? "" == value { return false }
        case .keepequal:
            if labels[rule.targetLabel] ?? "" != value { return false }
        case .replace:
            guard let groups = groups(rule, value) else { return true }
            let target = GoRegexpExpand.expand(rule.targetLabel, groups: groups, names: rule.regex.groupNames)
            guard isValidLabelName(target) else { return true }
            let result = GoRegexpExpand.expand(rule.replacement, groups: groups, names: rule.regex.groupNames)
            if result.isEmpty {
                labels.removeValue(forKey: target)
            } else {
                labels[target] = result
            }
        case .lowercase:
            labels[rule.targetLabel] = value.lowercased()
        case .uppercase:
            labels[rule.targetLabel] = value.uppercased()
        case .hashmod:
            let digest = MD5.digest(Array(value.utf8))
            var tail: UInt64 = 0
            for byte in digest[8..<16] { tail = tail << 8 | UInt64(byte) }
            labels[rule.targetLabel] = String(tail % rule.modulus)
        case .labelmap:
            for (name, labelValue) in labels.sorted(by: { $0.key < $1.key }) {
                guard let groups = groups(rule, name) else { continue }
                let target = GoRegexpExpand.expand(rule.replacement, groups: groups, names: rule.regex.groupNames)
                labels[target] = labelValue
            }
        case .labeldrop:
            for name in labels.keys where rule.regex.fullyMatches(name) { labels.removeValue(forKey: name) }
        case .labelkeep:
            for name in labels.keys where !rule.regex.fullyMatches(name) { labels.removeValue(forKey: name) }
        }
        return true
    }

    /// The capture groups of a full match of `value`, as strings ("" for groups that did not take part).
    static func groups(_ rule: RelabelRule, _ value: String) -> [String]? {
        guard let ranges = rule.regex.firstMatch(in: value, anchor: .both) else { return nil }
        let utf8 = Array(value.utf8)
        return ranges.map { range in range.map { String(decoding: utf8[$0], as: UTF8.self) } ?? "" }
    }

    /// Prometheus' label name rule `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A)
        else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}

/// Go's `regexp.Expand` template language: `$1`, `${1}`, `$name`, `${name}`, `$$`. A name is the longest run of
/// letters, digits and `_`; unknown groups expand to "".
enum GoRegexpExpand {
    static func expand(_ template: String, groups: [String], names: [String?]) -> String {
        guard template.contains("$") else { return template }
        var out = ""
        let chars = Array(template.unicodeScalars)
        var index = 0
        while index < chars.count {
            let c = chars[index]
            guard c == "$", index + 1 < chars.count else {
                out.unicodeScalars.append(c)
                index += 1
                continue
            }
            let next = chars[index + 1]
            if next == "$" {
                out += "$"
                index += 2
                continue
            }
            var name = ""
            var end = index + 1
            if next == "{" {
                var cursor = index + 2
                while cursor < chars.count, chars[cursor] != "}" {
                    name.unicodeScalars.append(chars[cursor])
                    cursor += 1
                }
                guard cursor < chars.count, !name.isEmpty, name.unicodeScalars.allSatisfy(isNameScalar) else {
                    out += "$"
                    index += 1
                    continue
                }
                end = cursor + 1
            } else {
                while end < chars.count, isNameScalar(chars[end]) {
                    name.unicodeScalars.append(chars[end])
                    end += 1
                }
                guard !name.isEmpty else {
                    out += "$"
                    index += 1
                    continue
                }
            }
            if let number = Int(name) {
                if number < groups.count { out += groups[number] }
            } else if let position = names.firstIndex(where: { $0 == name }), position < groups.count {
                out += groups[position]
            }
            index = end
        }
        return out
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
    }
}
