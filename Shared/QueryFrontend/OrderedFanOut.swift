public import FjordServiceAPI

/// Runs numbered jobs with at most `parallelism` in flight, starting them in index order and handing their
/// answers to `consume` in index order; `consume` returning false stops the rest (running jobs are cancelled).
/// The first failure (in index order) cancels the rest and is thrown.
///
/// With `alone`, job 0 runs on its own, and after each answer `alone()` is asked again: while it holds, the next
/// job also runs on its own. A log query whose newest splits fill its `limit` then costs only the splits it needs;
/// once a split brings nothing (a rare needle), the rest run `parallelism` at a time.
enum OrderedFanOut {
    static func run<T: Sendable>(
        count: Int, parallelism: Int, alone: (() -> Bool)? = nil,
        job: @escaping @Sendable (Int) async -> Result<T, ServiceError>,
        consume: (Int, T) async throws(ServiceError) -> Bool
    ) async throws(ServiceError) {
        guard count > 0 else { return }
        let fullWidth = max(1, min(parallelism, count))
        var failure: ServiceError?
        await withTaskGroup(of: (Int, Result<T, ServiceError>).self) { group in
            var started = 0
            var width = alone == nil ? fullWidth : 1
            while started < width {
                let index = started
                group.addTask { (index, await job(index)) }
                started += 1
            }
            var ready: [Int: Result<T, ServiceError>] = [:]
            var nextToConsume = 0
            var failed = false
            var finished = 0
            while let (index, result) = await group.next() {
                finished += 1
                ready[index] = result
                if case .failure = result { failed = true }
                var stop = false
                while let result = ready.removeValue(forKey: nextToConsume) {
                    switch result {
                    case .failure(let error):
                        failure = error
                        stop = true
                    case .success(let value):
                        do throws(ServiceError) {
                            stop = try await !consume(nextToConsume, value)
                        } catch {
                            failure = error
                            stop = true
                        }
                    }
                    nextToConsume += 1
                    if stop { break }
                }
                if stop || nextToConsume == count {
                    group.cancelAll()
                    break
                }
                if let alone { width = alone() ? 1 : fullWidth }
                // After a failure no new job starts: the answer is an error either way.
                while started < count, started - finished < width, !failed {
                    let index = started
                    group.addTask { (index, await job(index)) }
                    started += 1
                }
            }
        }
        if let failure { throw failure }
    }
}
