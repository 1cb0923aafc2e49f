import Foundation
import FjordModel

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %q %d %b %o %x %X %c %e %E %f %F %g %G %t %%` with flags
/// `- + space 0 #`, width and precision; wrong argument types print Go's `%!d(string=x)` forms.
enum GoPrintf {
    static func format(_ format: String, _ arguments: [TemplateValue], labels: LabelState?) -> String {
        let scalars = Array(format.unicodeScalars)
        var out = ""
        var argumentIndex = 0
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "%" else {
                out.unicodeScalars.append(scalar)
                index += 1
                continue
            }
            index += 1
            guard index < scalars.count else {
                out += "%!(NOVERB)"
                break
            }
            var minus = false, plus = false, space = false, zero = false, sharp = false
            flags: while index < scalars.count {
                switch scalars[index] {
                case "-": minus = true
                case "+": plus = true
                case " ": space = true
                case "0": zero = true
                case "#": sharp = true
                default: break flags
                }
                index += 1
            }
            func readNumber() -> Int? {
                if index < scalars.count, scalars[index] == "*" {
                    index += 1
                    guard argumentIndex < arguments.count else { return nil }
                    defer { argumentIndex += 1 }
                    if case .int(let value) = arguments[argumentIndex] { return value }
                    return nil
                }
                var digits = ""
                while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                    digits.unicodeScalars.append(scalars[index])
                    index += 1
                }
                return digits.isEmpty ? nil : Int(digits)
            }
            let width = readNumber()
            var precision: Int?
            if index < scalars.count, scalars[index] == "." {
                index += 1
                precision = readNumber() ?? 0
            }
            guard index < scalars.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = Character(scalars[index])
            index += 1
            if verb == "%" {
                out += "%"
                continue
            }
            guard argumentIndex < arguments.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let argument = arguments[argumentIndex]
            argumentIndex += 1
            var text: String
            var isNumeric = false
            switch (verb, argument) {
            case ("v", _), ("s", .string), ("s", .labels), ("s", .map), ("s", .list), ("s", .time):
                if case .float(let value) = argument {
                    text = GoFormat.formatFloat(value, verb: "g", precision: precision ?? -1)
                    isNumeric = true
                } else {
                    text = GoFormat.print(argument, labels: labels)
                    if case .none = argument { text = "<nil>" }
                    if verb == "s", let precision { text = String(text.prefix(precision)) }
                    if case .int = argument { isNumeric = true }
                    if case .int64 = argument { isNumeric = true }
                }
            case ("q", .string(let value)):
                text = GoQuote.quote(value)
            case ("d", _), ("b", _), ("o", _), ("x", _), ("X", _), ("c", _):
                guard let integer = integerValue(argument) else {
                    if case .string(let value) = argument, verb == "x" || verb == "X" {
                        text = value.utf8.map { String(format: "%02x", $0) }.joined()
                        if verb == "X" { text = text.uppercased() }
                        break
                    }
                    text = "%!\(verb)(\(argument.typeName)=\(GoFormat.print(argument, labels: labels)))"
                    out += text
                    continue
                }
                isNumeric = verb != "c"
                switch verb {
                case "d": text = String(integer.magnitude)
                case "b": text = String(integer.magnitude, radix: 2)
                case "o": text = (sharp ? "0" : "") + String(integer.magnitude, radix: 8)
                case "x": text = (sharp ? "0x" : "") + String(integer.magnitude, radix: 16)
                case "X": text = (sharp ? "0X" : "") + String(integer.magnitude, radix: 16).uppercased()
                default: text = Unicode.Scalar(UInt32(truncatingIfNeeded: integer)).map { String($0) } ?? "\u{FFFD}"
                }
                if verb != "c" {
                    if let precision, text.count < precision { text = String(repeating: "0", count: precision - text.count) + text }
                    if integer < 0 { text = "-" + text } else if plus { text = "+" + text } else if space { text = " " + text }
                }
            case ("e", _), ("E", _), ("f", _), ("F", _), ("g", _), ("G", _):
                guard let number = floatValue(argument) else {
                    out += "%!\(verb)(\(argument.typeName)=\(GoFormat.print(argument, labels: labels)))"
                    continue
                }
                isNumeric = true
                let defaultPrecision = (verb == "g" || verb == "G") ? -1 : 6
                text = GoFormat.formatFloat(number, verb: verb == "F" ? "f" : verb, precision: precision ?? defaultPrecision)
                if number >= 0, !text.hasPrefix("+") {
                    if plus { text = "+" + text } else if space { text = " " + text }
                }
            case ("t", .bool(let value)):
                text = value ? "true" : "false"
            default:
                text = "%!\(verb)(\(argument.typeName)=\(GoFormat.print(argument, labels: labels)))"
                out += text
                continue
            }
            if let width, text.count < width {
                let padding = width - text.count
                if minus {
                    text += String(repeating: " ", count: padding)
                } else if zero && isNumeric {
                    var sign = ""
                    if let first = text.first, first == "-" || first == "+" || first == " " {
                        sign = String(first)
                        text.removeFirst()
                    }
                    text = sign + String(repeating: "0", count: padding) + text
                } else {
                    text = String(repeating: " ", count: padding) + text
                }
            }
            out += text
        }
        if argumentIndex < arguments.count {
            out += "%!(EXTRA " + arguments[argumentIndex...].map {
                "\($0.typeName)=\(GoFormat.print($0, labels: labels))"
            }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func integerValue(_ value: TemplateValue) -> Int64? {
        switch value {
        case .int(let number): return Int64(number)
        case .int64(let number): return number
        case .byte(let byte): return Int64(byte)
        default: return nil
        }
    }

    private static func floatValue(_ value: TemplateValue) -> Double? {
        if case .float(let number) = value { return number }
        return nil
    }
}
