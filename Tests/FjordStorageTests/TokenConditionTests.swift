@testable import FjordStorage
import Testing

/// The packed-hex patterns a `|= "literal"` needle requires in a block's tokens section.
@Suite struct TokenConditionTests {
    private func packed(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map {
            LineTransform.nibbleValue[Int(digits[$0])] << 4 | LineTransform.nibbleValue[Int(digits[$0 + 1])]
        }
    }

    private func conditions(_ needle: String, years: ClosedRange<Int>? = 2026...2026) -> [[[UInt8]]] {
        LineTransform.tokenConditions(Array(needle.utf8), years: years)
    }

    @Test func requestIDAfterAPrefixIsPackedFromItsStart() {
        #expect(conditions("req_373802e8c2954640") == [[packed("373802e8c2954640")]])
        #expect(conditions("id=ABCDEF0123456789ABCD\"") == [[packed("ABCDEF0123456789ABCD")]])
    }

    @Test func shortMixedCaseAndDigitOnlyRunsGiveNothing() {
        #expect(conditions("req_373802e8c295464").isEmpty)  // 15 digits
        #expect(conditions("req_373802E8c2954640abc").isEmpty)  // both cases
        #expect(conditions("n=12345678901234567890").isEmpty)  // no letter
        #expect(conditions("Traceback").isEmpty)
    }

    @Test func runAtTheNeedleStartDropsLeadingDigitsAndTriesBothAlignments() {
        // The line may hold more hex digits before the needle, so the run's start is unknown.
        let hex = "0123abcdef0123456789abcd"
        #expect(conditions(hex + " x") == [[packed("abcdef0123456789abcd"), packed("bcdef0123456789abc")]])
        #expect(conditions("0123abcdef012345678 x").isEmpty)
    }

    @Test func timestampSecondsOrFractionMayEndInsideTheRun() {
        // After ':' the seconds (2 digits) may end at offset 2: same parity as offset 0, one pattern.
        #expect(conditions(":12abcdef0123456789ab x") == [[packed("abcdef0123456789ab")]])
        // After '.' a 3-digit fraction may end at offset 3: both parities.
        #expect(conditions(".123abcdef0123456789abcd x")
                == [[packed("abcdef0123456789abcd"), packed("bcdef0123456789abc")]])
        // 6 fraction digits leave only 15.
        #expect(conditions(",123456abcdef012345678 x").isEmpty)
        // Other separators cannot end a timestamp: the run starts at the first digit.
        #expect(conditions("/123456abcdef012345678 x") == [[packed("123456abcdef012345678")]])
    }

    @Test func timestampYearMayStartAtTheRunEnd() {
        // Followed by '-': the last 4 digits may be the year of a timestamp the encoder replaced.
        #expect(conditions("x abcdef01234567892026-") == [[packed("abcdef0123456789")]])
        #expect(conditions("x abcdef012345672026-").isEmpty)
        #expect(conditions("x abcdef01234567892026-", years: 2020...2025) == [[packed("abcdef01234567892026")]])
        // Ending the needle: the last k digits may begin a year printed on past the needle's end.
        #expect(conditions("x abcdef012345678920").isEmpty == false)
        #expect(conditions("x abcdef012345678920") == [[packed("abcdef0123456789")]])
        #expect(conditions("x abcdef0123456720").isEmpty)
        #expect(conditions("x abcdef0123456720", years: 1999...1999) == [[packed("abcdef0123456720")]])
        #expect(conditions("x abcdef0123456720", years: nil).isEmpty)
        #expect(conditions("x abcdef0123456720", years: 12000...12001) == [[packed("abcdef0123456720")]])
        // Any other byte after the run: nothing is dropped.
        #expect(conditions("x abcdef01234567892026\"") == [[packed("abcdef01234567892026")]])
    }

    @Test func everySingleCaseRunOfTheNeedleCounts() {
        #expect(conditions("trace=0123456789abcdef span=FEDCBA9876543210 x")
                == [[packed("0123456789abcdef")], [packed("FEDCBA9876543210")]])
    }
}
