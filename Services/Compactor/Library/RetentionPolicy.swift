public import FjordModel

/// One `retention_stream` rule: streams matching every matcher keep their data for `period`.
public struct StreamRetentionRule: Sendable, Hashable {
    public var matchers: [LabelMatcher]
    public var priority: Int
    /// Nanoseconds.
    public var period: Int64

    public init(matchers: [LabelMatcher], priority: Int, period: Int64) {
        self.matchers = matchers
        self.priority = priority
        self.period = period
    }
}

/// A tenant's retention after overrides were applied: Loki's `retention_period` and `retention_stream`. Pure.
public struct RetentionPolicy: Sendable, Hashable {
    /// Nanoseconds; 0 keeps data forever.
    public var period: Int64
    public var streams: [StreamRetentionRule]

    public init(period: Int64 = 0, streams: [StreamRetentionRule] = []) {
        self.period = period
        self.streams = streams
    }

    /// The retention of a stream, as Loki's `TenantsRetention.RetentionPeriodFor`: the matching rule with the highest
    /// priority (equal priorities: the shorter period), else the tenant's period. 0 means forever.
    public func period(for labels: Labels) -> Int64 {
        var chosen: StreamRetentionRule?
        for rule in streams where labels.matches(rule.matchers) {
            if let current = chosen {
                if current.priority > rule.priority { continue }
                if current.priority == rule.priority, current.period <= rule.period { continue }
            }
            chosen = rule
        }
        return chosen?.period ?? period
    }

    /// True when a chunk of `labels` whose newest entry is `through` is past retention at `now`.
    public func expired(labels: Labels, through: Int64, now: Int64) -> Bool {
        let keep = period(for: labels)
        return keep > 0 && through < now - keep
    }
}
