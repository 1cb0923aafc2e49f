public import FjordMemcached
public import Logging
import Synchronization

/// The results cache on memcached (shared by every gateway). Every failure is a miss or a dropped write; the first
/// failure after a success is logged as a warning and the recovery as info, so a dead memcached does not flood the
/// log while queries run uncached.
public final class MemcachedResultsCache: ResultsCacheStore, Sendable {
    let client: MemcachedClient
    let expirationSeconds: Int
    let logger: Logger
    private let failing = Atomic<Bool>(false)

    public init(client: MemcachedClient, expirationSeconds: Int, logger: Logger) {
        self.client = client
        self.expirationSeconds = expirationSeconds
        self.logger = logger
    }

    public func fetch(_ keys: [String]) async -> [String: [UInt8]] {
        do throws(MemcachedError) {
            let found = try await client.get(keys)
            recovered()
            return found
        } catch {
            failed(error, doing: "read")
            return [:]
        }
    }

    public func store(_ entries: [(key: String, value: [UInt8])]) async {
        await withTaskGroup(of: Void.self) { group in
            for (key, value) in entries {
                group.addTask { [client, expirationSeconds] in
                    do throws(MemcachedError) {
                        try await client.set(key, value, expirationSeconds: expirationSeconds)
                        self.recovered()
                    } catch where error.code == .invalidRequest || error.code == .server {
                        // Too large for the server's item size: this entry is simply not cached.
                        self.logger.debug("results cache entry not stored", metadata: ["error": "\(error)"])
                    } catch {
                        self.failed(error, doing: "write")
                    }
                }
            }
        }
    }

    private func failed(_ error: MemcachedError, doing operation: String) {
        if !failing.exchange(true, ordering: .relaxed) {
            logger.warning("results cache unavailable, queries run uncached", metadata: [
                "operation": "\(operation)", "error": "\(error)",
            ])
        }
    }

    private func recovered() {
        if failing.exchange(false, ordering: .relaxed) {
            logger.info("results cache reachable again")
        }
    }
}
