public import FjordServiceAPI
public import FjordStorage
import Foundation

/// Delete requests kept in the object store, one JSON object per request: `<tenant>/deletes/<request id>.json`.
/// The gateway's API (through ``DeleteRequestTarget``), the compactor (which applies and completes them) and the
/// queriers (which hide their lines) all read the same objects. The clock is injected.
public final class DeleteRequestStore: DeleteRequestTarget, Sendable {
    public let objects: any ObjectStore
    /// How long a request can be cancelled (`compactor.delete_request_cancel_period`).
    public let cancelPeriod: Int64
    let clock: @Sendable () -> Int64

    public init(objects: any ObjectStore, cancelPeriod: Int64,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }) {
        self.objects = objects
        self.cancelPeriod = cancelPeriod
        self.clock = clock
    }

    static func prefix(tenant: String) -> String { "\(tenant)/deletes/" }
    static func key(tenant: String, id: String) -> String { "\(prefix(tenant: tenant))\(id).json" }

    public func addDeleteRequest(tenant: String, query: String, start: Int64, end: Int64) async throws(ServiceError) -> DeleteRequest {
        let request = DeleteRequest(requestID: String(format: "%08x", UInt32.random(in: 0...UInt32.max)), tenant: tenant,
                                    query: query, start: start, end: end, createdAt: clock())
        try await storage { try await self.write(request) }
        return request
    }

    public func deleteRequests(tenant: String) async throws(ServiceError) -> [DeleteRequest] {
        try await storage { try await self.all(tenant: tenant) }
    }

    public func cancelDeleteRequest(tenant: String, requestID: String, force: Bool) async throws(ServiceError) {
        let found = try await storage { try await self.all(tenant: tenant).first { $0.requestID == requestID } }
        guard let request = found else { throw .notFound("could not find delete request with given id") }
        if request.status == .processed {
            throw .badRequest("deletion of request which is in process or already processed is not allowed")
        }
        if !force, request.createdAt + cancelPeriod <= clock() {
            throw .badRequest("Cancellation period for delete request has passed. Use force=true to cancel anyway")
        }
        try await storage { try await self.objects.delete(DeleteRequestStore.key(tenant: tenant, id: requestID)) }
    }

    /// Every request of `tenant`, oldest first.
    public func all(tenant: String) async throws -> [DeleteRequest] {
        var requests: [DeleteRequest] = []
        for info in try await objects.list(prefix: DeleteRequestStore.prefix(tenant: tenant)) where info.key.hasSuffix(".json") {
            do {
                requests.append(try JSONDecoder().decode(DeleteRequest.self, from: Data(try await objects.get(info.key))))
            } catch let error as ObjectStoreError where error.kind == .notFound {
                continue  // cancelled meanwhile
            } catch let error as DecodingError {
                throw CorruptDataError(context: info.key, message: "cannot decode delete request: \(error)")
            }
        }
        return requests.sorted { ($0.createdAt, $0.requestID) < ($1.createdAt, $1.requestID) }
    }

    /// Tenants with at least one request.
    public func tenants() async throws -> [String] {
        var names = Set<String>()
        for info in try await objects.list(prefix: "") {
            let parts = info.key.split(separator: "/")
            if parts.count == 3, parts[1] == "deletes" { names.insert(String(parts[0])) }
        }
        return names.sorted()
    }

    /// Marks requests processed (idempotent).
    public func markProcessed(tenant: String, ids: [String]) async throws {
        let wanted = Set(ids)
        for var request in try await all(tenant: tenant) where wanted.contains(request.requestID) && request.status != .processed {
            request.status = .processed
            try await write(request)
        }
    }

    func write(_ request: DeleteRequest) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await objects.put(DeleteRequestStore.key(tenant: request.tenant, id: request.requestID),
                              Array(try encoder.encode(request)))
    }

    private func storage<T>(_ body: () async throws -> T) async throws(ServiceError) -> T {
        do {
            return try await body()
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .internalError("delete requests: \(error)")
        }
    }
}
