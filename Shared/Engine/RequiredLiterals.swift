import FjordLogQL

/// Byte strings every result line of a pipeline must contain: the literals of its `|= "…"` filters (without `or`)
/// that run on the stored line, i.e. before any stage that rewrites the line. Storage uses them to skip decoding
/// blocks that contain none of a literal (``FjordModel/BlockContent/fullIfContaining(_:)``).
enum RequiredLiterals {
    static func of(_ stages: [PipelineStage]) -> [[UInt8]] {
        var literals: [[UInt8]] = []
        for stage in stages {
            switch stage {
            case .lineFormat, .decolorize, .unpack:
                return literals
            case .lineFilter(let filter):
                if filter.op == .contains, filter.values.count == 1, case .literal(let text)? = filter.values.first,
                   !text.isEmpty {
                    literals.append(Array(text.utf8))
                }
            default:
                continue
            }
        }
        return literals
    }
}
