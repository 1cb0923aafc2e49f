import Foundation

/// The ruler's time: wall-clock "now" (rule evaluation times are wall-clock Unix nanoseconds) and sleeping until a
/// wall-clock time. Injected so tests can run the evaluation loop on their own time.
public protocol RulerClock: Sendable {
    /// Unix nanoseconds.
    func now() -> Int64
    /// Sleeps until `deadline` (Unix nanoseconds); throws when cancelled.
    func sleep(until deadline: Int64) async throws
}

/// The real clock (`CLOCK_REALTIME`).
public struct WallClock: RulerClock {
    public init() {}

    public func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    public func sleep(until deadline: Int64) async throws {
        let wait = deadline - now()
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait)) }
    }
}
