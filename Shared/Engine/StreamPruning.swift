import FjordLogQL
import FjordModel

/// Decides from a stream's labels alone that a pipeline drops every one of its lines, so the stream is not read.
///
/// An equality label filter (`level="error"`, `level!="debug"`) on a label the stream has is decided by the stream label:
/// parsers and structured metadata never overwrite a stream label (a colliding name gets the `_extracted` suffix),
/// and a string filter drops a line whatever its `__error__`. So `{job="x"} | json | level="error"` reads only the
/// streams whose `level` label is `error`. The analysis stops at the first stage that can change or remove stream
/// labels (`label_format`, `drop`, `keep`, `unpack`); filters on names starting with `__` and on labels the stream
/// lacks (a parser may add them) are never decided here, nor are regex (left to the pipeline's own regex semantics),
/// numeric, duration, bytes and `ip()` filters.
enum StreamPruning {
    /// True when every line of a stream labelled `labels` is dropped by `stages`.
    static func rejectsEveryLine(_ stages: [PipelineStage], labels: Labels) -> Bool {
        for stage in stages {
            switch stage {
            case .lineFilter, .logfmt, .json, .regexp, .pattern, .lineFormat, .decolorize:
                continue
            case .labelFilter(let filter):
                if isFalse(filter, labels) { return true }
            case .unpack, .labelFormat, .drop, .keep:
                return false
            }
        }
        return false
    }

    /// True only when `filter` is false for every line of the stream.
    private static func isFalse(_ filter: LabelFilterExpr, _ labels: Labels) -> Bool {
        switch filter {
        case .and(let left, let right):
            return isFalse(left, labels) || isFalse(right, labels)
        case .or(let left, let right):
            return isFalse(left, labels) && isFalse(right, labels)
        case .parenthesized(let inner):
            return isFalse(inner, labels)
        case .string(let matcher):
            guard !matcher.name.hasPrefix("__"), let value = labels[matcher.name] else { return false }
            switch matcher.kind {
            case .equal: return value != matcher.value
            case .notEqual: return value == matcher.value
            case .regexMatch, .notRegexMatch: return false
            }
        default:
            return false
        }
    }
}

extension Array where Element == SourceStream {
    /// The streams `stages` may keep lines of (see ``StreamPruning``).
    func pruned(by stages: [PipelineStage]) -> [SourceStream] {
        filter { !StreamPruning.rejectsEveryLine(stages, labels: $0.labels) }
    }
}
