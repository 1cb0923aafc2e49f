import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps every thread of the given processes at one nice value (`--renice`), so a benchmark on a shared machine gets
/// the CPU before concurrent builds do. Threads are re-checked periodically because libdispatch and NIO create
/// threads lazily at nice 0 whatever their process's value. Linux only; negative values need root.
final class Renicer: Sendable {
    private let value: Int32
    private let pids: [Int32]

    init(value: Int32, pids: [Int32]) {
        self.value = value
        self.pids = pids
    }

    /// Sets the nice value of every thread of the processes; returns how many threads were changed.
    @discardableResult
    func apply() -> Int {
        var changed = 0
        for pid in pids {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            for task in tasks {
                guard let tid = Int32(task) else { continue }
                errno = 0
                let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid))
                if errno == 0, current == value { continue }
                if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(tid), value) == 0 { changed += 1 }
            }
        }
        return changed
    }

    /// Applies the value every `interval` until the task is cancelled.
    func run(every interval: Duration = .milliseconds(200)) async {
        while !Task.isCancelled {
            apply()
            try? await Task.sleep(for: interval)
        }
    }
}
