public import FjordModel

/// One stream's validated entries of a push: what the distributor hands to ingesters.
public struct PushStream: Sendable {
    /// The stream labels (validated, `service_name` added when discovery is on).
    public var labels: Labels
    /// The entries in request order (not necessarily sorted), with structured metadata.
    public var entries: EntryBatch

    public init(labels: Labels, entries: EntryBatch) {
        self.labels = labels
        self.entries = entries
    }
}

/// Where validated pushes go: an ingester in process, or the ring of ingesters over the wire.
public protocol PushTarget: Sendable {
    /// Stores `streams` for `tenant`. Returns only when the data is durable per the WAL policy. Entries rejected by
    /// the ingester (out of order, per-stream rate) do not stop the others; they are reported by throwing a
    /// ``ServiceError`` (400 or 429 with Loki's per-stream text) after the accepted entries are stored.
    func push(tenant: String, streams: [PushStream]) async throws(ServiceError)
}
