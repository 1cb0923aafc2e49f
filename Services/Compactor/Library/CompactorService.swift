import Foundation
public import ServiceLifecycle

/// Runs ``Compactor/runOnce(now:)`` every `interval` (the first pass one interval after start) until graceful
/// shutdown, with the wall clock.
public struct CompactorService: Service {
    let compactor: Compactor
    let intervalNanos: Int64
    let clock: @Sendable () -> Int64

    public init(compactor: Compactor, intervalNanos: Int64,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }) {
        self.compactor = compactor
        self.intervalNanos = intervalNanos
        self.clock = clock
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(nanoseconds: UInt64(max(1_000_000, intervalNanos)))
                }
            } catch {
                return
            }
            do {
                try await compactor.runOnce(now: clock())
            } catch {
                compactor.logger.error("compaction failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }
}
