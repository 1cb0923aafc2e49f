import FjordModel
import Yams

/// A configuration error with the path of the offending field (`scrape_configs[0].static_configs[1].labelz`) and
/// its line.
public struct AgentConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A YAML mapping read strictly: every accessor records the key it reads, and ``finish()`` rejects keys nobody read,
/// naming their path, so misspelt or unsupported options are errors instead of silently ignored.
final class YAMLFields {
    let path: String
    private let pairs: [(key: String, value: Node, keyNode: Node)]
    private var used = Set<String>()

    init(_ node: Node?, path: String) throws(AgentConfigError) {
        self.path = path
        guard let node else {
            pairs = []
            return
        }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" {
            pairs = []
            return
        }
        guard let mapping = node.mapping else {
            throw AgentConfigError("\(path.isEmpty ? "configuration" : path) at \(YAMLFields.line(node)) must be a mapping")
        }
        var collected: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                throw AgentConfigError("\(path): non-string key at \(YAMLFields.line(keyNode))")
            }
            collected.append((key, value, keyNode))
        }
        pairs = collected.map { (key: $0.0, value: $0.1, keyNode: $0.2) }
    }

    static func line(_ node: Node) -> String { node.mark.map { "line \($0.line)" } ?? "unknown line" }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw node of `key`, marking it read.
    func node(_ key: String) -> Node? {
        used.insert(key)
        guard let node = pairs.first(where: { $0.key == key })?.value else { return nil }
        if case .scalar(let scalar) = node, scalar.tag.description.hasSuffix(":null") || scalar.string == "~" {
            return nil
        }
        return node
    }

    var keys: [String] { pairs.map(\.key) }

    func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    /// Rejects keys that no accessor read.
    func finish() throws(AgentConfigError) {
        for pair in pairs where !used.contains(pair.key) {
            throw AgentConfigError("unknown field \(child(pair.key)) at \(YAMLFields.line(pair.keyNode)) (see docs/agent.md)")
        }
    }

    // MARK: typed accessors

    func string(_ key: String) throws(AgentConfigError) -> String? {
        guard let node = node(key) else { return nil }
        guard case .scalar(let scalar) = node else {
            throw AgentConfigError("\(child(key)) at \(YAMLFields.line(node)) must be a string")
        }
        return scalar.string
    }

    func string(_ key: String, default value: String) throws(AgentConfigError) -> String {
        try string(key) ?? value
    }

    func int(_ key: String, default value: Int) throws(AgentConfigError) -> Int {
        guard let text = try string(key) else { return value }
        guard let number = Int(text) else { throw AgentConfigError("\(child(key)): \"\(text)\" is not an integer") }
        return number
    }

    func bool(_ key: String, default value: Bool) throws(AgentConfigError) -> Bool {
        guard let text = try string(key) else { return value }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw AgentConfigError("\(child(key)): \"\(text)\" is not a boolean")
        }
    }

    /// A Prometheus-style duration (`5s`, `1m30s`, `500ms`, `7d`) in nanoseconds.
    func duration(_ key: String, default value: Int64) throws(AgentConfigError) -> Int64 {
        guard let text = try string(key) else { return value }
        return try YAMLFields.parseDuration(text, at: child(key))
    }

    static func parseDuration(_ text: String, at path: String) throws(AgentConfigError) -> Int64 {
        if text == "0" { return 0 }
        do {
            return try GoDuration.parse(text)
        } catch {
            do {
                return try PromDuration.parse(text)
            } catch {
                throw AgentConfigError("\(path): invalid duration \"\(text)\"")
            }
        }
    }

    /// A byte size: a plain integer or a humanized size (`1MiB`, `512KB`).
    func bytes(_ key: String, default value: Int) throws(AgentConfigError) -> Int {
        guard let text = try string(key) else { return value }
        if let number = Int(text) { return number }
        do {
            return Int(clamping: try HumanizeBytes.parse(text))
        } catch {
            throw AgentConfigError("\(child(key)): invalid size \"\(text)\"")
        }
    }

    /// A list of strings; a single scalar counts as a list of one.
    func strings(_ key: String) throws(AgentConfigError) -> [String]? {
        guard let node = node(key) else { return nil }
        if case .scalar(let scalar) = node { return [scalar.string] }
        guard let sequence = node.sequence else {
            throw AgentConfigError("\(child(key)) at \(YAMLFields.line(node)) must be a list of strings")
        }
        var out: [String] = []
        for item in sequence {
            guard case .scalar(let scalar) = item else {
                throw AgentConfigError("\(child(key)) at \(YAMLFields.line(item)) must be a list of strings")
            }
            out.append(scalar.string)
        }
        return out
    }

    /// A mapping of strings to strings (labels, expressions); a `null` value becomes "".
    func stringMap(_ key: String) throws(AgentConfigError) -> [(String, String)]? {
        guard let node = node(key) else { return nil }
        guard let mapping = node.mapping else {
            throw AgentConfigError("\(child(key)) at \(YAMLFields.line(node)) must be a mapping")
        }
        var out: [(String, String)] = []
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.string else {
                throw AgentConfigError("\(child(key)): non-string key at \(YAMLFields.line(keyNode))")
            }
            guard case .scalar(let scalar) = valueNode else {
                throw AgentConfigError("\(child(key)).\(name) at \(YAMLFields.line(valueNode)) must be a string")
            }
            let isNull = scalar.tag.description.hasSuffix(":null") || scalar.string == "~" || scalar.string == "null"
            out.append((name, isNull ? "" : scalar.string))
        }
        return out
    }

    /// The items of a list, each with its path (`key[i]`).
    func list(_ key: String) throws(AgentConfigError) -> [(Node, String)] {
        guard let node = node(key) else { return [] }
        guard let sequence = node.sequence else {
            throw AgentConfigError("\(child(key)) at \(YAMLFields.line(node)) must be a list")
        }
        return sequence.enumerated().map { ($0.element, "\(child(key))[\($0.offset)]") }
    }

    /// A nested mapping, or nil when absent.
    func mapping(_ key: String) throws(AgentConfigError) -> YAMLFields? {
        guard has(key) else {
            used.insert(key)
            return nil
        }
        return try YAMLFields(node(key), path: child(key))
    }
}
