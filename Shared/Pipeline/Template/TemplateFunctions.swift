import Foundation
import FjordModel
import FjordRegex

/// An error returned by a template function (`error calling <fn>: <message>`).
struct TemplateCallError: Error {
    let message: String
}

/// The functions available in Loki's templates: Go's builtins, Loki's own (`pkg/logql/log/fmt.go`) and the sprig
/// subset Loki registers, with Go's argument typing rules.
enum TemplateFunctions {
    static let names: Set<String> = [
        // Go builtins
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery", "call",
        "eq", "ne", "lt", "le", "gt", "ge",
        // Loki
        "ToLower", "ToUpper", "Replace", "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix", "TrimSpace",
        "regexReplaceAll", "regexReplaceAllLiteral", "count", "urldecode", "urlencode", "bytes", "duration",
        "duration_seconds", "unixEpochMillis", "unixEpochNanos", "toDateInZone", "unixToTime", "alignLeft", "alignRight",
        "__line__", "__timestamp__",
        // sprig
        "b64enc", "b64dec", "lower", "upper", "title", "trunc", "substr", "contains", "hasPrefix", "hasSuffix",
        "indent", "nindent", "replace", "repeat", "trim", "trimAll", "trimSuffix", "trimPrefix", "int", "float64",
        "add", "sub", "mul", "div", "mod", "addf", "subf", "mulf", "divf", "max", "min", "maxf", "minf", "ceil",
        "floor", "round", "fromJson", "date", "toDate", "now", "unixEpoch", "default",
    ]

    enum Parameter {
        case string, int, float, bool, time, any

        var goName: String {
            switch self {
            case .string: return "string"
            case .int: return "int"
            case .float: return "float64"
            case .bool: return "bool"
            case .time: return "time.Time"
            case .any: return "interface {}"
            }
        }
    }

    /// Fixed parameters and the variadic tail of each function.
    static func signature(_ name: String) -> ([Parameter], Parameter?) {
        switch name {
        case "not", "len", "int", "float64", "ceil", "floor": return ([.any], nil)
        case "index", "call": return ([.any], .any)
        case "slice": return ([.any], .any)
        case "print", "println", "html", "js", "urlquery", "add", "addf": return ([], .any)
        case "printf": return ([.string], .any)
        case "eq": return ([.any], .any)
        case "ne", "lt", "le", "gt", "ge", "sub", "div", "mod": return ([.any, .any], nil)
        case "mul", "subf", "mulf", "divf", "max", "min", "maxf", "minf", "default": return ([.any], .any)
        case "round": return ([.any, .int], .float)
        case "ToLower", "ToUpper", "TrimSpace", "urldecode", "urlencode", "bytes", "duration", "duration_seconds",
             "unixToTime", "b64enc", "b64dec", "lower", "upper", "title", "trim", "fromJson":
            return ([.string], nil)
        case "Trim", "TrimLeft", "TrimRight", "TrimPrefix", "TrimSuffix", "count", "contains", "hasPrefix",
             "hasSuffix", "trimAll", "trimSuffix", "trimPrefix", "toDate":
            return ([.string, .string], nil)
        case "Replace": return ([.string, .string, .string, .int], nil)
        case "regexReplaceAll", "regexReplaceAllLiteral", "replace", "toDateInZone": return ([.string, .string, .string], nil)
        case "unixEpochMillis", "unixEpochNanos", "unixEpoch": return ([.time], nil)
        case "alignLeft", "alignRight", "trunc", "indent", "nindent", "repeat": return ([.int, .string], nil)
        case "substr": return ([.int, .int, .string], nil)
        case "date": return ([.string, .any], nil)
        case "__line__", "__timestamp__", "now": return ([], nil)
        default: return ([], .any)
        }
    }

    private enum Argument {
        case operand(TemplateOperand)
        case value(TemplateValue)
    }

    static func call(_ name: String, arguments: [TemplateOperand], final: TemplateValue?, command: TemplateCommand,
                     dot: TemplateValue, executor: TemplateExecutor) throws -> TemplateValue
    {
        var items = arguments.map(Argument.operand)
        if let final { items.append(.value(final)) }

        // `and` / `or` evaluate lazily and return an operand.
        if name == "and" || name == "or" {
            guard !items.isEmpty else {
                throw executor.error(at: command.position, context: command.text,
                                     "wrong number of args for \(name): want at least 1 got 0")
            }
            var last: TemplateValue = .none
            for item in items {
                last = try value(item, executor: executor, dot: dot)
                let truth = executor.truth(last)
                if name == "and" && !truth { return last }
                if name == "or" && truth { return last }
            }
            return last
        }

        let (fixed, variadic) = signature(name)
        if variadic == nil, items.count != fixed.count {
            throw executor.error(at: command.position, context: command.text,
                                 "wrong number of args for \(name): want \(fixed.count) got \(items.count)")
        }
        if variadic != nil, items.count < fixed.count {
            throw executor.error(at: command.position, context: command.text,
                                 "wrong number of args for \(name): want at least \(fixed.count) got \(items.count)")
        }
        var values: [TemplateValue] = []
        for (position, item) in items.enumerated() {
            let parameter = position < fixed.count ? fixed[position] : (variadic ?? .any)
            values.append(try convert(item, to: parameter, executor: executor, dot: dot, command: command))
        }
        do {
            if name == "call" {
                let callee = arguments.first?.text ?? "nil"
                if case .none = values[0] { throw TemplateCallError(message: "call of nil") }
                throw TemplateCallError(message: "non-function \(callee) of type \(values[0].typeName)")
            }
            return try apply(name, values, executor: executor)
        } catch let failure as TemplateCallError {
            throw executor.error(at: command.position, context: command.text, "error calling \(name): \(failure.message)")
        }
    }

    private static func value(_ item: Argument, executor: TemplateExecutor, dot: TemplateValue) throws -> TemplateValue {
        switch item {
        case .operand(let operand): return try executor.evalOperand(operand, dot: dot)
        case .value(let value): return value
        }
    }

    /// Go's `evalArg` / `validateType` for one argument.
    private static func convert(_ item: Argument, to parameter: Parameter, executor: TemplateExecutor,
                                dot: TemplateValue, command: TemplateCommand) throws -> TemplateValue
    {
        var node: TemplateOperand?
        var value: TemplateValue
        switch item {
        case .value(let final):
            value = final
        case .operand(let operand):
            node = operand
            switch operand {
            case .string(let text, _, _):
                switch parameter {
                case .string, .any: return .string(text)
                default: throw mismatch(operand, parameter, executor)
                }
            case .number(let number, let text, _):
                switch parameter {
                case .int:
                    guard let int = number.int else { throw mismatch(operand, parameter, executor) }
                    return .int(Int(int))
                case .float:
                    return .float(number.float ?? Double(number.int ?? 0))
                case .any:
                    return TemplateExecutor.idealConstant(number, text)
                default:
                    throw mismatch(operand, parameter, executor)
                }
            case .bool(let flag, _):
                switch parameter {
                case .bool, .any: return .bool(flag)
                default: throw mismatch(operand, parameter, executor)
                }
            case .nil:
                if parameter == .any { return .none }
                throw executor.error(at: operand.position, context: operand.text, "cannot assign nil to \(parameter.goName)")
            default:
                value = try executor.evalOperand(operand, dot: dot)
            }
        }
        let position = node?.position ?? command.position
        let context = node?.text ?? command.text
        if case .none = value, parameter != .any {
            throw executor.error(at: position, context: context, "invalid value; expected \(parameter.goName)")
        }
        switch (parameter, value) {
        case (.any, _), (.string, .string), (.int, .int), (.float, .float), (.bool, .bool), (.time, .time):
            return value
        default:
            throw executor.error(at: position, context: context,
                                 "wrong type for value; expected \(parameter.goName); got \(value.typeName)")
        }
    }

    private static func mismatch(_ operand: TemplateOperand, _ parameter: Parameter, _ executor: TemplateExecutor)
        -> TemplateExecError
    {
        let expected: String
        switch parameter {
        case .int: expected = "integer"
        case .float: expected = "float"
        case .bool: expected = "bool"
        default: expected = parameter.goName
        }
        return executor.error(at: operand.position, context: operand.text, "expected \(expected); found \(operand.text)")
    }

    // MARK: - Implementations

    private static func string(_ value: TemplateValue) -> String {
        if case .string(let text) = value { return text }
        return ""
    }

    private static func int(_ value: TemplateValue) -> Int {
        if case .int(let number) = value { return number }
        return 0
    }

    private static func time(_ value: TemplateValue) -> GoTimeValue {
        if case .time(let time) = value { return time }
        return .zero
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    private static func apply(_ name: String, _ a: [TemplateValue], executor: TemplateExecutor) throws -> TemplateValue {
        let labels = executor.labelState
        switch name {
        // Go builtins
        case "not": return .bool(!executor.truth(a[0]))
        case "len":
            switch a[0] {
            case .string(let text): return .int(text.utf8.count)
            case .labels: return .int(executor.dataPairs.count)
            case .map(let map): return .int(map.count)
            case .list(let list): return .int(list.count)
            default: throw TemplateCallError(message: "len of type \(a[0].typeName)")
            }
        case "index": return try index(a[0], Array(a.dropFirst()), executor: executor)
        case "slice": return try slice(a[0], Array(a.dropFirst()))
        case "print": return .string(GoFormat.sprint(a, labels: labels))
        case "println": return .string(a.map { GoFormat.print($0, labels: labels) }.joined(separator: " ") + "\n")
        case "printf": return .string(GoPrintf.format(string(a[0]), Array(a.dropFirst()), labels: labels))
        case "html": return .string(Escapes.html(sprintArgs(a, labels)))
        case "js": return .string(Escapes.javaScript(sprintArgs(a, labels)))
        case "urlquery": return .string(Escapes.queryEscape(sprintArgs(a, labels)))
        case "eq":
            guard a.count >= 2 else { throw TemplateCallError(message: "missing argument for comparison") }
            for other in a.dropFirst() where try Comparison.equal(a[0], other) { return .bool(true) }
            return .bool(false)
        case "ne": return .bool(!(try Comparison.equal(a[0], a[1])))
        case "lt": return .bool(try Comparison.less(a[0], a[1]))
        case "le": return .bool(try Comparison.less(a[0], a[1]) || Comparison.equal(a[0], a[1]))
        case "gt": return .bool(!(try Comparison.less(a[0], a[1]) || Comparison.equal(a[0], a[1])))
        case "ge": return .bool(!(try Comparison.less(a[0], a[1])))

        // Loki: Go strings functions
        case "ToLower", "lower": return .string(GoStrings.toLower(string(a[0])))
        case "ToUpper", "upper": return .string(GoStrings.toUpper(string(a[0])))
        case "Replace":
            return .string(GoStrings.replace(string(a[0]), string(a[1]), string(a[2]), count: int(a[3])))
        case "Trim": return .string(GoStrings.trim(string(a[0]), cutset: string(a[1]), left: true, right: true))
        case "TrimLeft": return .string(GoStrings.trim(string(a[0]), cutset: string(a[1]), left: true, right: false))
        case "TrimRight": return .string(GoStrings.trim(string(a[0]), cutset: string(a[1]), left: false, right: true))
        case "TrimPrefix": return .string(GoStrings.trimPrefix(string(a[0]), string(a[1])))
        case "TrimSuffix": return .string(GoStrings.trimSuffix(string(a[0]), string(a[1])))
        case "TrimSpace", "trim": return .string(GoStrings.trimSpace(string(a[0])))
        case "regexReplaceAll", "regexReplaceAllLiteral":
            let regex = try compile(string(a[0]), executor: executor)
            return .string(RegexReplace.replaceAll(regex, in: string(a[1]), with: string(a[2]),
                                                   literal: name == "regexReplaceAllLiteral"))
        case "count":
            let regex = try compile(string(a[0]), executor: executor)
            return .int(RegexReplace.countMatches(regex, in: string(a[1])))
        case "urldecode": return .string(try Escapes.queryUnescape(string(a[0])))
        case "urlencode": return .string(Escapes.queryEscape(string(a[0])))
        case "bytes":
            do { return .float(Double(try HumanizeBytes.parse(string(a[0])))) } catch { throw TemplateCallError(message: error.message) }
        case "duration", "duration_seconds":
            do { return .float(UnwrapConversion.seconds(try GoDuration.parse(string(a[0])))) } catch {
                throw TemplateCallError(message: error.message)
            }
        case "unixEpochMillis":
            let t = time(a[0])
            return .string(String(t.unixSeconds * 1000 + Int64(t.nanosecond / 1_000_000)))
        case "unixEpochNanos": return .string(String(time(a[0]).nanos))
        case "unixEpoch": return .string(String(time(a[0]).unixSeconds))
        case "toDateInZone":
            let zone = GoZone.load(string(a[1])) ?? .utc
            return .time(GoTimeFormat.parse(string(a[2]), layout: string(a[0]), zone: zone) ?? .zero)
        case "toDate":
            return .time(GoTimeFormat.parse(string(a[1]), layout: string(a[0]), zone: .utc) ?? .zero)
        case "unixToTime": return .time(try unixToTime(string(a[0])))
        case "alignLeft", "alignRight": return .string(align(int(a[0]), string(a[1]), left: name == "alignLeft"))
        case "__line__": return .string(Bytes.string(executor.line))
        case "__timestamp__": return .time(GoTimeValue.utc(executor.timestamp))
        case "now": return .time(GoTimeValue.utc(Int64(Date().timeIntervalSince1970 * 1e9)))
        case "date": return .string(date(string(a[0]), a[1]))

        // sprig strings
        case "b64enc": return .string(Data(string(a[0]).utf8).base64EncodedString())
        case "b64dec": return .string(Escapes.base64Decode(string(a[0])))
        case "title": return .string(GoStrings.title(string(a[0])))
        case "trunc": return .string(truncate(int(a[0]), string(a[1])))
        case "substr": return .string(substring(int(a[0]), int(a[1]), string(a[2])))
        case "contains": return .bool(GoStrings.contains(string(a[1]), string(a[0])))
        case "hasPrefix": return .bool(GoStrings.hasPrefix(string(a[1]), string(a[0])))
        case "hasSuffix": return .bool(GoStrings.hasSuffix(string(a[1]), string(a[0])))
        case "indent": return .string(indent(int(a[0]), string(a[1])))
        case "nindent": return .string("\n" + indent(int(a[0]), string(a[1])))
        case "replace": return .string(GoStrings.replace(string(a[2]), string(a[0]), string(a[1]), count: -1))
        case "repeat":
            let count = int(a[0])
            guard count >= 0 else { throw TemplateCallError(message: "strings: negative Repeat count") }
            return .string(String(repeating: string(a[1]), count: count))
        case "trimAll": return .string(GoStrings.trim(string(a[1]), cutset: string(a[0]), left: true, right: true))
        case "trimSuffix": return .string(GoStrings.trimSuffix(string(a[1]), string(a[0])))
        case "trimPrefix": return .string(GoStrings.trimPrefix(string(a[1]), string(a[0])))

        // sprig numbers
        case "int": return .int(Int(truncatingIfNeeded: Cast.toInt64(a[0])))
        case "float64": return .float(Cast.toFloat64(a[0]))
        case "add": return .int64(a.reduce(Int64(0)) { $0 &+ Cast.toInt64($1) })
        case "sub": return .int64(Cast.toInt64(a[0]) &- Cast.toInt64(a[1]))
        case "mul": return .int64(a.dropFirst().reduce(Cast.toInt64(a[0])) { $0 &* Cast.toInt64($1) })
        case "div", "mod":
            let divisor = Cast.toInt64(a[1])
            guard divisor != 0 else { throw TemplateCallError(message: "runtime error: integer divide by zero") }
            let dividend = Cast.toInt64(a[0])
            return .int64(name == "div" ? dividend / divisor : dividend % divisor)
        case "addf": return .float(DecimalMath.fold(a, start: 0, operation: "+"))
        case "subf": return .float(DecimalMath.fold(Array(a.dropFirst()), start: Cast.toFloat64(a[0]), operation: "-"))
        case "mulf": return .float(DecimalMath.fold(Array(a.dropFirst()), start: Cast.toFloat64(a[0]), operation: "*"))
        case "divf": return .float(DecimalMath.fold(Array(a.dropFirst()), start: Cast.toFloat64(a[0]), operation: "/"))
        case "max": return .int64(a.dropFirst().reduce(Cast.toInt64(a[0])) { Swift.max($0, Cast.toInt64($1)) })
        case "min": return .int64(a.dropFirst().reduce(Cast.toInt64(a[0])) { Swift.min($0, Cast.toInt64($1)) })
        case "maxf": return .float(a.dropFirst().reduce(Cast.toFloat64(a[0])) { goMax($0, Cast.toFloat64($1)) })
        case "minf": return .float(a.dropFirst().reduce(Cast.toFloat64(a[0])) { goMin($0, Cast.toFloat64($1)) })
        case "ceil": return .float(Cast.toFloat64(a[0]).rounded(.up))
        case "floor": return .float(Cast.toFloat64(a[0]).rounded(.down))
        case "round":
            var roundOn = 0.5
            if a.count > 2, case .float(let value) = a[2] { roundOn = value }
            let power = pow(10, Double(int(a[1])))
            let digit = power * Cast.toFloat64(a[0])
            let fraction = digit - digit.rounded(.towardZero)
            return .float((fraction >= roundOn ? digit.rounded(.up) : digit.rounded(.down)) / power)
        case "fromJson": return JSONValueParser.parse(string(a[0]))
        case "default":
            if a.count < 2 || isEmpty(a[1], executor: executor) { return a[0] }
            return a[1]
        default:
            throw TemplateCallError(message: "function \(name) not implemented")
        }
    }

    private static func sprintArgs(_ a: [TemplateValue], _ labels: LabelState) -> String {
        if a.count == 1, case .string(let text) = a[0] { return text }
        return GoFormat.sprint(a, labels: labels)
    }

    private static func goMax(_ x: Double, _ y: Double) -> Double {
        if x.isNaN || y.isNaN { return .nan }
        return Swift.max(x, y)
    }

    private static func goMin(_ x: Double, _ y: Double) -> Double {
        if x.isNaN || y.isNaN { return .nan }
        return Swift.min(x, y)
    }

    private static func compile(_ pattern: String, executor: TemplateExecutor) throws -> RE2Regex {
        if let cached = executor.regexCache[pattern] { return try cached.get() }
        let result: Result<RE2Regex, TemplateCallError>
        do {
            result = .success(try GoRegex.compile(pattern))
        } catch {
            result = .failure(TemplateCallError(message: error.message))
        }
        if executor.regexCache.count > 64 { executor.regexCache.removeAll() }
        executor.regexCache[pattern] = result
        return try result.get()
    }

    private static func index(_ item: TemplateValue, _ indexes: [TemplateValue], executor: TemplateExecutor) throws
        -> TemplateValue
    {
        var value = item
        for index in indexes {
            switch value {
            case .labels, .map:
                guard case .string(let key) = index else {
                    throw TemplateCallError(message: "value has type \(index.typeName); should be string")
                }
                if case .map(let map) = value { value = map[key] ?? .none } else { value = .string(executor.dataValue(key) ?? "") }
            case .list(let list):
                guard let position = indexInteger(index) else {
                    throw TemplateCallError(message: "cannot index slice/array with type \(index.typeName)")
                }
                guard position >= 0, position < list.count else {
                    throw TemplateCallError(message: "index out of range: \(position)")
                }
                value = list[position]
            case .string(let text):
                guard let position = indexInteger(index) else {
                    throw TemplateCallError(message: "cannot index slice/array with type \(index.typeName)")
                }
                let bytes = Array(text.utf8)
                guard position >= 0, position < bytes.count else {
                    throw TemplateCallError(message: "index out of range: \(position)")
                }
                value = .byte(bytes[position])
            case .none:
                throw TemplateCallError(message: "index of untyped nil")
            default:
                throw TemplateCallError(message: "can't index item of type \(value.typeName)")
            }
        }
        return value
    }

    private static func indexInteger(_ value: TemplateValue) -> Int? {
        switch value {
        case .int(let number): return number
        case .int64(let number): return Int(number)
        case .byte(let byte): return Int(byte)
        default: return nil
        }
    }

    private static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        let bounds = indexes.compactMap(indexInteger)
        guard bounds.count == indexes.count else { throw TemplateCallError(message: "cannot index slice/array with nil") }
        switch item {
        case .string(let text):
            let bytes = Array(text.utf8)
            let low = bounds.first ?? 0
            let high = bounds.count > 1 ? bounds[1] : bytes.count
            guard low >= 0, high <= bytes.count, low <= high, bounds.count <= 2 else {
                throw TemplateCallError(message: "index out of range: \(high)")
            }
            return .string(String(decoding: bytes[low..<high], as: UTF8.self))
        case .list(let list):
            let low = bounds.first ?? 0
            let high = bounds.count > 1 ? bounds[1] : list.count
            guard low >= 0, high <= list.count, low <= high else { throw TemplateCallError(message: "index out of range: \(high)") }
            return .list(Array(list[low..<high]))
        default:
            throw TemplateCallError(message: "can't slice item of type \(item.typeName)")
        }
    }

    /// sprig's `empty`.
    private static func isEmpty(_ value: TemplateValue, executor: TemplateExecutor) -> Bool {
        switch value {
        case .time: return false
        default: return !executor.truth(value)
        }
    }

    /// Loki's `unixToTime`: 5 digits = days, 10 = seconds, 13 = ms, 16 = µs, 19 = ns.
    private static func unixToTime(_ epoch: String) throws -> GoTimeValue {
        guard case .success(let value) = GoStrconvInt.parse(epoch) else {
            throw TemplateCallError(message: "unable to parse time '\(epoch)': strconv.ParseInt: parsing \(GoQuote.quote(epoch)): invalid syntax")
        }
        switch epoch.utf8.count {
        case 5: return .utc(value &* 86_400 &* 1_000_000_000)
        case 10: return .utc(value &* 1_000_000_000)
        case 13: return .utc(value &* 1_000_000)
        case 16: return .utc(value &* 1000)
        case 19: return .utc(value)
        default: throw TemplateCallError(message: "unable to parse time '\(epoch)': %!w(<nil>)")
        }
    }

    private static func align(_ count: Int, _ text: String, left: Bool) -> String {
        let scalars = Array(text.unicodeScalars)
        if count < 0 || count == scalars.count { return text }
        let padding = count - scalars.count
        if padding > 0 {
            let spaces = String(repeating: " ", count: padding)
            return left ? text + spaces : spaces + text
        }
        let kept = left ? scalars[..<count] : scalars[(scalars.count - count)...]
        return String(String.UnicodeScalarView(kept))
    }

    private static func truncate(_ count: Int, _ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        if count < 0 && scalars.count + count > 0 { return String(String.UnicodeScalarView(scalars[(scalars.count + count)...])) }
        if count >= 0 && scalars.count > count { return String(String.UnicodeScalarView(scalars[..<count])) }
        return text
    }

    /// Loki's rune-based `substring(start, end, s)`.
    private static func substring(_ start: Int, _ end: Int, _ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let count = scalars.count
        var start = start
        var end = end
        if end > count { end = count }
        if start > count { start = count }
        if start < 0 {
            if end < 0 { return "" }
            return String(String.UnicodeScalarView(scalars[..<end]))
        }
        if end < 0 { return String(String.UnicodeScalarView(scalars[start...])) }
        if start > end { return "" }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }

    private static func indent(_ spaces: Int, _ text: String) -> String {
        let padding = String(repeating: " ", count: max(spaces, 0))
        return padding + GoStrings.replace(text, "\n", "\n" + padding, count: -1)
    }

    /// sprig's `date`: time values, or Unix seconds as int / int64; anything else formats the current time.
    private static func date(_ layout: String, _ value: TemplateValue) -> String {
        let time: GoTimeValue
        switch value {
        case .time(let t): time = GoTimeValue(nanos: t.nanos, offsetSeconds: 0, zoneName: "UTC")
        case .int(let seconds): time = .utc(Int64(seconds) &* 1_000_000_000)
        case .int64(let seconds): time = .utc(seconds &* 1_000_000_000)
        default: time = .utc(Int64(Date().timeIntervalSince1970 * 1e9))
        }
        return GoTimeFormat.format(time.isZero ? .zero : time, layout: layout)
    }
}
