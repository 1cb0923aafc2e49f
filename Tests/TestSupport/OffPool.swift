import Foundation

/// Runs blocking work (waiting for a child process, a blocking socket, a condition variable) on a thread of its own,
/// so it never holds one of the Swift concurrency pool's threads. That pool has as many threads as the machine has
/// cores (2 in CI): two tests blocked in `waitpid` at once would stall every other test's async work, which is how
/// HTTP clients, tails and memcached calls in unrelated tests came to miss their deadlines.
public enum OffPool {
    /// Runs `work` on a new thread and returns its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Starts `work` on a new thread and does not wait for it (clean-up that may block, from synchronous code
    /// such as `defer` and `deinit`).
    public static func detach(_ work: @escaping @Sendable () -> Void) {
        let thread = Thread { work() }
        thread.start()
    }
}
