import FjordModel

/// The kinds of values a configuration option holds, with the parsing rules Loki uses for each.
public enum ConfigKind: String, Sendable {
    case bool, int, double, string, duration, bytes, stringList, stringMap, retentionStreams
}

/// One parsed configuration value.
public enum ConfigValue: Sendable, Hashable {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    /// Nanoseconds.
    case duration(Int64)
    /// Bytes.
    case bytes(Int)
    case stringList([String])
    /// Names to values (`external_labels`); flags write it as `a=1,b=2`.
    case stringMap([String: String])
    /// `limits_config.retention_stream`: a YAML list of `{selector, priority, period}`.
    case retentionStreams([RetentionStreamConfig])

    /// Parses `text` as a value of `kind`. Durations accept Prometheus (`1d`, `1w`, `1h30m`) and Go (`1.5h`, `300ms`)
    /// forms; sizes accept plain integers or humanized sizes (`256KB`, `1MiB`) like Loki's `flagext.ByteSize`.
    public static func parse(_ text: String, as kind: ConfigKind) -> ConfigValue? {
        let trimmed = text.trimmedOf(" \t")
        switch kind {
        case .bool:
            switch trimmed.lowercased() {
            case "true", "1", "t", "yes", "on": return .bool(true)
            case "false", "0", "f", "no", "off": return .bool(false)
            default: return nil
            }
        case .int:
            return Int(trimmed).map { .int($0) }
        case .double:
            return Double(trimmed).map { .double($0) }
        case .string:
            return .string(text)
        case .duration:
            if let nanos = try? PromDuration.parse(trimmed) { return .duration(nanos) }
            if let nanos = try? GoDuration.parse(trimmed) { return .duration(nanos) }
            return nil
        case .bytes:
            if let plain = Int(trimmed) { return .bytes(plain) }
            if let size = try? HumanizeBytes.parse(trimmed), size <= UInt64(Int.max) { return .bytes(Int(size)) }
            return nil
        case .stringList:
            if trimmed.isEmpty { return .stringList([]) }
            return .stringList(trimmed.split(separator: ",").map { String($0).trimmedOf(" \t") })
        case .stringMap:
            var map: [String: String] = [:]
            for item in trimmed.split(separator: ",") {
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { return nil }
                map[String(parts[0]).trimmedOf(" \t")] = String(parts[1]).trimmedOf(" \t")
            }
            return .stringMap(map)
        case .retentionStreams:
            return nil  // YAML only
        }
    }

    /// The value as YAML scalar text (what `/config` prints).
    public var yamlText: String {
        switch self {
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return GoFloat.format(value)
        case .string(let value): return value.isEmpty ? "\"\"" : yamlQuoteIfNeeded(value)
        case .duration(let nanos): return PromDuration.format(nanos)
        case .bytes(let value): return String(value)
        case .stringList(let values):
            return "[" + values.map(yamlQuoteIfNeeded).joined(separator: ", ") + "]"
        case .stringMap(let map):
            return "{" + map.sorted { $0.key < $1.key }.map { yamlQuoteIfNeeded($0.key) + ": " + yamlQuoteIfNeeded($0.value) }
                .joined(separator: ", ") + "}"
        case .retentionStreams(let rules):
            return "[" + rules.map { "{selector: \(GoQuote.quote($0.selector)), priority: \($0.priority), period: \(PromDuration.format($0.periodNanos))}" }
                .joined(separator: ", ") + "]"
        }
    }

    private func yamlQuoteIfNeeded(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:".contains($0) }
        return plain ? text : GoQuote.quote(text)
    }
}

extension String {
    func trimmedOf(_ set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

/// One `retention_stream` rule as configured: streams matching `selector` keep data for `period`; the matching rule
/// with the highest `priority` wins (equal priorities: the shorter period).
public struct RetentionStreamConfig: Sendable, Hashable {
    public var selector: String
    public var priority: Int
    public var periodNanos: Int64

    public init(selector: String, priority: Int, periodNanos: Int64) {
        self.selector = selector
        self.priority = priority
        self.periodNanos = periodNanos
    }
}
