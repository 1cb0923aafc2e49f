import FjordModel
import FjordPush

/// A batch of entries for one tenant, grouped into streams by their label sets.
public struct PushBatch: Sendable {
    public var tenant: String
    /// Stream label text (`{a="b"}`) → entries in arrival order.
    public var streams: [String: [AgentEntry]] = [:]
    public var order: [String] = []
    public var bytes = 0
    public var entryCount = 0
    /// When the first entry was added.
    public var createdAt: Int64

    public init(tenant: String, createdAt: Int64) {
        self.tenant = tenant
        self.createdAt = createdAt
    }

    mutating func add(_ entry: AgentEntry, streamLabels: String) {
        if streams[streamLabels] == nil { order.append(streamLabels) }
        streams[streamLabels, default: []].append(entry)
        bytes += entry.line.utf8.count
        entryCount += 1
    }

    /// The protobuf + snappy body (Promtail's encoding).
    public func encodedBody() -> [UInt8] {
        PushProtobufEncoder.encodeSnappy(order.map { labels in
            PushStreamContent(labels: labels, entries: (streams[labels] ?? []).map { entry in
                PushEntryContent(timestamp: entry.timestamp, line: entry.line,
                                 metadata: entry.metadata.sorted { $0.key < $1.key }.map { LabelPair($0.key, $0.value) })
            })
        })
    }

    /// Acknowledgement tokens of the batch's entries.
    public var tokens: [AckToken] { order.flatMap { streams[$0] ?? [] }.compactMap(\.ack) }
}

/// Promtail's batching, as a pure value: entries are batched per tenant; a batch goes out when adding an entry would
/// take it past `batchsize` bytes, or once its oldest entry waited `batchwait`.
public struct Batcher: Sendable {
    public let batchWaitNanos: Int64
    public let batchSizeBytes: Int
    public let defaultTenant: String
    public let externalLabels: [String: String]
    private var batches: [String: PushBatch] = [:]
    /// Label text of recently seen label sets.
    private var labelTexts: [[String: String]: String] = [:]

    public init(batchWaitNanos: Int64, batchSizeBytes: Int, defaultTenant: String, externalLabels: [String: String]) {
        self.batchWaitNanos = batchWaitNanos
        self.batchSizeBytes = batchSizeBytes
        self.defaultTenant = defaultTenant
        self.externalLabels = externalLabels
    }

    /// Whether the entry has a label to send (with the external labels): Loki refuses streams without labels, and
    /// one such stream would make the server reject the whole batch.
    public func hasLabels(_ entry: AgentEntry) -> Bool {
        !externalLabels.isEmpty || !entry.sentLabels.isEmpty
    }

    /// Adds an entry; returns a batch that must go out first (it would have grown past the size limit).
    public mutating func add(_ entry: AgentEntry, now: Int64) -> PushBatch? {
        let tenant = entry.labels[reservedTenantLabel].flatMap { $0.isEmpty ? nil : $0 } ?? defaultTenant
        var labels = entry.sentLabels
        for (name, value) in externalLabels where labels[name] == nil { labels[name] = value }
        let streamLabels: String
        if let cached = labelTexts[labels] {
            streamLabels = cached
        } else {
            streamLabels = Labels(labels.map { LabelPair($0.key, $0.value) }).canonicalString
            if labelTexts.count > 10_000 { labelTexts.removeAll() }
            labelTexts[labels] = streamLabels
        }
        var ready: PushBatch?
        if let current = batches[tenant], current.entryCount > 0, current.bytes + entry.line.utf8.count > batchSizeBytes {
            ready = current
            batches.removeValue(forKey: tenant)
        }
        // Taken out of the dictionary so its streams are not copied on write.
        var batch = batches.removeValue(forKey: tenant) ?? PushBatch(tenant: tenant, createdAt: now)
        batch.add(entry, streamLabels: streamLabels)
        batches[tenant] = batch
        return ready
    }

    /// Batches whose oldest entry waited `batchwait` (all of them with `force`).
    public mutating func due(now: Int64, force: Bool = false) -> [PushBatch] {
        let tenants = batches.keys.sorted().filter { force || now - (batches[$0]?.createdAt ?? now) >= batchWaitNanos }
        return tenants.compactMap { batches.removeValue(forKey: $0) }
    }

    public var isEmpty: Bool { batches.isEmpty }

    /// Bytes waiting in open batches.
    public var pendingBytes: Int { batches.values.reduce(0) { $0 + $1.bytes } }
}

/// What to do after a push attempt, with Promtail's rules.
public enum PushOutcome: Sendable, Hashable {
    case sent
    /// Wait this long, then try again.
    case retry(afterNanos: Int64)
    /// Give up; count the entries as dropped with this reason.
    case drop(reason: String)
}

/// Exponential backoff between retries (`min_period` doubling up to `max_period`, at most `max_retries` retries)
/// and the retry rules: 429 (unless `drop_rate_limited_batches`), 5xx and network errors are retried, other
/// answers outside 2xx drop the batch. Pure.
public struct RetryPolicy: Sendable {
    public let backoff: BackoffConfig
    public let dropRateLimited: Bool
    public private(set) var attempts = 0

    public init(backoff: BackoffConfig, dropRateLimited: Bool) {
        self.backoff = backoff
        self.dropRateLimited = dropRateLimited
    }

    /// The outcome of an attempt that got `status` (nil: no answer). `jitter` in [0, 1) spreads retries.
    public mutating func outcome(status: Int?, jitter: Double = 0) -> PushOutcome {
        if let status, (200..<300).contains(status) { return .sent }
        if let status, status == 429, dropRateLimited { return .drop(reason: "rate_limited") }
        if let status, status != 429, status < 500 { return .drop(reason: "rejected") }
        attempts += 1
        guard backoff.maxRetries <= 0 || attempts <= backoff.maxRetries else {
            return .drop(reason: status == 429 ? "rate_limited" : "max_retries")
        }
        var delay = backoff.minPeriodNanos
        for _ in 1..<attempts {
            delay = delay > backoff.maxPeriodNanos / 2 ? backoff.maxPeriodNanos : delay * 2
        }
        delay = min(delay, backoff.maxPeriodNanos)
        return .retry(afterNanos: delay / 2 + Int64(Double(delay / 2) * jitter))
    }
}
