/// A results-cache key: the tenants, the normalised query and what fixes the shape of the cached answer (step and
/// split interval with the split bucket, or the instant's time), like Loki's
/// `<tenant>:<query>:<step_ms>:<start_ms / split_ms>:<split_ms>`.
///
/// The query is prefixed by its byte length so no two (query, numbers) pairs print alike. `text` is stored inside the cached value and compared on every read, so a collision of the short ``hashed``
/// form (what memcached sees; its keys are limited to 250 bytes) can never serve another query's answer.
public struct ResultsCacheKey: Sendable, Hashable {
    /// The full key.
    public let text: String

    init(_ text: String) { self.text = text }

    /// A range metric query's key for one split bucket.
    public static func metricRange(tenants: [String], query: String, step: Int64, interval: Int64, bucket: Int64)
        -> ResultsCacheKey
    {
        ResultsCacheKey("m1:\(tenants.joined(separator: "|")):\(query.utf8.count):\(query):\(step):\(bucket):\(interval)")
    }

    /// An instant metric query's key at evaluation time `time` (nanoseconds).
    public static func instant(tenants: [String], query: String, time: Int64) -> ResultsCacheKey {
        ResultsCacheKey("i1:\(tenants.joined(separator: "|")):\(query.utf8.count):\(query):\(time)")
    }

    /// A log query's empty-result key for one split bucket.
    public static func logEmpty(tenants: [String], query: String, interval: Int64, bucket: Int64) -> ResultsCacheKey {
        ResultsCacheKey("l1:\(tenants.joined(separator: "|")):\(query.utf8.count):\(query):\(bucket):\(interval)")
    }

    /// `fjord-` and 32 hex digits of two independent 64-bit FNV-1a hashes of the key: short, with no spaces or
    /// control characters, as memcached keys must be.
    public var hashed: String {
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x84222325_cbf29ce4
        for byte in text.utf8 {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte ^ 0x5c)) &* 0x0000_0100_0000_01b3
        }
        return "fjord-" + Self.hex(first) + Self.hex(second ^ UInt64(text.utf8.count))
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
