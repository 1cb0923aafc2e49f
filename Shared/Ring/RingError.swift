/// A ring lookup that cannot be served, with dskit's error texts (Loki returns them to clients as 500s).
public struct RingError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// dskit `ErrEmptyRing`: the ring has no tokens.
    public static let emptyRing = RingError("empty ring")

    /// dskit `ErrTooManyUnhealthyInstances`: a read cannot reach enough instances.
    public static let tooManyUnhealthyInstances = RingError("too many unhealthy instances in the ring")

    /// dskit's `defaultReplicationStrategy.Filter` text: fewer healthy replicas than the write quorum.
    /// `unhealthy` are the addresses of selected replicas that were skipped as unhealthy.
    public static func tooFewLiveReplicas(required: Int, found: Int, unhealthy: [String], zoneAware: Bool) -> RingError {
        let suffix = unhealthy.isEmpty ? "" : " - unhealthy instances: " + unhealthy.joined(separator: ",")
        if zoneAware {
            return RingError("at least \(required) live replicas required across different availability zones, could only find \(found)\(suffix)")
        }
        return RingError("at least \(required) live replicas required, could only find \(found)\(suffix)")
    }

    /// A replication factor below 1.
    public static func invalidReplicationFactor(_ value: Int) -> RingError {
        RingError("replication factor must be at least 1, got \(value)")
    }
}
