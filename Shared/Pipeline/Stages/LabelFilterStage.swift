import FjordLogQL
import FjordModel
import FjordRegex

/// A compiled label filter expression (Loki's `LabelFilterer` tree).
///
/// String matchers compare against `""` when the label is missing and are the only filters that can test
/// `__error__`. Numeric, duration and bytes comparisons drop the entry when the label is missing and keep it with
/// `__error__=LabelFilterErr` when the value does not convert (unless an error is already set). `and` evaluates
/// both sides (as Loki does, so the right side may set an error even when the left failed); `or` stops at the
/// first match.
indirect enum LabelFilterNode: Sendable {
    case and(LabelFilterNode, LabelFilterNode)
    case or(LabelFilterNode, LabelFilterNode)
    case always
    case string(name: ByteString, test: StringTest)
    case number(name: ByteString, op: ComparisonOperator, value: Double)
    case duration(name: ByteString, op: ComparisonOperator, nanos: Int64)
    case bytes(name: ByteString, op: ComparisonOperator, value: UInt64)
    case ip(name: ByteString, equal: Bool, matcher: IPMatcher)

    /// How a string matcher tests a value.
    enum StringTest: Sendable {
        case equal(ByteString, negated: Bool)
        case simplified(SimplifiedRegex, negated: Bool)
        case regex(RE2Regex, negated: Bool)

        @inline(__always)
        func matches(_ value: UnsafeRawBufferPointer) -> Bool {
            switch self {
            case .equal(let expected, let negated): return Bytes.equal(value, expected.bytes) != negated
            case .simplified(let filter, let negated): return filter.matches(value) != negated
            case .regex(let regex, let negated): return regex.fullMatch(value) != negated
            }
        }
    }

    static func compile(_ expression: LabelFilterExpr) throws(PipelineError) -> LabelFilterNode {
        switch expression {
        case .and(let left, let right): return .and(try compile(left), try compile(right))
        case .or(let left, let right): return .or(try compile(left), try compile(right))
        case .parenthesized(let inner): return try compile(inner)
        case .string(let matcher):
            let name = ByteString(matcher.name)
            switch matcher.kind {
            case .equal: return .string(name: name, test: .equal(ByteString(matcher.value), negated: false))
            case .notEqual: return .string(name: name, test: .equal(ByteString(matcher.value), negated: true))
            case .regexMatch, .notRegexMatch:
                let negated = matcher.kind == .notRegexMatch
                if let simplified = RegexSimplifier.simplify(matcher.value, isLabel: true) {
                    if case .always = simplified, !negated { return .always }
                    return .string(name: name, test: .simplified(simplified, negated: negated))
                }
                guard let regex = matcher.regex else {
                    throw PipelineError(message: "invalid regex for label filter \(matcher)")
                }
                return .string(name: name, test: .regex(regex, negated: negated))
            }
        case .number(let name, let op, let value, _):
            return .number(name: ByteString(name), op: op, value: value)
        case .duration(let name, let op, let seconds, _):
            return .duration(name: ByteString(name), op: op, nanos: Int64((seconds * 1e9).rounded()))
        case .bytes(let name, let op, let bytes, _):
            return .bytes(name: ByteString(name), op: op, value: UInt64(max(0, bytes)))
        case .ip(let name, let equal, let pattern):
            return .ip(name: ByteString(name), equal: equal, matcher: try IPMatcher(pattern: pattern))
        }
    }

    /// True when the filter's pass/drop decision depends only on the labels it names (no `ip()`, which passes
    /// errored entries, and no test of `__error__` / `__error_details__`).
    var canRunOnPartialLabels: Bool {
        switch self {
        case .and(let l, let r), .or(let l, let r): return l.canRunOnPartialLabels && r.canRunOnPartialLabels
        case .ip: return false
        case .always: return true
        case .string(let name, _), .number(let name, _, _), .duration(let name, _, _), .bytes(let name, _, _):
            return !Bytes.equal(name.bytes, ErrorLabels.error.bytes) && !Bytes.equal(name.bytes, ErrorLabels.details.bytes)
        }
    }

    /// Label names the filter reads.
    var names: [String] {
        switch self {
        case .and(let l, let r), .or(let l, let r): return l.names + r.names
        case .always: return []
        case .string(let name, _), .number(let name, _, _), .duration(let name, _, _), .bytes(let name, _, _),
             .ip(let name, _, _):
            return [name.string]
        }
    }

    func evaluate(_ runtime: StageRuntime) -> Bool {
        let labels = runtime.labels
        switch self {
        case .and(let left, let right):
            let l = left.evaluate(runtime)
            let r = right.evaluate(runtime)
            return l && r
        case .or(let left, let right):
            if left.evaluate(runtime) { return true }
            return right.evaluate(runtime)
        case .always:
            return true
        case .string(let name, let test):
            if Bytes.equal(name.bytes, ErrorLabels.error.bytes) {
                return Bytes.withUTF8(labels.errorType) { test.matches($0) }
            }
            let value = labels.get(name) ?? UnsafeRawBufferPointer(start: nil, count: 0)
            return test.matches(value)
        case .number(let name, let op, let expected):
            guard let value = labels.get(name) else { return false }
            switch GoStrconv.parseFloat(value) {
            case .success(let number): return LabelFilterNode.compare(number, op, expected)
            case .failure(let error):
                LabelFilterNode.setError(runtime, error.message)
                return true
            }
        case .duration(let name, let op, let expected):
            guard let value = labels.get(name) else { return false }
            do {
                let nanos = try GoDuration.parse(Bytes.string(value))
                return LabelFilterNode.compare(nanos, op, expected)
            } catch {
                LabelFilterNode.setError(runtime, error.message)
                return true
            }
        case .bytes(let name, let op, let expected):
            guard let value = labels.get(name) else { return false }
            do {
                let size = try HumanizeBytes.parse(Bytes.string(value))
                return LabelFilterNode.compare(size, op, expected)
            } catch {
                LabelFilterNode.setError(runtime, error.message)
                return true
            }
        case .ip(let name, let equal, let matcher):
            if labels.hasError { return true }
            guard let value = labels.get(name) else { return false }
            let inRange = matcher.matchesText(value)
            return equal ? inRange : !inRange
        }
    }

    private static func setError(_ runtime: StageRuntime, _ details: String) {
        if runtime.labels.hasError { return }
        runtime.labels.errorType = ErrorTypes.labelFilter
        runtime.labels.errorDetails = details
    }

    @inline(__always)
    static func compare<T: Comparable>(_ value: T, _ op: ComparisonOperator, _ expected: T) -> Bool {
        switch op {
        case .equal: return value == expected
        case .notEqual: return value != expected
        case .greater: return value > expected
        case .greaterOrEqual: return value >= expected
        case .less: return value < expected
        case .lessOrEqual: return value <= expected
        }
    }
}

/// `| label filter` as a pipeline stage.
struct LabelFilterStage: StageProgram {
    let node: LabelFilterNode

    init(_ node: LabelFilterNode) { self.node = node }

    @inline(__always)
    func run(_ runtime: StageRuntime) -> Bool { node.evaluate(runtime) }

    var requiredLabelNames: [String] {
        var seen = Set<String>()
        return node.names.filter { seen.insert($0).inserted }
    }
}
