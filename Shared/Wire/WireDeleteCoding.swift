public import FjordServiceAPI

/// A call of ``DeleteRequestTarget`` carried by a `deleteRequests` frame. Body: `u8 op` (0 add, 1 list, 2 cancel),
/// `string tenant`, then for add `string query, varint start, varint end`, for cancel `string id, bool force`.
public enum DeleteRequestCall: Sendable, Hashable {
    case add(tenant: String, query: String, start: Int64, end: Int64)
    case list(tenant: String)
    case cancel(tenant: String, requestID: String, force: Bool)

    func encode(into writer: inout WireWriter) {
        switch self {
        case .add(let tenant, let query, let start, let end):
            writer.u8(0)
            writer.string(tenant)
            writer.string(query)
            writer.varint(start)
            writer.varint(end)
        case .list(let tenant):
            writer.u8(1)
            writer.string(tenant)
        case .cancel(let tenant, let requestID, let force):
            writer.u8(2)
            writer.string(tenant)
            writer.string(requestID)
            writer.bool(force)
        }
    }

    static func decode(_ reader: inout WireReader) throws(WireError) -> DeleteRequestCall {
        let op = try reader.u8()
        let tenant = try reader.string()
        switch op {
        case 0:
            let query = try reader.string()
            let start = try reader.varint()
            return .add(tenant: tenant, query: query, start: start, end: try reader.varint())
        case 1:
            return .list(tenant: tenant)
        case 2:
            let id = try reader.string()
            return .cancel(tenant: tenant, requestID: id, force: try reader.bool())
        default:
            throw reader.failure("delete request operation \(op)")
        }
    }

    /// Runs the call on `target`; the answer is the added request, the list, or nothing.
    public func perform(on target: any DeleteRequestTarget) async throws(ServiceError) -> [DeleteRequest] {
        switch self {
        case .add(let tenant, let query, let start, let end):
            return [try await target.addDeleteRequest(tenant: tenant, query: query, start: start, end: end)]
        case .list(let tenant):
            return try await target.deleteRequests(tenant: tenant)
        case .cancel(let tenant, let requestID, let force):
            try await target.cancelDeleteRequest(tenant: tenant, requestID: requestID, force: force)
            return []
        }
    }
}

/// `deleteRequestList` bodies: `count`, then per request `string id, string tenant, string query, varint start,
/// varint end, varint createdAt, u8 status` (0 received, 1 processed).
enum WireDeleteCoding {
    static func encode(_ requests: [DeleteRequest]) -> [UInt8] {
        var writer = WireWriter()
        writer.count(requests.count)
        for request in requests {
            writer.string(request.requestID)
            writer.string(request.tenant)
            writer.string(request.query)
            writer.varint(request.start)
            writer.varint(request.end)
            writer.varint(request.createdAt)
            writer.u8(request.status == .processed ? 1 : 0)
        }
        return writer.take()
    }

    static func decode(_ body: [UInt8]) throws(WireError) -> [DeleteRequest] {
        var reader = WireReader(body, message: "deleteRequestList answer")
        let count = try reader.count(minimumBytesEach: 7, "delete request count")
        var requests: [DeleteRequest] = []
        for _ in 0..<count {
            let id = try reader.string()
            let tenant = try reader.string()
            let query = try reader.string()
            let start = try reader.varint()
            let end = try reader.varint()
            let created = try reader.varint()
            let status = try reader.u8()
            guard status <= 1 else { throw reader.failure("delete request status \(status)") }
            requests.append(DeleteRequest(requestID: id, tenant: tenant, query: query, start: start, end: end,
                                          createdAt: created, status: status == 1 ? .processed : .received))
        }
        try reader.expectEnd()
        return requests
    }
}

/// A ``DeleteRequestTarget`` that is the remote compactor (cluster mode).
public struct RemoteDeleteRequestTarget: DeleteRequestTarget {
    public let client: WireClient

    public init(client: WireClient) { self.client = client }

    private func call(_ operation: DeleteRequestCall) async throws(ServiceError) -> [DeleteRequest] {
        do { return try await client.deleteRequests(operation) } catch { throw error.serviceError(peer: client.address) }
    }

    public func addDeleteRequest(tenant: String, query: String, start: Int64, end: Int64) async throws(ServiceError) -> DeleteRequest {
        guard let added = try await call(.add(tenant: tenant, query: query, start: start, end: end)).first else {
            throw .internalError("the compactor answered no delete request")
        }
        return added
    }

    public func deleteRequests(tenant: String) async throws(ServiceError) -> [DeleteRequest] {
        try await call(.list(tenant: tenant))
    }

    public func cancelDeleteRequest(tenant: String, requestID: String, force: Bool) async throws(ServiceError) {
        _ = try await call(.cancel(tenant: tenant, requestID: requestID, force: force))
    }
}
