/// Which source lines an entry stands for, so the positions file can move past them once the entry is pushed:
/// source `source`'s lines with sequence numbers `first...last` (a multiline block covers several).
public struct AckToken: Sendable, Hashable {
    public var source: Int
    public var first: UInt64
    public var last: UInt64

    public init(source: Int, first: UInt64, last: UInt64) {
        self.source = source
        self.first = first
        self.last = last
    }

    /// The token of a block made of `self` followed by `other` (same source).
    func merged(with other: AckToken) -> AckToken {
        AckToken(source: source, first: min(first, other.first), last: max(last, other.last))
    }
}

/// One log entry travelling through the agent: from a source through the pipeline stages to the clients.
/// Mirrors Promtail's `api.Entry` plus the pipeline's extracted map (values kept as text; JSON objects and arrays
/// as their JSON).
public struct AgentEntry: Sendable {
    /// The stream labels; names starting with `__` are internal and never sent.
    public var labels: [String: String]
    /// Values the parsing stages extracted, for later stages.
    public var extracted: [String: String]
    /// Unix nanoseconds.
    public var timestamp: Int64
    public var line: String
    /// Structured metadata to send with the entry.
    public var metadata: [String: String]
    public var ack: AckToken?

    public init(labels: [String: String], timestamp: Int64, line: String, metadata: [String: String] = [:],
                extracted: [String: String] = [:], ack: AckToken? = nil) {
        self.labels = labels
        self.timestamp = timestamp
        self.line = line
        self.metadata = metadata
        self.extracted = extracted
        self.ack = ack
    }

    /// The labels that are sent: no `__` names, no empty values.
    public var sentLabels: [String: String] {
        labels.filter { !$0.key.hasPrefix("__") && !$0.value.isEmpty }
    }
}

/// The label that carries a per-entry tenant (set by the `tenant` stage), as in Promtail.
public let reservedTenantLabel = "__tenant_id__"
