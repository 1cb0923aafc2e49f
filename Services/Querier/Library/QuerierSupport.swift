import Foundation
import FjordServiceAPI

/// Wall-clock time for the querier shell.
enum Clock {
    static func nowNanos() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// Go's `time.Duration.String()` (`721h0m0s`, `1h30m0s`, `5m0s`), which Loki prints in limit errors.
enum GoDurationText {
    static func format(_ nanos: Int64) -> String {
        if nanos == 0 { return "0s" }
        var value = nanos.magnitude
        var out = nanos < 0 ? "-" : ""
        if value < 1_000_000_000 {
            // Sub-second: Go uses ns/µs/ms with a fraction.
            let units: [(UInt64, String)] = [(1_000_000, "ms"), (1_000, "µs"), (1, "ns")]
            for (size, unit) in units where value >= size {
                let whole = value / size
                let fraction = value % size
                var text = "\(whole)"
                if fraction > 0 {
                    var digits = String(fraction)
                    digits = String(repeating: "0", count: String(size).count - 1 - digits.count) + digits
                    while digits.last == "0" { digits.removeLast() }
                    text += "." + digits
                }
                return out + text + unit
            }
        }
        let hours = value / 3_600_000_000_000
        value %= 3_600_000_000_000
        let minutes = value / 60_000_000_000
        value %= 60_000_000_000
        let seconds = value / 1_000_000_000
        let fraction = value % 1_000_000_000
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += "\(seconds)"
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            out += "." + digits
        }
        return out + "s"
    }
}

/// Runs `body` with a deadline; past it the query fails with Loki's 504 text.
func withTimeout<T: Sendable>(
    _ nanos: Int64, _ body: @escaping @Sendable () async throws(ServiceError) -> T
) async throws(ServiceError) -> T {
    guard nanos > 0 else { return try await body() }
    do {
        return try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(nanos))
                throw ServiceError.timeout
            }
            guard let first = try await group.next() else { throw ServiceError.timeout }
            group.cancelAll()
            return first
        }
    } catch let error as ServiceError {
        throw error
    } catch is CancellationError {
        throw ServiceError.cancelled
    } catch {
        throw ServiceError.internalError("\(error)")
    }
}
