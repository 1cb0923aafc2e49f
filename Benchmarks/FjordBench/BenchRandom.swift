import Foundation

/// The benchmark's deterministic random source (SplitMix64): the same seed gives the same data set on every machine
/// and Swift version, which `SystemRandomNumberGenerator` would not.
struct BenchRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "BenchRandom.pick from an empty list")
        return items[Int(next() % UInt64(items.count))]
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Heavy-tailed positive value with the given median.
    mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }
}

/// A list of items with relative weights, picked by binary search over the cumulative weights.
struct WeightedChoice<T> {
    let items: [T]
    private let cumulative: [Double]

    init(_ pairs: [(T, Double)]) {
        precondition(!pairs.isEmpty, "WeightedChoice needs at least one item")
        items = pairs.map(\.0)
        var sum = 0.0
        cumulative = pairs.map { sum += $0.1; return sum }
    }

    func pick(_ random: inout BenchRandom) -> T {
        let target = random.unit() * cumulative[cumulative.count - 1]
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return items[low]
    }
}
extension WeightedChoice: Sendable where T: Sendable {}
