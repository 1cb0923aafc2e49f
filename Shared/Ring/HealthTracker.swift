/// How quickly a failing member is skipped and how it is retried. Times are nanoseconds.
public struct HealthPolicy: Sendable, Hashable {
    /// Consecutive failed requests that mark a member unhealthy (default 2).
    public var failuresToMarkUnhealthy: Int
    /// A member whose failures started this long ago with no success since is unhealthy, whatever the count
    /// (default 5 s, Loki's `remote_timeout`).
    public var failingPeriod: Int64
    /// Wait before an unhealthy member is tried again (default 1 s); doubles after each failed retry.
    public var initialBackoff: Int64
    /// Longest wait between retries (default 30 s).
    public var maxBackoff: Int64

    public init(failuresToMarkUnhealthy: Int = 2, failingPeriod: Int64 = 5_000_000_000,
                initialBackoff: Int64 = 1_000_000_000, maxBackoff: Int64 = 30_000_000_000) {
        precondition(failuresToMarkUnhealthy >= 1, "HealthPolicy: failuresToMarkUnhealthy must be at least 1")
        precondition(initialBackoff > 0 && maxBackoff >= initialBackoff, "HealthPolicy: bad backoff \(initialBackoff)/\(maxBackoff)")
        self.failuresToMarkUnhealthy = failuresToMarkUnhealthy
        self.failingPeriod = failingPeriod
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }
}

/// What a caller saw when it talked to a member.
public enum HealthObservation: Sendable, Hashable {
    /// The member answered normally.
    case success
    /// The member answered with an error of its own (bad request, limits): it is alive.
    case rejected
    /// Connection refused, reset or closed before an answer.
    case unreachable
    /// No answer within the deadline.
    case timeout
    /// The member answered that it cannot serve (starting, stopping, overloaded).
    case unavailable

    /// Whether this observation counts against the member's health.
    public var isFailure: Bool {
        switch self {
        case .success, .rejected: return false
        case .unreachable, .timeout, .unavailable: return true
        }
    }
}

/// A member's health as the tracker sees it at some instant.
public enum HealthStatus: Sendable, Hashable {
    /// No failure since the last success (or never contacted).
    case healthy
    /// Failing, but not yet long or often enough to be skipped; still used.
    case suspect(failures: Int)
    /// Skipped until `retryAt` (nanoseconds).
    case unhealthy(retryAt: Int64)
    /// Unhealthy, but its backoff has elapsed: used again; one success makes it healthy, one failure backs off longer.
    case retrying

    /// Whether callers should send requests to the member.
    public var isUsable: Bool {
        if case .unhealthy = self { return false }
        return true
    }
}

/// Health of cluster members from the callers' own observations (no heartbeats): a member that fails
/// `failuresToMarkUnhealthy` times in a row, or keeps failing for `failingPeriod`, is skipped; after a backoff it is
/// tried again and becomes healthy on its first success. Pure value with injected time (`now`, nanoseconds, from a
/// monotonic clock); wrap it in ``HealthMonitor`` to share it between tasks.
///
/// Detection bound: with traffic flowing, a dead member is skipped after two failed requests — immediately for a
/// refused connection, within one request timeout for a hung one — and at most `failingPeriod` after its first failure.
public struct HealthTracker: Sendable {
    public var policy: HealthPolicy
    private var members: [MemberAddress: MemberHealth] = [:]

    private struct MemberHealth: Sendable {
        var failures = 0
        var streakStart: Int64?
        var unhealthySince: Int64?
        var retryAt: Int64 = 0
        var backoff: Int64 = 0
    }

    public init(policy: HealthPolicy = HealthPolicy()) {
        self.policy = policy
    }

    /// Records what a request to `address` produced at `now`.
    public mutating func record(_ observation: HealthObservation, for address: MemberAddress, now: Int64) {
        var member = members[address] ?? MemberHealth()
        defer { members[address] = member }
        guard observation.isFailure else {
            member = MemberHealth()
            return
        }
        member.failures += 1
        let start = member.streakStart ?? now
        member.streakStart = start
        if member.unhealthySince != nil {
            // A failure while retrying backs off longer; stragglers from before the mark do not.
            if now >= member.retryAt {
                member.backoff = min(member.backoff * 2, policy.maxBackoff)
                member.retryAt = now + member.backoff
            }
        } else if member.failures >= policy.failuresToMarkUnhealthy || now - start >= policy.failingPeriod {
            member.unhealthySince = now
            member.backoff = policy.initialBackoff
            member.retryAt = now + policy.initialBackoff
        }
    }

    /// The status of `address` at `now` (members never observed are healthy).
    public func status(of address: MemberAddress, now: Int64) -> HealthStatus {
        guard let member = members[address], member.failures > 0 else { return .healthy }
        if member.unhealthySince != nil {
            return now >= member.retryAt ? .retrying : .unhealthy(retryAt: member.retryAt)
        }
        if let start = member.streakStart, now - start >= policy.failingPeriod {
            // Failing for the whole period with no success: unhealthy even without another failure observed.
            let retryAt = start + policy.failingPeriod + policy.initialBackoff
            return now >= retryAt ? .retrying : .unhealthy(retryAt: retryAt)
        }
        return .suspect(failures: member.failures)
    }

    /// Whether requests should go to `address` at `now`.
    public func isHealthy(_ address: MemberAddress, now: Int64) -> Bool {
        status(of: address, now: now).isUsable
    }

    /// The ring instances usable at `now`, for ``Ring/replicationSet(for:replicationFactor:healthy:)`` and
    /// ``Ring/readSet(healthy:)``.
    public func healthyInstances(in ring: Ring, now: Int64) -> InstanceSet {
        var set = InstanceSet()
        for instance in ring.instances where isHealthy(instance.address, now: now) { set.insert(instance.index) }
        return set
    }

    /// Members currently skipped, sorted.
    public func unhealthyMembers(now: Int64) -> [MemberAddress] {
        members.keys.filter { !isHealthy($0, now: now) }.sorted()
    }

    /// Forgets members not in `addresses` (after a membership reload removed them).
    public mutating func retain(only addresses: Set<MemberAddress>) {
        members = members.filter { addresses.contains($0.key) }
    }
}
