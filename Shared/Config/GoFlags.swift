/// Command-line flags parsed like Go's `flag` package, which Loki uses: `-name=value`, `-name value`, `--name`,
/// and bare boolean flags (`-auth.enabled`). Written by hand because swift-argument-parser follows POSIX/GNU
/// conventions, while operators' scripts for Loki pass Go-style flags.
public enum GoFlags {
    /// One flag occurrence; `value` is nil for a bare flag.
    public struct Flag: Sendable, Hashable {
        public var name: String
        public var value: String?
    }

    /// Flags that take no value when written bare (so `-verify-config -x` does not swallow `-x`).
    static let valueless: Set<String> = ["verify-config", "print-config-stderr", "h", "help", "version", "config.expand-env", "config.docs"]

    /// Parses `arguments`; a positional argument is an error, as in Loki.
    public static func parse(_ arguments: [String]) throws(ConfigError) -> [Flag] {
        var flags: [Flag] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-", argument != "--" else {
                throw ConfigError("unexpected argument \"\(argument)\": flags look like -name=value (see -help)")
            }
            var body = argument.dropFirst()
            if body.hasPrefix("-") { body = body.dropFirst() }
            if let equals = body.firstIndex(of: "=") {
                flags.append(Flag(name: String(body[..<equals]), value: String(body[body.index(after: equals)...])))
                continue
            }
            let name = String(body)
            let isBool = valueless.contains(name) || ConfigOptions.byFlag[name]?.kind == .bool
            if isBool || index >= arguments.count || arguments[index].hasPrefix("-") && !isNegativeNumber(arguments[index]) {
                flags.append(Flag(name: name, value: isBool ? nil : nil))
            } else {
                flags.append(Flag(name: name, value: arguments[index]))
                index += 1
            }
        }
        return flags
    }

    private static func isNegativeNumber(_ text: String) -> Bool {
        text.count > 1 && Double(text) != nil
    }

    /// Usage text listing every flag.
    public static func usage(program: String) -> String {
        var out = "Usage of \(program):\n"
        out += "  -config.file string\n        YAML configuration file (Loki-shaped; see docs/configuration.md).\n"
        out += "  -config.expand-env\n        Expand ${VAR} and ${VAR:-default} in the configuration file.\n"
        out += "  -verify-config\n        Check the configuration and exit.\n"
        out += "  -print-config-stderr\n        Print the effective configuration on start-up.\n"
        for option in ConfigOptions.all {
            guard let flag = option.flag else { continue }
            out += "  -\(flag) \(option.kind.rawValue)\n        \(option.help)\n"
        }
        return out
    }
}
