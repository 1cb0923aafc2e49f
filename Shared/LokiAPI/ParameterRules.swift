import FjordModel

/// The individual parameter rules of `pkg/loghttp` that several endpoints share, with Loki's error texts.
enum ParameterRules {
    /// Loki's `default` result limit for queries and tail.
    static let defaultLimit = 100
    /// Most points a range query may produce per series.
    static let maxPointsPerSeries: Int64 = 11_000

    /// `limit`: Go `strconv.Atoi` (default `defaultValue`), must be positive, then kept as Go's `uint32` would.
    static func limit(_ parameters: FormParameters, name: String = "limit", default defaultValue: Int = defaultLimit)
        throws(LokiAPIError) -> Int
    {
        let value = try integer(parameters.first(name), default: defaultValue)
        if value <= 0 { throw .badRequest("limit must be a positive value") }
        return Int(UInt32(truncatingIfNeeded: value))
    }

    /// Go's `parseInt(value, def)`: empty → `def`, else `strconv.Atoi`.
    static func integer(_ text: String, default defaultValue: Int) throws(LokiAPIError) -> Int {
        text.isEmpty ? defaultValue : try GoStrconv.atoi(text)
    }

    /// `direction`: `forward` or `backward` in any case (default backward), else `invalid direction '<v>'`.
    static func direction(_ parameters: FormParameters) throws(LokiAPIError) -> Direction {
        let text = parameters.first("direction")
        if text.isEmpty { return .backward }
        switch text.uppercased() {
        case "FORWARD": return .forward
        case "BACKWARD": return .backward
        default: throw .badRequest("invalid direction '\(text)'")
        }
    }

    /// `start`/`end`/`since` with Loki's defaults (see ``TimeParameters/determineBounds(now:start:end:since:)``).
    static func bounds(_ parameters: FormParameters, now: Int64) throws(LokiAPIError) -> (start: Int64, end: Int64) {
        try TimeParameters.determineBounds(
            now: now, start: parameters.first("start"), end: parameters.first("end"), since: parameters.first("since"))
    }

    /// The bounds check of range-type requests: `end` before `start` is an error (equal is accepted).
    static func requireOrdered(start: Int64, end: Int64) throws(LokiAPIError) {
        if end < start { throw .badRequest("end timestamp must not be before or equal to start time") }
    }

    /// `step` (default from the range), its sign check and the 11,000-points check, in Loki's order.
    static func step(_ parameters: FormParameters, start: Int64, end: Int64) throws(LokiAPIError) -> Int64 {
        let text = parameters.first("step")
        let step = text.isEmpty
            ? TimeParameters.defaultStep(start: start, end: end) : try TimeParameters.parseSecondsOrDuration(text)
        if step <= 0 {
            throw .badRequest("zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        let (difference, overflow) = end.subtractingReportingOverflow(start)
        let range = overflow ? Int64.max : difference  // Go's Time.Sub saturates
        if range / step > maxPointsPerSeries {
            throw .badRequest(
                "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step "
                    + "parameter")
        }
        return step
    }

    /// `interval` (default 0) and its sign check.
    static func interval(_ parameters: FormParameters) throws(LokiAPIError) -> Int64 {
        let text = parameters.first("interval")
        let interval = text.isEmpty ? 0 : try TimeParameters.parseSecondsOrDuration(text)
        if interval < 0 { throw .badRequest("interval must be >= 0") }
        return interval
    }
}
