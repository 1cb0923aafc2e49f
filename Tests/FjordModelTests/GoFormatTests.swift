import FjordModel
import Testing

@Suite struct GoFormatTests {
    @Test(arguments: [
        (0.5, "0.5"), (1.0, "1"), (1267.1266666666666, "1267.1266666666666"), (1e-05, "0.00001"),
        (1.5e20, "150000000000000000000"), (-2.25, "-2.25"), (Double.nan, "NaN"), (Double.infinity, "+Inf"),
        (-Double.infinity, "-Inf"), (100.0, "100"), (0.1, "0.1"), (123456789.0, "123456789"),
    ])
    func formatFloat(value: Double, expected: String) {
        #expect(GoFloat.format(value) == expected)
    }

    @Test func quote() {
        #expect(GoQuote.quote("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"")
        #expect(GoQuote.quote("é→") == "\"é→\"")
        #expect(GoQuote.quote("\u{01}") == "\"\\x01\"")
    }

    @Test func rfc3339RoundTrip() {
        let nanos: Int64 = 1_795_316_400_123_456_789
        #expect(GoTime.rfc3339Nano(nanos) == "2026-11-22T03:00:00.123456789Z")
        #expect(GoTime.parseRFC3339("2026-11-22T03:00:00.123456789Z") == nanos)
        #expect(GoTime.parseRFC3339("2026-11-22T05:00:00.123456789+02:00") == nanos)
        #expect(GoTime.goString(1_795_316_400_500_000_000) == "2026-11-22 03:00:00.5 +0000 UTC")
        #expect(GoTime.rfc3339Nano(1_795_316_400_000_000_000) == "2026-11-22T03:00:00Z")
    }
}
