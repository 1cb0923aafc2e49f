/// A LogQL query was rejected by the parser. `message` is the exact text Loki returns (HTTP 400 body), e.g.
/// `parse error at line 1, col 25: syntax error: unexpected )` or
/// `parse error : grouping not allowed for rate aggregation`.
public struct LogQLParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The full text, with Loki's `parse error …` prefix when Loki adds one.
    public var message: String
    /// The text after the prefix (`syntax error: unexpected )`).
    public var detail: String
    /// Line Loki reports (1-based; 0 when Loki reports no position or an invalidated one).
    public var line: Int
    /// Column Loki reports (1-based, in characters; 0 when Loki reports no position).
    public var column: Int

    /// An error with Loki's `parse error` prefix: `parse error : <detail>` when `line` and `column` are both 0,
    /// `parse error at line L, col C: <detail>` otherwise.
    public init(_ detail: String, line: Int = 0, column: Int = 0) {
        self.detail = detail
        self.line = line
        self.column = column
        if line == 0 && column == 0 {
            message = "parse error : " + detail
        } else {
            message = "parse error at line \(line), col \(column): " + detail
        }
    }

    /// An error Loki returns without the `parse error` prefix (e.g. `only label matchers are supported`).
    public static func unprefixed(_ text: String) -> LogQLParseError {
        var error = LogQLParseError(text)
        error.message = text
        return error
    }

    /// Loki's `NewStageError`: a pipeline stage that could not be built,
    /// `parse error : stage '<stage>' : <reason>`. `stage` is the stage as ``PipelineStage/description`` prints it.
    public static func stage(_ stage: String, _ reason: String) -> LogQLParseError {
        LogQLParseError("stage '" + stage + "' : " + reason)
    }

    public var description: String { message }
}
