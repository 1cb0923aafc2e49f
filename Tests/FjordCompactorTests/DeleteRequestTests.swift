import FjordCompactor
import FjordDeletion
import FjordModel
import FjordServiceAPI
import FjordStorage
import Logging
import Synchronization
import Testing

@Suite struct DeleteRequestTests {
    final class FakeClock: Sendable {
        let value = Mutex<Int64>(CompactorStoreTests.base)
        var now: Int64 { value.withLock { $0 } }
        func advance(_ nanos: Int64) { value.withLock { $0 += nanos } }
    }

    @Test func appliedRequestsRemoveExactlyTheMatchingLines() async throws {
        let objects = MemoryObjectStore()
        let store = ChunkStore(objects: objects)
        try await CompactorStoreTests.seed(store)
        let before = try await CompactorStoreTests.everything(store)
        let clock = FakeClock()
        let requests = DeleteRequestStore(objects: objects, cancelPeriod: 3_600_000_000_000, clock: { clock.now })
        let lines = try await requests.addDeleteRequest(tenant: "t", query: #"{app="a"} |~ "line=1[0-9] ""#,
                                                        start: CompactorStoreTests.base, end: CompactorStoreTests.base + 3_600_000_000_000)
        let whole = try await requests.addDeleteRequest(tenant: "t", query: #"{app="b"}"#,
                                                        start: CompactorStoreTests.base + 60_000_000_000,
                                                        end: CompactorStoreTests.base + 3_600_000_000_000)
        let compactor = Compactor(store: store, logger: Logger(label: "test"), deletes: StoredDeleteRequests(store: requests),
                                  deleteDelay: 0)
        // Inside the cancellation window nothing happens, and the request can still be cancelled.
        try await compactor.runOnce(now: clock.now)
        #expect(try await requests.deleteRequests(tenant: "t").allSatisfy { $0.status == .received })
        let cancelled = try await requests.addDeleteRequest(tenant: "t", query: #"{app="a"}"#, start: 0, end: 1)
        try await requests.cancelDeleteRequest(tenant: "t", requestID: cancelled.requestID, force: false)
        await #expect(throws: ServiceError.notFound("could not find delete request with given id")) {
            try await requests.cancelDeleteRequest(tenant: "t", requestID: cancelled.requestID, force: false)
        }

        clock.advance(3_600_000_000_000)
        let summary = try await compactor.runOnce(now: clock.now)
        #expect(Set(summary.result.deletesCompleted) == [lines.requestID, whole.requestID])
        #expect(try await requests.deleteRequests(tenant: "t").allSatisfy { $0.status == .processed })
        await #expect(throws: ServiceError.badRequest("deletion of request which is in process or already processed is not allowed")) {
            try await requests.cancelDeleteRequest(tenant: "t", requestID: lines.requestID, force: true)
        }
        let after = try await CompactorStoreTests.everything(store)
        let expected = before.filter { entry in
            if entry.hasPrefix(#"{app="a"}"#) { return !(10...19).contains { entry.contains(" line=\($0) ") } }
            // app=b: flush 0 survives (before the request's start), later flushes are deleted whole.
            return entry.contains("flush=0 ")
        }
        #expect(after == expected)
        #expect(after.count == 6 * 10 + 20)

        // Queries through the filtering source hide the lines of pending requests too.
        let pending = try await requests.addDeleteRequest(tenant: "t", query: #"{app="a"} |= "line=3""#, start: 0, end: .max)
        let cache = DeleteRequestCache(store: requests)
        let filtered = DeleteFilteringSource(inner: store) { try await cache.requests(tenant: $0) }
        var seen: [String] = []
        for stream in try await filtered.select(tenant: "t", matchers: [try LabelMatcher(name: "app", kind: .equal, value: "a")],
                                                start: .min / 2, end: .max / 2) {
            var cursor = StreamCursor(blocks: stream.blocks, start: .min / 2, end: .max / 2, direction: .forward)
            let batch = try await cursor.collect()
            seen += (0..<batch.count).map { batch.lineString($0) }
        }
        #expect(seen.count == 6 * 9)
        #expect(!seen.contains { $0.contains("line=3 ") })
        _ = pending
    }
}
