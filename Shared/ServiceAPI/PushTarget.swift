public import FjordModel

/// One stream's validated entries of a push: what the distributor hands to ingesters.
public struct PushStream: Sendable {
    /// The stream labels (validated, `service_name` added when discovery is on).
    public var labels: Labels
    /// The entries in request order (not necessarily sorted), with structured metadata.
    public var entries: EntryBatch
    /// `labels.canonicalString` when the caller already has it (the distributor hashes it for the ring).
    public var canonicalLabels: String?

    public init(labels: Labels, entries: EntryBatch, canonicalLabels: String? = nil) {
        self.labels = labels
        self.entries = entries
        self.canonicalLabels = canonicalLabels
    }
}

/// Where validated pushes go: an ingester in process, or the ring of ingesters over the wire.
public protocol PushTarget: Sendable {
    /// Stores `streams` for `tenant`. Returns only when the data is durable per the WAL policy. Entries rejected by
    /// the ingester (out of order, per-stream rate) do not stop the others; they are reported by throwing a
    /// ``ServiceError`` (400 or 429 with Loki's per-stream text) after the accepted entries are stored.
    func push(tenant: String, streams: [PushStream]) async throws(ServiceError)
}
