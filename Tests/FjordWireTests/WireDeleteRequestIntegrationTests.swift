import FjordServiceAPI
@testable import FjordWire
import Synchronization
import Testing

/// A delete-request target in memory with the store's error texts.
final class MemoryDeleteTarget: DeleteRequestTarget {
    let requests = Mutex<[DeleteRequest]>([])

    func addDeleteRequest(tenant: String, query: String, start: Int64, end: Int64) async throws(ServiceError) -> DeleteRequest {
        let request = DeleteRequest(requestID: "id\(requests.withLock { $0.count })", tenant: tenant, query: query,
                                    start: start, end: end, createdAt: 42)
        requests.withLock { $0.append(request) }
        return request
    }

    func deleteRequests(tenant: String) async throws(ServiceError) -> [DeleteRequest] {
        requests.withLock { $0.filter { $0.tenant == tenant } }
    }

    func cancelDeleteRequest(tenant: String, requestID: String, force: Bool) async throws(ServiceError) {
        let removed = requests.withLock { all -> Bool in
            guard let index = all.firstIndex(where: { $0.tenant == tenant && $0.requestID == requestID }) else { return false }
            all.remove(at: index)
            return true
        }
        if !removed { throw .notFound("could not find delete request with given id") }
    }
}

/// The compactor's delete-request calls over a live loopback connection, errors included.
@Suite struct WireDeleteRequestIntegrationTests {
    @Test func addListCancelRoundTrip() async throws {
        let target = MemoryDeleteTarget()
        try await withLoopback(WireServices(role: "compactor", deleteTarget: target)) { _, client in
            let remote = RemoteDeleteRequestTarget(client: client)
            let added = try await remote.addDeleteRequest(tenant: "t", query: #"{app="a"} |= "x""#, start: -5, end: 10)
            #expect(added == DeleteRequest(requestID: "id0", tenant: "t", query: #"{app="a"} |= "x""#, start: -5, end: 10, createdAt: 42))
            #expect(try await remote.deleteRequests(tenant: "t") == [added])
            #expect(try await remote.deleteRequests(tenant: "other").isEmpty)
            try await remote.cancelDeleteRequest(tenant: "t", requestID: "id0", force: true)
            await #expect(throws: ServiceError.notFound("could not find delete request with given id")) {
                try await remote.cancelDeleteRequest(tenant: "t", requestID: "id0", force: false)
            }
        }
        // A role without a delete target answers unsupported (HTTP 501).
        try await withLoopback(WireServices(role: "querier")) { _, client in
            do {
                _ = try await RemoteDeleteRequestTarget(client: client).deleteRequests(tenant: "t")
                Issue.record("expected an error")
            } catch let error as ServiceError {
                #expect(error.status == 501)
            }
        }
    }
}
