import FjordModel
import FjordPipeline

/// Reads timestamps in Promtail's `timestamp` stage formats: `RFC3339`, `RFC3339Nano`, `Unix` (seconds, with an
/// optional fraction), `UnixMs`, `UnixUs`, `UnixNs`, Go's named layouts (`ANSIC`, `RFC1123Z`, `Stamp`, …) and any Go
/// layout. Layouts without a year take the current one, as in Promtail.
public enum TimestampFormats {
    static let named: [String: String] = [
        "ANSIC": "Mon Jan _2 15:04:05 2006",
        "UnixDate": "Mon Jan _2 15:04:05 MST 2006",
        "RubyDate": "Mon Jan 02 15:04:05 -0700 2006",
        "RFC822": "02 Jan 06 15:04 MST",
        "RFC822Z": "02 Jan 06 15:04 -0700",
        "RFC850": "Monday, 02-Jan-06 15:04:05 MST",
        "RFC1123": "Mon, 02 Jan 2006 15:04:05 MST",
        "RFC1123Z": "Mon, 02 Jan 2006 15:04:05 -0700",
        "RFC3339": "2006-01-02T15:04:05Z07:00",
        "RFC3339Nano": "2006-01-02T15:04:05.999999999Z07:00",
        "Kitchen": "3:04PM",
        "Stamp": "Jan _2 15:04:05",
        "StampMilli": "Jan _2 15:04:05.000",
        "StampMicro": "Jan _2 15:04:05.000000",
        "StampNano": "Jan _2 15:04:05.000000000",
    ]

    /// Unix nanoseconds of `text` in `format`, or nil. `now` gives the year for layouts without one.
    public static func parse(_ text: String, format: String, location: String = "", now: Int64) -> Int64? {
        switch format {
        case "Unix": return parseUnixSeconds(text)
        case "UnixMs": return Int64(text).flatMap { multiply($0, 1_000_000) }
        case "UnixUs": return Int64(text).flatMap { multiply($0, 1_000) }
        case "UnixNs": return Int64(text)
        default: break
        }
        if format == "RFC3339" || format == "RFC3339Nano", let nanos = GoTime.parseRFC3339(text) { return nanos }
        let layout = named[format] ?? format
        if layout.contains("2006") || layout.contains("06") {
            return GoTimeLayout.parse(text, layout: layout, location: location)
        }
        // No year in the layout: the current one (Go would give year 0).
        return GoTimeLayout.parse(text + " \(GoTime.civil(now).year)", layout: layout + " 2006", location: location)
    }

    private static func multiply(_ value: Int64, _ factor: Int64) -> Int64? {
        let (result, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : result
    }

    /// `1562708916` or `1562708916.414123`.
    static func parseUnixSeconds(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int64(parts[0]), let base = multiply(seconds, 1_000_000_000) else { return nil }
        guard parts.count == 2 else { return base }
        let fraction = parts[1]
        guard !fraction.isEmpty, fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber) else { return nil }
        let nanos = Int64(String((fraction + "000000000").prefix(9))) ?? 0
        return seconds < 0 || parts[0].hasPrefix("-") ? base - nanos : base + nanos
    }
}

/// `timestamp`: sets the entry's time from an extracted value. On a parse failure `fudge` (the default) moves the
/// entry 1 ns after the last timestamp this stage set for the same labels; `skip` leaves it unchanged.
final class TimestampStage: AgentStage {
    let config: TimestampStageConfig
    private var lastKnown: [String: Int64] = [:]

    init(_ config: TimestampStageConfig) { self.config = config }

    func process(_ entry: AgentEntry, _ context: StageContext, _ next: (AgentEntry) -> Void) {
        var entry = entry
        guard let text = entry.extracted[config.source] else { return next(entry) }
        let key = entry.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        var parsed: Int64?
        for format in [config.format] + config.fallbackFormats {
            parsed = TimestampFormats.parse(text, format: format, location: config.location, now: context.now)
            if parsed != nil { break }
        }
        if let parsed {
            entry.timestamp = parsed
            lastKnown[key] = parsed
        } else if config.fudgeOnFailure, let last = lastKnown[key] {
            entry.timestamp = last + 1
            lastKnown[key] = last + 1
        }
        next(entry)
    }
}
