import Foundation

/// lcnorm's small rules (`/work/shared/lokicompat/lcnorm.py`): canonical label keys, value parsing and tolerance,
/// error-text normalisation and the canonical ordering of runs.
public enum Lcnorm {
    /// `normalize_error`: trims the text and replaces the series a pipeline error names (`for series: '{...}'.`
    /// followed by a newline; whichever erroring series Loki met first) by `<series>`.
    public static func normalizeError(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let start = trimmed.range(of: "for series: '") else { return trimmed }
        var searchFrom = start.upperBound
        while let end = trimmed.range(of: "'.", range: searchFrom..<trimmed.endIndex) {
            let rest = trimmed[end.upperBound...].drop { $0 != "\n" && $0.isWhitespace }
            if rest.first == "\n" {
                return String(trimmed[..<start.upperBound]) + "<series>" + String(trimmed[end.lowerBound...])
            }
            searchFrom = end.upperBound
        }
        return trimmed
    }

    /// `labels_key`: `{k="v", …}` with keys sorted and values JSON-quoted (`json.dumps(ensure_ascii=False)`).
    public static func labelsKey(_ labels: [String: String]) -> String {
        let keys = labels.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        return "{" + keys.map { "\($0)=\(jsonQuote(labels[$0] ?? ""))" }.joined(separator: ", ") + "}"
    }

    static func jsonQuote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `_num_key`: numbers first (by value), then unparsable texts, then NaN.
    public static func numberKey(_ text: String) -> (Int, Double) {
        guard let value = parseValue(text) else { return (1, 0) }
        if value.isNaN { return (2, 0) }
        return (0, value)
    }

    static func numberKeyLess(_ lhs: String, _ rhs: String) -> Bool {
        let left = numberKey(lhs)
        let right = numberKey(rhs)
        return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
    }

    /// Python's `float()` on a sample value.
    static func parseValue(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "+inf", "inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(text)
        }
    }

    /// `values_equal`: relative tolerance 1e-9 (absolute 1e-12 near zero); NaN and infinities exactly.
    public static func valuesEqual(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        guard let left = parseValue(lhs), let right = parseValue(rhs) else { return false }
        if left.isNaN || right.isNaN { return left.isNaN && right.isNaN }
        if left.isInfinite || right.isInfinite { return left == right }
        return abs(left - right) <= max(1e-9 * max(abs(left), abs(right)), 1e-12)
    }

    /// Orders runs of neighbours with the same key (`sameRun`) by `less`, keeping everything else in place.
    static func orderRuns<T>(_ items: inout [T], sameRun: (T, T) -> Bool, by less: (T, T) -> Bool) {
        var start = 0
        while start < items.count {
            var end = start + 1
            while end < items.count, sameRun(items[start], items[end]) { end += 1 }
            if end - start > 1 { items[start..<end].sort(by: less) }
            start = end
        }
    }

    /// `query_is_value_sorted`: `sort(` or `sort_desc(` outside string literals, case-insensitive.
    public static func isValueSorted(_ query: String) -> Bool {
        let withoutStrings = query.replacingOccurrences(of: #""(?:[^"\\]|\\.)*"|`[^`]*`"#, with: "\"\"",
                                                        options: .regularExpression)
        return withoutStrings.range(of: #"\bsort(_desc)?\s*\("#, options: [.regularExpression, .caseInsensitive]) != nil
    }
}
