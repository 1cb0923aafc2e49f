import FjordModel

/// Alerts waiting for Alertmanager. A newer notification of the same alert (same labels) replaces the queued one,
/// so a retry after an outage sends each alert's latest state once; beyond `capacity` the oldest are dropped.
public struct NotificationQueue: Sendable {
    public let capacity: Int
    private var entries: [Labels: (sequence: Int, alert: AlertNotification)] = [:]
    private var nextSequence = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "NotificationQueue needs a positive capacity, got \(capacity)")
        self.capacity = capacity
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Queues `alerts`; returns how many queued alerts were dropped to stay within capacity.
    @discardableResult
    public mutating func enqueue(_ alerts: [AlertNotification]) -> Int {
        for alert in alerts {
            entries[alert.labels] = (nextSequence, alert)
            nextSequence += 1
        }
        let excess = entries.count - capacity
        guard excess > 0 else { return 0 }
        for (labels, _) in entries.sorted(by: { $0.value.sequence < $1.value.sequence }).prefix(excess) {
            entries[labels] = nil
        }
        return excess
    }

    /// Removes and returns up to `max` alerts, oldest first.
    public mutating func takeBatch(max: Int) -> [AlertNotification] {
        let batch = entries.sorted { $0.value.sequence < $1.value.sequence }.prefix(max)
        for (labels, _) in batch { entries[labels] = nil }
        return batch.map(\.value.alert)
    }

    /// Puts a batch that could not be delivered back in front, except alerts queued again meanwhile (newer).
    public mutating func putBack(_ batch: [AlertNotification]) {
        let first = (entries.values.map(\.sequence).min() ?? nextSequence) - batch.count
        for (offset, alert) in batch.enumerated() where entries[alert.labels] == nil {
            entries[alert.labels] = (first + offset, alert)
        }
        let excess = entries.count - capacity
        if excess > 0 {
            for (labels, _) in entries.sorted(by: { $0.value.sequence < $1.value.sequence }).prefix(excess) {
                entries[labels] = nil
            }
        }
    }
}

/// Recording-rule samples waiting for the remote-write endpoint, per tenant in arrival order; beyond `capacity`
/// samples the oldest are dropped.
public struct SampleQueue: Sendable {
    public let capacity: Int
    private var batches: [(tenant: String, samples: [InstantSample])] = []
    public private(set) var count = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "SampleQueue needs a positive capacity, got \(capacity)")
        self.capacity = capacity
    }

    public var isEmpty: Bool { count == 0 }

    /// Queues one evaluation's samples; returns how many samples were dropped to stay within capacity.
    @discardableResult
    public mutating func enqueue(tenant: String, _ samples: [InstantSample]) -> Int {
        guard !samples.isEmpty else { return 0 }
        batches.append((tenant, samples))
        count += samples.count
        var dropped = 0
        while count > capacity, !batches.isEmpty {
            let excess = count - capacity
            if batches[0].samples.count <= excess {
                dropped += batches[0].samples.count
                count -= batches[0].samples.count
                batches.removeFirst()
            } else {
                batches[0].samples.removeFirst(excess)
                count -= excess
                dropped += excess
            }
        }
        return dropped
    }

    /// Removes and returns up to `max` samples of the oldest queued tenant.
    public mutating func takeBatch(max: Int) -> (tenant: String, samples: [InstantSample])? {
        guard let tenant = batches.first?.tenant else { return nil }
        var taken: [InstantSample] = []
        var index = 0
        while index < batches.count, taken.count < max {
            guard batches[index].tenant == tenant else {
                index += 1
                continue
            }
            let room = max - taken.count
            if batches[index].samples.count <= room {
                taken += batches[index].samples
                batches.remove(at: index)
            } else {
                taken += batches[index].samples.prefix(room)
                batches[index].samples.removeFirst(room)
            }
        }
        count -= taken.count
        return (tenant, taken)
    }

    /// Puts a batch that failed with a retryable error back in front.
    public mutating func putBack(tenant: String, _ samples: [InstantSample]) {
        guard !samples.isEmpty else { return }
        batches.insert((tenant, samples), at: 0)
        count += samples.count
    }
}

/// Exponential backoff between delivery attempts: `initial`, doubled after each failure, at most `maximum`.
public struct Backoff: Sendable, Hashable {
    public let initialNanos: Int64
    public let maximumNanos: Int64
    public private(set) var failures = 0

    public init(initialNanos: Int64, maximumNanos: Int64) {
        precondition(initialNanos > 0 && maximumNanos >= initialNanos,
                     "Backoff needs 0 < initial <= maximum, got \(initialNanos) and \(maximumNanos)")
        self.initialNanos = initialNanos
        self.maximumNanos = maximumNanos
    }

    /// Records a failure and returns how long to wait before the next attempt.
    public mutating func failed() -> Int64 {
        let shift = min(failures, 40)
        failures += 1
        let delay = initialNanos.multipliedReportingOverflow(by: Int64(1) << shift)
        return delay.overflow ? maximumNanos : min(delay.partialValue, maximumNanos)
    }

    public mutating func succeeded() { failures = 0 }
}
