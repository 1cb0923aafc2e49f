import FjordModel
import Synchronization

/// Shared by the workers of one log query: the timestamps of the `limit` best entries emitted so far (newest for
/// `backward`, oldest for `forward`). Once there are `limit` of them, an entry strictly beyond the worst one can
/// never be returned, so a worker that reaches such an entry (or a batch bound) stops.
final class LimitCutoff: Sendable {
    private struct Kept {
        /// A heap whose root is the worst kept timestamp.
        var times: [Int64] = []
    }

    private let kept = Mutex(Kept())
    /// The worst kept timestamp once `limit` are kept; `Int64.min` (backward) / `Int64.max` (forward) before.
    private let bound: Atomic<Int64>
    let limit: Int
    let backward: Bool

    init(limit: Int, direction: Direction) {
        self.limit = limit
        backward = direction == .backward
        bound = Atomic(direction == .backward ? Int64.min : Int64.max)
    }

    /// False when an entry at `time` comes strictly after the `limit`-th best entry already emitted (ties may still
    /// be needed: they are ordered by stream label).
    func mayBeNeeded(_ time: Int64) -> Bool {
        let worst = bound.load(ordering: .relaxed)
        return backward ? time >= worst : time <= worst
    }

    /// Records an emitted entry's timestamp.
    func offer(_ time: Int64) {
        let backward = self.backward
        let limit = self.limit
        // `worse(a, b)`: a would be evicted before b.
        func worse(_ lhs: Int64, _ rhs: Int64) -> Bool { backward ? lhs < rhs : lhs > rhs }
        let published: Int64? = kept.withLock { state in
            if state.times.count < limit {
                state.times.append(time)
                var child = state.times.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard worse(state.times[child], state.times[parent]) else { break }
                    state.times.swapAt(child, parent)
                    child = parent
                }
            } else if worse(state.times[0], time) {
                state.times[0] = time
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    if left >= state.times.count { break }
                    var pick = left
                    if left + 1 < state.times.count, worse(state.times[left + 1], state.times[left]) { pick = left + 1 }
                    guard worse(state.times[pick], state.times[parent]) else { break }
                    state.times.swapAt(pick, parent)
                    parent = pick
                }
            } else {
                return nil
            }
            return state.times.count == limit ? state.times[0] : nil
        }
        if let published { bound.store(published, ordering: .relaxed) }
    }
}
