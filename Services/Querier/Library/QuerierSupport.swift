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
