import FjordLogQL
import FjordModel
import FjordRegex

/// `label_replace(v, dst, replacement, src, regex)`: where the anchored regex matches the value of `src` (empty when
/// absent), `dst` is set to the expanded replacement (deleted when the expansion is empty). Series that end up with
/// the same labels stay separate samples, as in Loki.
struct LabelReplaceEvaluator {
    let expression: LabelReplaceExpr
    let regex: RE2Regex

    init(_ expression: LabelReplaceExpr) throws(QueryError) {
        self.expression = expression
        do {
            regex = try RE2Regex("^(?:" + expression.regex + ")$")
        } catch {
            throw QueryError(.badRequest, "parse error : invalid regex in label_replace: \(error.description)")
        }
    }

    func evaluate(_ input: SeriesSet) -> SeriesSet {
        var output = input
        var cache: [Labels: Labels] = [:]
        for position in output.series.indices {
            let labels = output.series[position].labels
            if let cached = cache[labels] {
                output.series[position].labels = cached
                continue
            }
            let replaced = replace(labels)
            cache[labels] = replaced
            output.series[position].labels = replaced
        }
        return output
    }

    func replace(_ labels: Labels) -> Labels {
        let source = labels[expression.source] ?? ""
        guard let match = regex.firstMatch(in: source) else { return labels }
        let expanded = Self.expand(expression.replacement, source: Array(source.utf8), match: match,
                                   groupNames: regex.groupNames)
        var result = labels
        result.remove(expression.destination)
        if !expanded.isEmpty { result.set(expression.destination, expanded) }
        return result
    }

    /// Go's `Regexp.ExpandString`: `$1`, `${1}`, `$name`, `${name}`, `$$`; a malformed reference is copied as text
    /// and a reference to a missing group expands to nothing.
    static func expand(_ template: String, source: [UInt8], match: [Range<Int>?], groupNames: [String?]) -> String {
        var output: [UInt8] = []
        let bytes = Array(template.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$") else {
                output.append(byte)
                index += 1
                continue
            }
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "$") {
                output.append(byte)
                index += 1
                continue
            }
            guard let (name, next) = reference(bytes, from: index) else {
                output.append(byte)
                continue
            }
            index = next
            var group: Int? = nil
            if let number = groupNumber(name) {
                group = number
            } else {
                let text = String(decoding: name, as: UTF8.self)
                group = groupNames.firstIndex { $0 == text }
            }
            if let group, group < match.count, let range = match[group] {
                output.append(contentsOf: source[range])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Parses `name` or `{name}` at `start` (letters, digits, `_`); returns the name and the index after it.
    private static func reference(_ bytes: [UInt8], from start: Int) -> ([UInt8], Int)? {
        var index = start
        let braced = index < bytes.count && bytes[index] == UInt8(ascii: "{")
        if braced { index += 1 }
        let nameStart = index
        while index < bytes.count {
            let byte = bytes[index]
            let isWord = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a)
                || (byte >= 0x61 && byte <= 0x7a) || byte == 0x5f || byte >= 0x80
            if !isWord { break }
            index += 1
        }
        if index == nameStart { return nil }
        let name = Array(bytes[nameStart..<index])
        if braced {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
        }
        return (name, index)
    }

    /// A group number: decimal digits without a leading zero, below 10^8.
    private static func groupNumber(_ name: [UInt8]) -> Int? {
        var number = 0
        for byte in name {
            guard byte >= 0x30, byte <= 0x39, number < 100_000_000 else { return nil }
            number = number * 10 + Int(byte - 0x30)
        }
        if name.count > 1, name[0] == 0x30 { return nil }
        return number
    }
}
