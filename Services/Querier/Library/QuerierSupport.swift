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
