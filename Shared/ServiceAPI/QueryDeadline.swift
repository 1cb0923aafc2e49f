/// Runs query work under `query_timeout`: past the deadline the work is cancelled and the caller gets Loki's 504
/// text; a cancelled caller gets Loki's 499 text.
public enum QueryDeadline {
    /// Runs `body`, failing with ``ServiceError/timeout`` after `nanos` nanoseconds (0 = no deadline).
    public static func run<T: Sendable>(
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
}
