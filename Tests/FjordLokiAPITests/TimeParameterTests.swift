import FjordLokiAPI
import Testing

@Suite struct TimeParameterTests {
    static let second: Int64 = 1_000_000_000

    @Test(arguments: [
        // Float seconds (contains a dot): fraction rounded to milliseconds.
        ("1588889221.5", Int64(1_588_889_221_500_000_000)),
        ("1588889221.123456", Int64(1_588_889_221_123_000_000)),
        ("1588889221.9996", Int64(1_588_889_222_000_000_000)),
        ("0.5", Int64(500_000_000)),
        ("1.5e9", Int64(1_500_000_000_000_000_000)),
        // Integers of at most 10 characters are seconds, longer ones nanoseconds.
        ("1588889221", Int64(1_588_889_221_000_000_000)),
        ("0", Int64(0)),
        ("-100", Int64(-100_000_000_000)),
        ("+158888922", Int64(158_888_922_000_000_000)),
        ("+1588889221", Int64(1_588_889_221)),  // 11 characters: nanoseconds
        ("15888892210", Int64(15_888_892_210)),
        ("1795332431735096644", Int64(1_795_332_431_735_096_644)),
        // RFC 3339 with and without fraction and offset.
        ("2026-11-22T03:00:00Z", Int64(1_795_316_400_000_000_000)),
        ("2026-11-22T03:00:00.123456789Z", Int64(1_795_316_400_123_456_789)),
        ("2026-11-22T05:00:00.5+02:00", Int64(1_795_316_400_500_000_000)),
    ])
    func parsesTimestamps(text: String, nanos: Int64) throws {
        #expect(try TimeParameters.parseTimestamp(text, default: -1) == nanos)
    }

    @Test func emptyTimestampIsTheDefault() throws {
        #expect(try TimeParameters.parseTimestamp("", default: 42) == 42)
    }

    @Test(arguments: [
        ("abc", #"strconv.ParseInt: parsing "abc": invalid syntax"#),
        ("1.2.3", #"strconv.ParseInt: parsing "1.2.3": invalid syntax"#),
        ("99999999999999999999", #"strconv.ParseInt: parsing "99999999999999999999": value out of range"#),
        ("2026-11-22t03:00:00Z", #"strconv.ParseInt: parsing "2026-11-22t03:00:00Z": invalid syntax"#),
        ("2026-02-30T03:00:00Z", #"strconv.ParseInt: parsing "2026-02-30T03:00:00Z": invalid syntax"#),
        ("2026-11-22T03:00:60Z", #"strconv.ParseInt: parsing "2026-11-22T03:00:60Z": invalid syntax"#),
        ("1_000", #"strconv.ParseInt: parsing "1_000": invalid syntax"#),
    ])
    func rejectsTimestampsWithGoText(text: String, message: String) {
        #expect(throws: LokiAPIError.badRequest(message)) { try TimeParameters.parseTimestamp(text, default: 0) }
    }

    @Test func boundsDefaults() throws {
        let now: Int64 = 1_700_000_000 * Self.second
        let (start, end) = try TimeParameters.determineBounds(now: now, start: "", end: "", since: "")
        #expect(end == now)
        #expect(start == now - 3600 * Self.second)

        let sinceFiveMinutes = try TimeParameters.determineBounds(now: now, start: "", end: "", since: "5m")
        #expect(sinceFiveMinutes.start == now - 300 * Self.second)

        // An end in the future does not move the default start past now.
        let future = try TimeParameters.determineBounds(now: now, start: "", end: "1800000000", since: "1h")
        #expect(future.end == 1_800_000_000 * Self.second)
        #expect(future.start == now - 3600 * Self.second)

        // An end in the past anchors the default start.
        let past = try TimeParameters.determineBounds(now: now, start: "", end: "1600000000", since: "1h30m")
        #expect(past.start == (1_600_000_000 - 5400) * Self.second)

        // An explicit start wins over since.
        let explicit = try TimeParameters.determineBounds(now: now, start: "1600000000", end: "", since: "5m")
        #expect(explicit.start == 1_600_000_000 * Self.second)
    }

    @Test(arguments: [
        ("x", "", "", #"could not parse 'start' parameter: strconv.ParseInt: parsing "x": invalid syntax"#),
        ("", "y", "", #"could not parse 'end' parameter: strconv.ParseInt: parsing "y": invalid syntax"#),
        ("", "", "5x", #"could not parse 'since' parameter: unknown unit "x" in duration "5x""#),
        ("", "", "soon", #"could not parse 'since' parameter: not a valid duration string: "soon""#),
        // `since` is parsed first, then `end`, then `start`.
        ("x", "y", "z", #"could not parse 'since' parameter: not a valid duration string: "z""#),
        ("x", "y", "", #"could not parse 'end' parameter: strconv.ParseInt: parsing "y": invalid syntax"#),
    ])
    func boundsErrors(start: String, end: String, since: String, message: String) {
        #expect(throws: LokiAPIError.badRequest(message)) {
            try TimeParameters.determineBounds(now: 0, start: start, end: end, since: since)
        }
    }

    @Test(arguments: [
        ("300", Int64(300) * second), ("0.5", Int64(500_000_000)), ("5m", Int64(300) * second),
        ("1h30m", Int64(5400) * second), ("1e3", Int64(1000) * second), ("-2", Int64(-2) * second),
    ])
    func secondsOrDuration(text: String, nanos: Int64) throws {
        #expect(try TimeParameters.parseSecondsOrDuration(text) == nanos)
    }

    @Test func secondsOrDurationErrors() {
        #expect(throws: LokiAPIError.badRequest(#"cannot parse "abc" to a valid duration"#)) {
            try TimeParameters.parseSecondsOrDuration("abc")
        }
        #expect(throws: LokiAPIError.badRequest(#"cannot parse "1e300" to a valid duration. It overflows int64"#)) {
            try TimeParameters.parseSecondsOrDuration("1e300")
        }
        #expect(throws: LokiAPIError.badRequest(#"cannot parse "Inf" to a valid duration. It overflows int64"#)) {
            try TimeParameters.parseSecondsOrDuration("Inf")
        }
        // 1e400 overflows ParseFloat itself, so Go falls through to the duration parser.
        #expect(throws: LokiAPIError.badRequest(#"cannot parse "1e400" to a valid duration"#)) {
            try TimeParameters.parseSecondsOrDuration("1e400")
        }
    }

    @Test(arguments: [
        (Int64(0), Int64(3600), Int64(14)), (Int64(0), Int64(3 * 3600), Int64(43)), (Int64(0), Int64(10), Int64(1)),
        (Int64(5), Int64(5), Int64(1)), (Int64(0), Int64(500), Int64(2)),
    ])
    func defaultStep(startSeconds: Int64, endSeconds: Int64, stepSeconds: Int64) {
        let step = TimeParameters.defaultStep(start: startSeconds * Self.second, end: endSeconds * Self.second)
        #expect(step == stepSeconds * Self.second)
    }
}
