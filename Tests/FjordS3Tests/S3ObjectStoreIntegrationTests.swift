import FjordModel
import FjordS3
import FjordStorage
import FjordTestSupport
import Testing

/// ``S3ObjectStore`` against a real S3-compatible server (moto) on 127.0.0.1, one bucket per test. Named
/// `…IntegrationTests` so `scripts/test` runs it in the integration phase, away from CPU-heavy unit tests.
@Suite(.serialized) struct S3ObjectStoreIntegrationTests {
    private func withStore(partSize: Int = 5 << 20, threshold: Int = 16 << 20,
                           _ body: (S3ObjectStore, MotoServer) async throws -> Void) async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let store = S3ObjectStore(config: S3Configuration(
            endpoint: moto.endpoint, bucket: MotoServer.bucketName(), region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: "test", secretAccessKey: "test"), forcePathStyle: true,
            maxRetries: 2, minBackoffNanos: 10_000_000, multipartThreshold: threshold, partSize: partSize))
        try await store.createBucket()
        try await body(store, moto)
    }

    @Test func putGetListDeleteRangeExists() async throws {
        try await withStore { store, _ in
            try await store.put("t/chunks/aa/1", Array("one".utf8))
            try await store.put("t/chunks/ab/2", Array("two!".utf8))
            try await store.put("t/index/x y+z", [])
            try await store.put("u/chunks/aa/1", [1])
            #expect(try await store.get("t/chunks/aa/1") == Array("one".utf8))
            #expect(try await store.get("t/index/x y+z") == [])
            try await store.put("t/chunks/aa/1", Array("replaced".utf8))
            #expect(try await store.get("t/chunks/aa/1") == Array("replaced".utf8))
            #expect(try await store.list(prefix: "t/chunks/").map(\.key) == ["t/chunks/aa/1", "t/chunks/ab/2"])
            #expect(try await store.list(prefix: "t/chunks/a").map(\.size) == [8, 4])
            #expect(try await store.list(prefix: "t").map(\.key) == ["t/chunks/aa/1", "t/chunks/ab/2", "t/index/x y+z"])
            #expect(try await store.list(prefix: "").count == 4)
            #expect(try await store.list(prefix: "nothing/").isEmpty)
            #expect(try await store.exists("t/chunks/ab/2"))
            #expect(try await !store.exists("t/chunks/ab"))
            try await store.delete("t/chunks/ab/2")
            try await store.delete("t/chunks/ab/2")
            #expect(try await !store.exists("t/chunks/ab/2"))
            await #expect(throws: ObjectStoreError(.notFound, key: "t/chunks/ab/2")) { try await store.get("t/chunks/ab/2") }
            let data = (0..<100).map { UInt8($0) }
            try await store.put("k", data)
            #expect(try await store.get("k", range: 10..<20) == Array(data[10..<20]))
            #expect(try await store.get("k", range: 90..<200) == Array(data[90..<100]))
            await #expect(throws: ObjectStoreError.self) { try await store.get("k", range: 100..<101) }
            await #expect(throws: ObjectStoreError.self) { try await store.put("../x", [1]) }
        }
    }

    @Test func listingPagesThroughMoreThanOneThousandKeys() async throws {
        try await withStore { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<1005 {
                    group.addTask { try await store.put("p/\(index)", [UInt8(index & 0xFF)]) }
                    if index % 16 == 15 { try await group.waitForAll() }
                }
                try await group.waitForAll()
            }
            let keys = try await store.list(prefix: "p/").map(\.key)
            #expect(keys.count == 1005)
            #expect(keys == keys.sorted())
        }
    }

    @Test func largeObjectsGoUpInParts() async throws {
        try await withStore(partSize: 5 << 20, threshold: 6 << 20) { store, _ in
            let data = (0..<(11 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 12) }
            try await store.put("big/object", data)
            let back = try await store.get("big/object")
            #expect(back.count == data.count)
            #expect(back == data)
            #expect(try await store.list(prefix: "big/").map(\.size) == [data.count])
            #expect(try await store.get("big/object", range: (5 << 20) - 3..<(5 << 20) + 3) == Array(data[(5 << 20) - 3..<(5 << 20) + 3]))
        }
    }

    @Test func unreachableServerFailsAfterRetries() async throws {
        let port = try MotoServer.freePort()
        let store = S3ObjectStore(config: S3Configuration(
            endpoint: "http://127.0.0.1:\(port)", bucket: "b", credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b"),
            forcePathStyle: true, requestTimeoutNanos: 1_000_000_000, maxRetries: 2, minBackoffNanos: 1_000_000,
            maxBackoffNanos: 2_000_000))
        await #expect(throws: ObjectStoreError.self) { try await store.get("x") }
        do {
            _ = try await store.get("x")
        } catch let error as ObjectStoreError {
            #expect(error.kind == .io)
            #expect(error.message.contains("after 3 attempts"))
        }
    }

    @Test func chunkStoreRoundTripsThroughS3() async throws {
        try await withStore { store, _ in
            let chunks = ChunkStore(objects: store)
            let base: Int64 = 1_795_316_400_000_000_000
            var batch = EntryBatch()
            for index in 0..<100 { batch.append(timestamp: base + Int64(index), line: Array("line \(index)".utf8)) }
            let labels = Labels(["app": "x"])
            try await chunks.writeChunks(tenant: "t", [(labels, EncodedChunk(labels: labels, blocks: [CompressedBlock.encode(batch)]))])
            let streams = try await chunks.select(tenant: "t", matchers: [.equal("app", "x")], start: base, end: base + 1000)
            #expect(streams.count == 1)
            let decoded = try await streams[0].blocks[0].decode(.full)
            #expect(decoded.count == 100)
        }
    }
}
