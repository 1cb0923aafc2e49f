import Foundation
import FjordStorage
import Metrics

/// Wall-clock time as Unix nanoseconds (the shell's clock; pure cores get `now` passed in).
enum WallClock {
    static func nowNanos() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// Runs flush cycles one at a time.
actor FlushLock {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        while busy {
            await withCheckedContinuation { waiters.append($0) }
        }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}

/// The ingester's metrics (Loki's names where Loki has the metric).
struct IngesterMetrics: Sendable {
    let streams = Gauge(label: "loki_ingester_memory_streams")
    let appendedEntries = Counter(label: "loki_ingester_entries_appended_total")
    let appendedBytes = Counter(label: "loki_ingester_bytes_appended_total")
    let walDiskBytes = Gauge(label: "loki_ingester_wal_disk_bytes")
    /// Entries live tails dropped because their reader was too slow.
    let tailDroppedEntries = Counter(label: "loki_ingester_tail_dropped_entries_total")

    func chunksFlushed(reason: FlushReason) -> Counter {
        Counter(label: "loki_ingester_chunks_flushed_total", dimensions: [("reason", reason.rawValue)])
    }
}
