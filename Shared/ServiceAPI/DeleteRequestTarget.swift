/// A log deletion request (`/loki/api/v1/delete`): delete a tenant's lines matching `query` (a log selector with
/// optional line filters) between `start` and `end` (inclusive, Unix ns).
public struct DeleteRequest: Sendable, Hashable, Codable {
    /// Loki's states: `received` until the compactor applied it, then `processed`.
    public enum Status: String, Sendable, Hashable, Codable {
        case received
        case processed
    }

    public var requestID: String
    public var tenant: String
    public var query: String
    public var start: Int64
    public var end: Int64
    public var createdAt: Int64
    public var status: Status

    public init(requestID: String, tenant: String, query: String, start: Int64, end: Int64, createdAt: Int64,
                status: Status = .received) {
        self.requestID = requestID
        self.tenant = tenant
        self.query = query
        self.start = start
        self.end = end
        self.createdAt = createdAt
        self.status = status
    }
}

/// What the compactor offers the gateway for delete requests (in process in the all-in-one, over the wire in
/// cluster mode). Errors carry Loki's status codes and texts.
public protocol DeleteRequestTarget: Sendable {
    /// Stores a new request (already validated by the gateway) and returns it with its id.
    func addDeleteRequest(tenant: String, query: String, start: Int64, end: Int64) async throws(ServiceError) -> DeleteRequest
    /// The tenant's requests, oldest first.
    func deleteRequests(tenant: String) async throws(ServiceError) -> [DeleteRequest]
    /// Cancels a request still in its cancellation window (or any unprocessed one with `force`).
    func cancelDeleteRequest(tenant: String, requestID: String, force: Bool) async throws(ServiceError)
}
