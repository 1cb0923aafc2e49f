import FjordModel
import Foundation

/// The functions alert templates may call, with Prometheus' semantics (`template/template.go`).
enum TemplateFunctions {
    static func call(_ name: String, _ arguments: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        switch name {
        case "printf":
            guard case .string(let format)? = arguments.first else {
                throw TemplateError("printf needs a format string as its first argument")
            }
            return .string(TemplatePrintf.format(format, Array(arguments.dropFirst())))
        case "humanize": return .string(humanize(try number(one(name, arguments))))
        case "humanize1024": return .string(humanize1024(try number(one(name, arguments))))
        case "humanizePercentage": return .string(g4(try number(one(name, arguments)) * 100) + "%")
        case "humanizeDuration": return .string(humanizeDuration(try number(one(name, arguments))))
        case "toUpper": return .string(try one(name, arguments).printed.uppercased())
        case "toLower": return .string(try one(name, arguments).printed.lowercased())
        case "title": return .string(title(try one(name, arguments).printed))
        case "index":
            guard arguments.count == 2 else { throw TemplateError("wrong number of args for index: want 2 got \(arguments.count)") }
            guard case .labels(let labels) = arguments[0] else {
                throw TemplateError("error calling index: can't index item of type \(arguments[0].goType)")
            }
            return labels[arguments[1].printed].map(TemplateValue.string) ?? .string("")
        default:
            throw TemplateError("function \"\(name)\" not defined")
        }
    }

    private static func one(_ name: String, _ arguments: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        guard arguments.count == 1 else { throw TemplateError("wrong number of args for \(name): want 1 got \(arguments.count)") }
        return arguments[0]
    }

    /// Prometheus' `convertToFloat`.
    private static func number(_ value: TemplateValue) throws(TemplateError) -> Double {
        switch value {
        case .number(let number): return number
        case .integer(let integer): return Double(integer)
        case .string(let text):
            guard let number = Double(text) else { throw TemplateError("strconv.ParseFloat: parsing \"\(text)\": invalid syntax") }
            return number
        default:
            throw TemplateError("can't convert \(value.goType) to float")
        }
    }

    /// `fmt.Sprintf("%.4g", v)`.
    static func g4(_ value: Double) -> String { GoFloatText.printf("%.4g", value) }

    static func humanize(_ value: Double) -> String {
        var v = value
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        var prefix = ""
        if abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
                if abs(v) >= 1 { break }
                prefix = p
                v *= 1000
            }
        }
        return g4(v) + prefix
    }

    static func humanize1024(_ value: Double) -> String {
        var v = value
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
            if abs(v) < 1024 { break }
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    static func humanizeDuration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            let duration = Int64(v)
            let seconds = duration % 60
            let minutes = (duration / 60) % 60
            let hours = (duration / 3600) % 24
            let days = duration / 86400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(v) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    /// Go's `strings.Title`: upper-cases the first letter of each word.
    static func title(_ text: String) -> String {
        var out = ""
        var atWordStart = true
        for character in text {
            out += atWordStart ? character.uppercased() : String(character)
            atWordStart = !(character.isLetter || character.isNumber || character == "_" || character == "'")
        }
        return out
    }
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%s %v %q %d %f %F %e %E %g %G %x %%`, with flags, width and
/// precision; mismatches print Go's `%!verb(type=value)` markers.
enum TemplatePrintf {
    static func format(_ format: String, _ arguments: [TemplateValue]) -> String {
        var out = ""
        var next = 0
        let characters = Array(format)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard character == "%" else {
                out.append(character)
                index += 1
                continue
            }
            var spec = "%"
            index += 1
            while index < characters.count, "+-# 0123456789.".contains(characters[index]) {
                spec.append(characters[index])
                index += 1
            }
            guard index < characters.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = characters[index]
            index += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard next < arguments.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            out += apply(spec: spec, verb: verb, arguments[next])
            next += 1
        }
        if next < arguments.count {
            out += "%!(EXTRA " + arguments[next...].map { "\($0.goType)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func apply(spec: String, verb: Character, _ value: TemplateValue) -> String {
        let flags = String(spec.dropFirst())
        switch (verb, value) {
        case ("v", _), ("s", .string), ("s", .missing), ("s", .labels):
            return pad(value.printed, flags)
        case ("q", .string(let text)):
            return pad(GoQuote.quote(text), flags)
        case ("d", .integer(let integer)):
            return String(format: spec + "lld", Int64(integer))
        case ("x", .integer(let integer)):
            return String(format: spec + "llx", Int64(integer))
        case ("f", .number(let number)), ("F", .number(let number)), ("e", .number(let number)),
             ("E", .number(let number)), ("g", .number(let number)), ("G", .number(let number)):
            if !spec.contains("."), verb == "g" || verb == "G" { return pad(GoFloat.formatShortest(number), flags) }
            return GoFloatText.printf(spec + String(verb), number)
        case ("f", .integer(let integer)), ("e", .integer(let integer)), ("g", .integer(let integer)):
            return "%!\(verb)(int=\(integer))"
        default:
            return "%!\(verb)(\(value.goType)=\(value.printed))"
        }
    }

    /// Width padding for `%5s` / `%-5s`.
    private static func pad(_ text: String, _ flags: String) -> String {
        let left = flags.hasPrefix("-")
        let digits = flags.drop { $0 == "-" || $0 == "+" || $0 == "#" || $0 == " " || $0 == "0" }.prefix { $0.isNumber }
        guard let width = Int(digits), text.count < width else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return left ? text + padding : padding + text
    }
}
