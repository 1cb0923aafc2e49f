public import FjordModel

/// One rule of a group: an alerting rule (`alert:`) or a recording rule (`record:`) with a LogQL metric expression.
public struct Rule: Sendable, Hashable {
    /// Which kind of rule and its name.
    public enum Kind: Sendable, Hashable {
        /// `alert: <name>`: samples of the expression become alerts.
        case alerting(String)
        /// `record: <metric name>`: samples of the expression become a new series.
        case recording(String)
    }

    public var kind: Kind
    /// The LogQL metric expression, as written.
    public var expr: String
    /// `for`: how long an alert stays pending before it fires (nanoseconds; 0 fires at once).
    public var forNanos: Int64
    /// `keep_firing_for`: how long a firing alert keeps firing after its condition cleared (nanoseconds).
    public var keepFiringForNanos: Int64
    /// `labels`: added to every alert or recorded series (values of alerting rules are templates).
    public var labels: Labels
    /// `annotations` of alerting rules (templates).
    public var annotations: Labels

    public init(kind: Kind, expr: String, forNanos: Int64 = 0, keepFiringForNanos: Int64 = 0, labels: Labels = Labels(),
                annotations: Labels = Labels()) {
        self.kind = kind
        self.expr = expr
        self.forNanos = forNanos
        self.keepFiringForNanos = keepFiringForNanos
        self.labels = labels
        self.annotations = annotations
    }

    /// The alert name or the recorded metric name.
    public var name: String {
        switch kind {
        case .alerting(let name), .recording(let name): return name
        }
    }

    /// True for `alert:` rules.
    public var isAlerting: Bool {
        if case .alerting = kind { return true }
        return false
    }
}

/// A Prometheus rule group: rules evaluated in order, together, every `interval`.
public struct RuleGroup: Sendable, Hashable {
    public var name: String
    /// `interval`, or nil to use the ruler's `evaluation_interval`.
    public var intervalNanos: Int64?
    /// `limit`: most alerts (or series) one rule may produce; 0 means no limit.
    public var limit: Int
    public var rules: [Rule]

    public init(name: String, intervalNanos: Int64? = nil, limit: Int = 0, rules: [Rule]) {
        self.name = name
        self.intervalNanos = intervalNanos
        self.limit = limit
        self.rules = rules
    }
}

/// One tenant's namespace: the rule groups of one rule file (`<tenant>/<namespace>.yaml`).
public struct RuleNamespace: Sendable, Hashable {
    public var name: String
    public var groups: [RuleGroup]

    public init(name: String, groups: [RuleGroup]) {
        self.name = name
        self.groups = groups
    }
}

/// Identifies a rule group across tenants: what the ruler ring shards on.
public struct RuleGroupKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var tenant: String
    public var namespace: String
    public var group: String

    public init(tenant: String, namespace: String, group: String) {
        self.tenant = tenant
        self.namespace = namespace
        self.group = group
    }

    public static func < (lhs: RuleGroupKey, rhs: RuleGroupKey) -> Bool {
        if lhs.tenant != rhs.tenant { return lhs.tenant.utf8.lexicographicallyPrecedes(rhs.tenant.utf8) }
        if lhs.namespace != rhs.namespace { return lhs.namespace.utf8.lexicographicallyPrecedes(rhs.namespace.utf8) }
        return lhs.group.utf8.lexicographicallyPrecedes(rhs.group.utf8)
    }

    public var description: String { "\(tenant)/\(namespace)/\(group)" }
}
