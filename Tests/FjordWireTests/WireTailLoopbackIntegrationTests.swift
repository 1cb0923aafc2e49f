import FjordModel
import FjordServiceAPI
import FjordTail
@testable import FjordWire
import Synchronization
import Testing

/// A tail target handing out registry subscriptions, so the test can offer entries and see cancellations.
final class RegistryTailTarget: TailTarget {
    let registry = TailRegistry()

    func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws(ServiceError) -> any TailSubscription {
        registry.subscribe(tenant: tenant, matchers: matchers, bufferEntries: bufferEntries)
    }
}

@Suite struct WireTailLoopbackIntegrationTests {
    @Test func tailStreamsUntilTheClientStopsAndTheServerForgetsTheSubscription() async throws {
        let target = RegistryTailTarget()
        let labels = Labels(sortedPairs: [LabelPair("app", "a")])
        try await withLoopback(WireServices(role: "ingester", tailTarget: target)) { _, client in
            let received = Mutex<[String]>([])
            let reader = Task {
                let stream = try await client.tail(tenant: "t", matchers: [LabelMatcher.equal("app", "a")],
                                                   bufferEntries: 100, timeout: .seconds(60))
                for try await batch in stream {
                    let lines = batch.streams.flatMap { stream in (0..<stream.entries.count).map { stream.entries.lineString($0) } }
                    received.withLock { $0.append(contentsOf: lines.isEmpty ? ["<ack>"] : lines) }
                }
            }
            // The acknowledgement comes once the subscription is registered.
            try await Self.until { received.withLock { $0 } == ["<ack>"] }
            #expect(target.registry.count(tenant: "t") == 1)
            var entries = EntryBatch()
            entries.append(timestamp: 5, line: Array("five".utf8))
            target.registry.offer(tenant: "t", streams: [TailedStream(labels: labels, entries: entries)])
            try await Self.until { received.withLock { $0 }.count == 2 }
            #expect(received.withLock { $0 } == ["<ack>", "five"])
            // Cancelling the reader cancels the request; the server side unsubscribes while the connection stays.
            reader.cancel()
            try await Self.until { target.registry.count(tenant: "t") == 0 }
            #expect(target.registry.count(tenant: "t") == 0)
            #expect(try await client.notReadyReason() == nil)
        }
    }

    /// Polls `condition` (at most 5 s); the caller's expectation reports a miss.
    static func until(_ condition: () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(nanoseconds: 10_000_000) }
    }

    @Test func aNodeWithoutTailSaysSo() async throws {
        try await withLoopback(WireServices(role: "querier")) { _, client in
            let stream = try await client.tail(tenant: "t", matchers: [LabelMatcher.equal("app", "a")], bufferEntries: 10,
                                               timeout: .seconds(10))
            var iterator = stream.makeAsyncIterator()
            let error = try await #require(throws: WireError.self) { _ = try await iterator.next() }
            #expect(error.code == .unsupported && error.message == "querier does not serve tail")
        }
    }
}
