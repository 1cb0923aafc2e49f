import FjordMemcached
import FjordQueryFrontend
import Foundation
import Logging
import Testing

/// The memcached client and the memcached results cache against a real memcached on a free 127.0.0.1 port.
@Suite(.serialized) struct MemcachedClientTests {
    /// Loki's default 100 ms is too short for a loaded 2-core CI machine running every integration test at once.
    static let patientTimeout: Int64 = 3_000_000_000

    @Test func getsSetsAndSurvivesTheServerGoingAway() async throws {
        let server = try MemcachedProcess()
        try await server.start()
        defer { server.stop() }
        let client = try MemcachedClient(configuration: MemcachedConfiguration(
            servers: [server.address], timeout: 3_000_000_000, failureBackoff: 100_000_000))
        defer { client.shutdown() }

        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await client.set("fjord-a", Array("alpha".utf8))
        try await client.set("fjord-big", big)
        try await client.set("fjord-empty", [])
        let found = try await client.get(["fjord-a", "fjord-big", "fjord-empty", "fjord-missing"])
        #expect(found["fjord-a"] == Array("alpha".utf8))
        #expect(found["fjord-big"] == big)
        #expect(found["fjord-empty"] == [])
        #expect(found["fjord-missing"] == nil)
        // Over max_item_size: refused by the client, not sent.
        await #expect(throws: MemcachedError.self) { try await client.set("fjord-huge", [UInt8](repeating: 0, count: 2 << 20)) }
        // Many calls at once share the pool.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    try await client.set("fjord-k\(index)", Array("\(index)".utf8))
                    let value = try await client.get(["fjord-k\(index)"])
                    #expect(value["fjord-k\(index)"] == Array("\(index)".utf8))
                }
            }
            try await group.waitForAll()
        }

        // The results cache over it: values round-trip; with the server gone, reads miss and writes are dropped.
        let cache = MemcachedResultsCache(client: client, expirationSeconds: 0, logger: Logger(label: "test"))
        await cache.store([(key: "fjord-c", value: [1, 2, 3])])
        #expect(await cache.fetch(["fjord-c"]) == ["fjord-c": [1, 2, 3]])
        server.stop()
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await cache.fetch(["fjord-c"]).isEmpty)
        await cache.store([(key: "fjord-d", value: [4])])
        await #expect(throws: MemcachedError.self) { try await client.get(["fjord-a"]) }
        #expect(clock.now - started < .seconds(5))

        // A new server on the same port is used again once the back-off has passed.
        let again = try MemcachedProcess(port: server.port)
        try await again.start()
        defer { again.stop() }
        try await Task.sleep(nanoseconds: 200_000_000)
        try await client.set("fjord-e", [5])
        #expect(try await client.get(["fjord-e"]) == ["fjord-e": [5]])
    }

    @Test func keysSpreadOverSeveralServers() async throws {
        let first = try MemcachedProcess()
        let second = try MemcachedProcess()
        try await first.start()
        try await second.start()
        defer {
            first.stop()
            second.stop()
        }
        let client = try MemcachedClient(configuration: MemcachedConfiguration(
            servers: [first.address, second.address], timeout: Self.patientTimeout))
        defer { client.shutdown() }
        let keys = (0..<40).map { "fjord-spread-\($0)" }
        for key in keys { try await client.set(key, Array(key.utf8)) }
        let found = try await client.get(keys)
        #expect(found.count == keys.count)
        // Each server holds some of them.
        let onFirst = try await MemcachedClient(configuration: MemcachedConfiguration(
            servers: [first.address], timeout: Self.patientTimeout)).get(keys)
        #expect(onFirst.count > 0 && onFirst.count < keys.count)
    }
}
