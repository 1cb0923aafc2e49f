import Foundation

/// Runs CPU-bound synchronous work on a thread of its own instead of Swift's cooperative pool.
///
/// Swift Testing runs suites in parallel on the cooperative pool, which has one thread per core (two here). Seconds of
/// uninterrupted work there (decoding the data set, building a log source, fuzzing) starve every test that waits for
/// I/O or a timer; on an own thread the kernel shares the cores fairly instead.
public enum OwnThread {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// A value computed once and awaited by every caller without blocking a thread (unlike a `static let`, whose lazy
/// initialisation holds every thread that touches it while it runs).
public actor Computed<Value: Sendable> {
    private let compute: @Sendable () async throws -> Value
    private var task: Task<Value, any Error>?

    public init(_ compute: @escaping @Sendable () async throws -> Value) {
        self.compute = compute
    }

    public var value: Value {
        get async throws {
            if let task { return try await task.value }
            let task = Task(operation: compute)
            self.task = task
            return try await task.value
        }
    }
}

/// A task executor whose jobs run one at a time on a Dispatch thread outside Swift's cooperative pool. Async CPU-bound
/// work (a query engine evaluating a case) run under `withTaskExecutorPreference(executor)` then takes one core at
/// most and leaves the pool to the tests that wait for I/O; child tasks inherit the preference.
public final class OffPoolExecutor: TaskExecutor {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
