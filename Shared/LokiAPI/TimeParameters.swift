import FjordModel

/// Loki's rules for time and duration parameters (`pkg/loghttp/params.go`). All times are Unix nanoseconds and all
/// durations nanoseconds; `now` is always passed in.
public enum TimeParameters {
    /// Default look-back when neither `start` nor `since` is given.
    public static let defaultSince: Int64 = 3_600_000_000_000

    /// Loki's `parseTimestamp`: empty → `defaultValue`; text with a `.` that parses as a float → Unix seconds with
    /// the fraction rounded to milliseconds; an integer of at most 10 characters → Unix seconds, longer → Unix
    /// nanoseconds; otherwise RFC 3339 (`2006-01-02T15:04:05.999999999Z07:00`). Anything else throws Go's
    /// `strconv.ParseInt` error text (the caller adds the `could not parse '<name>' parameter: ` prefix).
    public static func parseTimestamp(_ text: String, default defaultValue: Int64) throws(LokiAPIError) -> Int64 {
        if text.isEmpty { return defaultValue }
        if text.utf8.contains(UInt8(ascii: ".")), let seconds = GoStrconv.parseFloat(text) {
            return nanosFromFloatSeconds(seconds)
        }
        let integer: Int64
        do {
            integer = try GoStrconv.parseInt(text)
        } catch {
            if let nanos = StrictRFC3339.parse(text) { return nanos }
            throw error
        }
        if text.utf8.count <= 10 { return saturatingNanos(seconds: integer, nanos: 0) }
        return integer
    }

    /// `time.Unix(int64(s), int64(round(frac*1000)/1000 * 1e9))` for `s, frac = math.Modf(seconds)`.
    private static func nanosFromFloatSeconds(_ seconds: Double) -> Int64 {
        let whole = seconds.rounded(.towardZero)
        var fraction = seconds - whole
        fraction = (fraction * 1000).rounded(.toNearestOrAwayFromZero) / 1000
        let fractionNanos = Int64((fraction * 1_000_000_000).rounded(.towardZero))
        guard whole.magnitude < 9.2e18 else { return whole < 0 ? Int64.min : Int64.max }
        return saturatingNanos(seconds: Int64(whole), nanos: fractionNanos)
    }

    private static func saturatingNanos(seconds: Int64, nanos: Int64) -> Int64 {
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? Int64.min : Int64.max }
        let (sum, overflow2) = product.addingReportingOverflow(nanos)
        if overflow2 { return nanos < 0 ? Int64.min : Int64.max }
        return sum
    }

    /// Loki's `determineBounds`: `since` (Prometheus duration, default 1h) is parsed first, then `end` (default
    /// `now`), then `start` (default `min(end, now) - since`). Errors carry Loki's `could not parse '<name>'
    /// parameter: …` prefix. Returns `(start, end)`; it does not compare them.
    public static func determineBounds(
        now: Int64, start startText: String, end endText: String, since sinceText: String
    ) throws(LokiAPIError) -> (start: Int64, end: Int64) {
        var since = defaultSince
        if !sinceText.isEmpty {
            do {
                since = try PromDuration.parse(sinceText)
            } catch {
                throw .badRequest("could not parse 'since' parameter: \(error.message)")
            }
        }
        let end = try wrapped("end") { () throws(LokiAPIError) in try parseTimestamp(endText, default: now) }
        let endOrNow = min(end, now)
        let (defaultStart, overflow) = endOrNow.subtractingReportingOverflow(since)
        let start = try wrapped("start") { () throws(LokiAPIError) in
            try parseTimestamp(startText, default: overflow ? Int64.min : defaultStart)
        }
        return (start, end)
    }

    private static func wrapped(_ name: String, _ body: () throws(LokiAPIError) -> Int64) throws(LokiAPIError)
        -> Int64
    {
        do {
            return try body()
        } catch {
            throw .badRequest("could not parse '\(name)' parameter: \(error.message)")
        }
    }

    /// Loki's `parseSecondsOrDuration` (for `step`, `interval`): a float is seconds (`300`, `0.5`), else a
    /// Prometheus duration (`5m`, `1h30m`), else `cannot parse "<v>" to a valid duration`.
    public static func parseSecondsOrDuration(_ text: String) throws(LokiAPIError) -> Int64 {
        if let seconds = GoStrconv.parseFloat(text) {
            let nanos = seconds * 1_000_000_000
            let limit = 9_223_372_036_854_775_808.0  // float64(math.MaxInt64) rounds up to 2^63
            if nanos > limit || nanos < -limit {
                throw .badRequest("cannot parse \(GoQuote.quote(text)) to a valid duration. It overflows int64")
            }
            // Go converts NaN and exactly ±2^63 to math.MinInt64 on amd64.
            if nanos.isNaN || nanos.magnitude >= limit { return Int64.min }
            return Int64(nanos.rounded(.towardZero))
        }
        if let duration = try? PromDuration.parse(text) { return duration }
        throw .badRequest("cannot parse \(GoQuote.quote(text)) to a valid duration")
    }

    /// Loki's default `step` for a range: `max(floor((end - start) in seconds / 250), 1)` seconds, in nanoseconds.
    public static func defaultStep(start: Int64, end: Int64) -> Int64 {
        let (difference, overflow) = end.subtractingReportingOverflow(start)
        let duration = overflow ? (end < start ? Int64.min : Int64.max) : difference
        // time.Duration.Seconds(): whole seconds plus the remainder as a fraction.
        let seconds = Double(duration / 1_000_000_000) + Double(duration % 1_000_000_000) / 1e9
        let steps = max((seconds / 250).rounded(.down), 1)
        guard steps < 9.2e9 else { return Int64.max }
        return Int64(steps) * 1_000_000_000
    }
}

/// Go's `time.Parse(time.RFC3339Nano, s)` acceptance on top of ``GoTime/parseRFC3339(_:)``: an upper-case `T` and
/// `Z`, seconds 0–59, a day that exists in its month, offsets up to 23:59, and at least one fraction digit after a
/// dot.
enum StrictRFC3339 {
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") else { return nil }
        func number(_ from: Int, _ width: Int) -> Int? {
            var value = 0
            for index in from..<(from + width) {
                guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let second = number(17, 2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), second <= 59
        else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        }
        let zone = bytes[index...]
        if zone.count == 1 {
            guard zone.first == UInt8(ascii: "Z") else { return nil }
        } else {
            guard zone.count == 6, let hours = number(index + 1, 2), let minutes = number(index + 4, 2),
                hours <= 23, minutes <= 59
            else { return nil }
        }
        return GoTime.parseRFC3339(text)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
