@testable import FjordStorage
import Testing

@Suite struct TimestampTextTests {
    /// The text a fresh `TimestampText` writes: what the cached one must equal.
    private func fresh(_ nanos: Int64) -> (valid: Bool, text: [UInt8]) {
        var text = TimestampText()
        text.set(nanos)
        text.writeFraction()
        return (text.isValid, text.bytes)
    }

    @Test func reusingTheCachedDayWritesWhatAFreshOneWrites() {
        var random = SeededRandom(seed: 20261123)
        let day: Int64 = 86_400 * 1_000_000_000
        var text = TimestampText()
        var time: Int64 = 1_795_417_200 * 1_000_000_000
        for step in 0..<20_000 {
            switch random.next() % 6 {
            case 0: time += Int64(random.next() % 3_000_000_000)                    // same or next seconds
            case 1: time += Int64(random.next() % UInt64(2 * day))                  // across days
            case 2: time -= Int64(random.next() % UInt64(3 * day))                  // backwards
            case 3: time = day * Int64(random.next() % 30_000) - Int64(random.next() % 2_000_000_000) // near midnight
            case 4: time = -Int64(random.next() % UInt64(Int64.max / 2))            // before 1970, invalid years
            default: time = Int64(random.next() % UInt64(Int64.max))                // far future
            }
            text.set(time)
            text.writeFraction()
            let expected = fresh(time)
            #expect(text.isValid == expected.valid, "step \(step), time \(time)")
            if expected.valid { #expect(text.bytes == expected.text, "step \(step), time \(time)") }
        }
    }
}
