public import FjordConfig
public import FjordRing
import Foundation

/// Loading and watching the configured membership file.
public enum MembershipFile {
    /// Reads and parses `ring.membership_file` into a ring snapshot.
    public static func load(_ config: FjordConfiguration) throws -> RingSnapshot {
        let path = config.ring.membershipFile
        let bytes = try MembershipWatcher.readWholeFile(path)
        return try RingSnapshot.load(bytes: bytes, source: path, replicationFactor: config.ring.replicationFactor, generation: 0)
    }

    /// A watcher that re-reads the file every `ring.poll_interval`.
    public static func watcher(_ config: FjordConfiguration) throws -> MembershipWatcher {
        try MembershipWatcher(path: config.ring.membershipFile, replicationFactor: config.ring.replicationFactor,
                              pollInterval: .nanoseconds(config.ring.pollIntervalNanos))
    }
}
