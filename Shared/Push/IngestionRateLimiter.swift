/// A tenant's ingestion rate limit (`ingestion_rate_mb`, `ingestion_burst_size_mb`): a token bucket holding up to
/// `burstBytes` tokens, refilled at `bytesPerSecond`, as Go's `x/time/rate` limiter Loki uses. A push is admitted
/// whole or rejected whole (429); a rejected push consumes nothing. The clock is passed in (Unix nanoseconds).
public struct IngestionRateLimiter: Sendable {
    /// Loki's defaults: 4 MiB/s, burst 6 MiB.
    public static let defaultRate = 4.0 * 1024 * 1024
    public static let defaultBurst = 6 * 1024 * 1024

    /// Refill rate in bytes per second (with the `global` strategy: the tenant rate divided by the number of
    /// healthy distributors).
    public var bytesPerSecond: Double
    /// Bucket size in bytes (not divided between distributors).
    public var burstBytes: Int
    private var tokens: Double
    private var last: Int64?

    public init(bytesPerSecond: Double = defaultRate, burstBytes: Int = defaultBurst) {
        self.bytesPerSecond = bytesPerSecond
        self.burstBytes = burstBytes
        self.tokens = Double(burstBytes)
    }

    /// The limiter for a tenant rate in MiB/s and burst in MiB, shared by `distributors` (global strategy).
    public init(ingestionRateMB: Double, ingestionBurstSizeMB: Double, distributors: Int = 1) {
        self.init(bytesPerSecond: ingestionRateMB * 1024 * 1024 / Double(max(1, distributors)),
                  burstBytes: Int(ingestionBurstSizeMB * 1024 * 1024))
    }

    /// Takes `bytes` tokens at time `now` if available; returns false (taking nothing) otherwise.
    public mutating func allow(bytes: Int, now: Int64) -> Bool {
        let available = tokens(at: now)
        last = max(last ?? now, now)
        tokens = available
        guard bytes <= burstBytes, Double(bytes) <= available else { return false }
        tokens = available - Double(bytes)
        return true
    }

    /// Admits a push of `lines` entries totalling `bytes`, or throws Loki's 429.
    public mutating func admit(bytes: Int, lines: Int, tenant: String, now: Int64) throws(PushError) {
        guard allow(bytes: bytes, now: now) else {
            throw PushError(status: 429, message: "ingestion rate limit exceeded for user \(tenant) (limit: \(Int(bytesPerSecond)) bytes/sec) while attempting to ingest '\(lines)' lines totaling '\(bytes)' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased")
        }
    }

    private func tokens(at now: Int64) -> Double {
        guard let last, now > last else { return tokens }
        let elapsed = Double(now - last) / 1_000_000_000
        return min(Double(burstBytes), tokens + elapsed * bytesPerSecond)
    }
}
