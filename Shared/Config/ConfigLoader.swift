import Yams

/// What the command line asked for, after the configuration was loaded.
public struct LoadedConfiguration: Sendable {
    public var config: FjordConfiguration
    /// The `-config.file` used, if any.
    public var configFile: String?
    /// `-verify-config`: check the configuration and exit.
    public var verifyOnly = false
    /// `-print-config-stderr`: print the effective configuration at start-up.
    public var printConfig = false
    /// `-help`/`-h`.
    public var helpRequested = false
    /// `-version`.
    public var versionRequested = false
    /// `-config.docs`: print the configuration reference (Markdown) and exit.
    public var docsRequested = false
}

/// A configuration problem, reported at start-up with enough context to fix it.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Builds a ``FjordConfiguration`` from defaults, a Loki-shaped YAML file and Go-style flags (flags win).
public enum ConfigLoader {
    /// Parses command-line arguments (without the program name). `readFile` returns a file's text.
    public static func load(
        arguments: [String], environment: [String: String] = [:],
        readFile: (String) throws -> String
    ) throws(ConfigError) -> LoadedConfiguration {
        let flags = try GoFlags.parse(arguments)
        var loaded = LoadedConfiguration(config: FjordConfiguration())
        var expandEnv = false
        for flag in flags {
            switch flag.name {
            case "config.file": loaded.configFile = flag.value
            case "config.expand-env": expandEnv = try boolFlag(flag)
            case "verify-config": loaded.verifyOnly = try boolFlag(flag)
            case "print-config-stderr": loaded.printConfig = try boolFlag(flag)
            case "h", "help": loaded.helpRequested = true
            case "version": loaded.versionRequested = true
            case "config.docs": loaded.docsRequested = true
            default:
                guard ConfigOptions.byFlag[flag.name] != nil else {
                    throw ConfigError("flag provided but not defined: -\(flag.name)")
                }
            }
        }
        if let file = loaded.configFile {
            let text: String
            do {
                text = try readFile(file)
            } catch {
                throw ConfigError("cannot read config file \(file): \(error)")
            }
            let expanded = expandEnv ? expandEnvironment(text, environment) : text
            try apply(yaml: expanded, to: &loaded.config, source: file)
        }
        for flag in flags {
            guard let option = ConfigOptions.byFlag[flag.name] else { continue }
            var text = flag.value
            if text == nil, option.kind == .bool { text = "true" }
            guard let text else { throw ConfigError("flag needs an argument: -\(flag.name)") }
            guard let value = ConfigValue.parse(text, as: option.kind) else {
                throw ConfigError("invalid value \"\(text)\" for flag -\(flag.name): expected \(option.kind.rawValue)")
            }
            if let problem = option.problem(with: value) {
                throw ConfigError("invalid value \"\(text)\" for flag -\(flag.name): \(problem)")
            }
            option.apply(value, to: &loaded.config)
        }
        try validate(loaded.config)
        return loaded
    }

    /// Applies a YAML document to `config`. Unknown keys and bad values are errors naming the key and line.
    public static func apply(yaml: String, to config: inout FjordConfiguration, source: String = "config") throws(ConfigError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError("\(source): invalid YAML: \(error)")
        }
        guard let root else { return }  // empty file
        guard let mapping = root.mapping else { throw ConfigError("\(source): the top level must be a mapping") }
        try walk(mapping, prefix: "", config: &config, source: source)
    }

    /// Per-tenant limits from a runtime configuration file (`overrides: {<tenant>: {<limit>: value}}`): each tenant's
    /// options are applied over `defaults` with the same names, parsing and checks as `limits_config`.
    public static func tenantOverrides(yaml: String, defaults: FjordConfiguration.Limits,
                                       source: String = "runtime config") throws(ConfigError) -> [String: FjordConfiguration.Limits] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError("\(source): invalid YAML: \(error)")
        }
        guard let root else { return [:] }
        guard let top = root.mapping else { throw ConfigError("\(source): the top level must be a mapping") }
        var result: [String: FjordConfiguration.Limits] = [:]
        for (keyNode, valueNode) in top {
            guard keyNode.string == "overrides" else {
                // Loki's runtime file has other sections (multi_kv_config, ...); Fjord reads only overrides.
                continue
            }
            guard let tenants = valueNode.mapping else {
                if valueNode.null != nil { continue }
                throw ConfigError("\(source): overrides at \(location(valueNode)) must map tenant IDs to limits")
            }
            for (tenantNode, limitsNode) in tenants {
                guard let tenant = tenantNode.string else { throw ConfigError("\(source): non-string tenant at \(location(tenantNode))") }
                var config = FjordConfiguration()
                config.limits = defaults
                if let limits = limitsNode.mapping {
                    try walk(limits, prefix: "limits_config", config: &config, source: "\(source): overrides.\(tenant)")
                } else if limitsNode.null == nil {
                    throw ConfigError("\(source): overrides.\(tenant) at \(location(limitsNode)) must be a mapping")
                }
                if config.limits.retentionPeriodNanos > 0, config.limits.retentionPeriodNanos < 24 * 3_600_000_000_000 {
                    throw ConfigError("\(source): overrides.\(tenant).retention_period: retention period must be >= 24h")
                }
                result[tenant] = config.limits
            }
        }
        return result
    }

    private static func walk(_ mapping: Node.Mapping, prefix: String, config: inout FjordConfiguration,
                             source: String) throws(ConfigError) {
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw ConfigError("\(source): non-string key at \(location(keyNode))") }
            let path = prefix.isEmpty ? key : prefix + "." + key
            if prefix.isEmpty, ConfigOptions.ignoredSections.contains(key) { continue }
            if let option = ConfigOptions.byPath[path] {
                let value = try parse(valueNode, for: option, path: path, source: source)
                option.apply(value, to: &config)
            } else if let child = valueNode.mapping, ConfigOptions.all.contains(where: { $0.path.hasPrefix(path + ".") }) {
                try walk(child, prefix: path, config: &config, source: source)
            } else if valueNode.mapping == nil, ConfigOptions.all.contains(where: { $0.path.hasPrefix(path + ".") }) {
                throw ConfigError("\(source): \(path) at \(location(keyNode)) must be a mapping")
            } else {
                throw ConfigError("\(source): unknown configuration key \(path) at \(location(keyNode)) (see docs/configuration.md)")
            }
        }
    }

    private static func parse(_ node: Node, for option: ConfigOption, path: String, source: String) throws(ConfigError) -> ConfigValue {
        let value: ConfigValue?
        if option.kind == .stringList, let sequence = node.sequence {
            var items: [String] = []
            for item in sequence {
                guard let text = item.string else {
                    throw ConfigError("\(source): \(path) at \(location(node)) must be a list of strings")
                }
                items.append(text)
            }
            value = .stringList(items)
        } else if option.kind == .stringMap, let mapping = node.mapping {
            var map: [String: String] = [:]
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string, let text = valueNode.string else {
                    throw ConfigError("\(source): \(path) at \(location(node)) must map names to strings")
                }
                map[key] = text
            }
            value = .stringMap(map)
        } else if option.kind == .retentionStreams {
            value = .retentionStreams(try retentionStreams(node, path: path, source: source))
        } else if let text = node.scalar?.string {
            value = ConfigValue.parse(text, as: option.kind)
        } else {
            value = nil
        }
        guard let value else {
            throw ConfigError("\(source): invalid value for \(path) at \(location(node)): expected \(option.kind.rawValue)")
        }
        if let problem = option.problem(with: value) {
            throw ConfigError("\(source): invalid value for \(path) at \(location(node)): \(problem)")
        }
        return value
    }

    /// `[{selector: '{a="b"}', priority: 1, period: 24h}, ...]`.
    private static func retentionStreams(_ node: Node, path: String, source: String) throws(ConfigError) -> [RetentionStreamConfig] {
        guard let sequence = node.sequence else {
            throw ConfigError("\(source): \(path) at \(location(node)) must be a list of {selector, priority, period}")
        }
        var rules: [RetentionStreamConfig] = []
        for item in sequence {
            guard let mapping = item.mapping else {
                throw ConfigError("\(source): \(path) at \(location(item)) must be a mapping with selector, priority and period")
            }
            var selector: String?
            var priority = 0
            var period: Int64?
            for (keyNode, valueNode) in mapping {
                let text = valueNode.string ?? ""
                switch keyNode.string {
                case "selector": selector = text
                case "priority":
                    guard let value = Int(text) else { throw ConfigError("\(source): \(path).priority at \(location(valueNode)) must be an integer") }
                    priority = value
                case "period":
                    guard case .duration(let nanos)? = ConfigValue.parse(text, as: .duration) else {
                        throw ConfigError("\(source): \(path).period at \(location(valueNode)) must be a duration")
                    }
                    period = nanos
                default:
                    throw ConfigError("\(source): unknown key \(keyNode.string ?? "?") in \(path) at \(location(keyNode))")
                }
            }
            guard let selector, !selector.isEmpty, let period else {
                throw ConfigError("\(source): \(path) at \(location(item)) needs selector and period")
            }
            rules.append(RetentionStreamConfig(selector: selector, priority: priority, periodNanos: period))
        }
        return rules
    }

    private static func location(_ node: Node) -> String {
        guard let mark = node.mark else { return "unknown line" }
        return "line \(mark.line)"
    }

    private static func boolFlag(_ flag: GoFlags.Flag) throws(ConfigError) -> Bool {
        guard let text = flag.value else { return true }
        guard case .bool(let value)? = ConfigValue.parse(text, as: .bool) else {
            throw ConfigError("invalid boolean value \"\(text)\" for -\(flag.name)")
        }
        return value
    }

    /// Cross-option checks.
    public static func validate(_ config: FjordConfiguration) throws(ConfigError) {
        if config.ingester.chunkBlockSize > config.ingester.chunkTargetSize {
            throw ConfigError("ingester.chunk_block_size (\(config.ingester.chunkBlockSize)) must not exceed ingester.chunk_target_size (\(config.ingester.chunkTargetSize))")
        }
        if config.limits.ingestionBurstSizeMB < config.limits.ingestionRateMB, config.limits.ingestionBurstSizeMB > 0 {
            // Loki accepts this too, but a burst below the rate rejects every full-rate push: warn loudly by failing.
            throw ConfigError("limits_config.ingestion_burst_size_mb (\(config.limits.ingestionBurstSizeMB)) must be at least ingestion_rate_mb (\(config.limits.ingestionRateMB))")
        }
        if config.ruler.remoteWrite.enabled, config.ruler.remoteWrite.clientURL.isEmpty {
            throw ConfigError("ruler.remote_write.client.url is required when ruler.remote_write.enabled is true")
        }
        let rulerURLs = config.ruler.alertmanagerURL.split(separator: ",").map { ("ruler.alertmanager_url", String($0)) }
            + (config.ruler.remoteWrite.enabled ? [("ruler.remote_write.client.url", config.ruler.remoteWrite.clientURL)] : [])
        for (key, url) in rulerURLs {
            let trimmed = url.trimmedOf(" ")
            let lower = trimmed.lowercased()
            let rest = lower.hasPrefix("http://") ? lower.dropFirst(7) : lower.hasPrefix("https://") ? lower.dropFirst(8) : nil
            guard let rest, !rest.isEmpty, !rest.hasPrefix("/") else {
                throw ConfigError("\(key): \"\(trimmed)\" must be an http:// or https:// URL with a host")
            }
        }
        if config.limits.retentionPeriodNanos > 0, config.limits.retentionPeriodNanos < 24 * 3_600_000_000_000 {
            throw ConfigError("limits_config.retention_period: retention period must be >= 24h")
        }
        if config.storage.objectStore == "s3", config.storage.aws.bucketNames.isEmpty {
            throw ConfigError("storage_config.aws.bucketnames is required when storage_config.object_store is s3")
        }
        if config.common.pathPrefix.isEmpty {
            throw ConfigError("common.path_prefix must not be empty")
        }
    }

    /// Replaces `${VAR}` and `${VAR:-default}` like Loki's `-config.expand-env`.
    public static func expandEnvironment(_ text: String, _ environment: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                out += rest[start.lowerBound...]
                return out
            }
            let body = afterOpen[..<close]
            if let dash = body.range(of: ":-") {
                let name = String(body[..<dash.lowerBound])
                let fallback = String(body[dash.upperBound...])
                out += environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
            } else {
                out += environment[String(body)] ?? ""
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        out += rest
        return out
    }

    /// The effective configuration as YAML (what `/config` returns). With `onlyChanged`, only non-default values.
    public static func render(_ config: FjordConfiguration, onlyChanged: Bool = false) -> String {
        let defaults = FjordConfiguration()
        var lines: [String] = []
        var openSections: [String] = []
        for option in ConfigOptions.all {
            let value = option.value(in: config)
            if onlyChanged, value == option.value(in: defaults) { continue }
            let parts = option.path.split(separator: ".").map(String.init)
            let sections = Array(parts.dropLast())
            var common = 0
            while common < min(sections.count, openSections.count), sections[common] == openSections[common] { common += 1 }
            for depth in common..<sections.count {
                lines.append(String(repeating: "  ", count: depth) + sections[depth] + ":")
            }
            openSections = sections
            let text = option.secret && value != .string("") ? "<secret>" : value.yamlText
            lines.append(String(repeating: "  ", count: sections.count) + (parts.last ?? "") + ": " + text)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension Substring {
    fileprivate func range(of needle: String) -> Range<Substring.Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(needle) { return index..<self.index(index, offsetBy: needle.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
