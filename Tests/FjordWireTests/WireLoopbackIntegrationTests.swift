import FjordModel
import FjordServiceAPI
import FjordStorage
import FjordTestSupport
@testable import FjordWire
import Testing

/// Runs `body` against a live server on 127.0.0.1 (port 0) and a client for it; stops both afterwards.
func withLoopback<T: Sendable>(
    _ handler: any WireHandler,
    server configureServer: (inout WireServerConfiguration) -> Void = { _ in },
    client configureClient: (inout WireClientConfiguration) -> Void = { _ in },
    _ body: (WireServer, WireClient) async throws -> T
) async throws -> T {
    var serverConfiguration = WireServerConfiguration(role: "ingester", node: "ingester-test")
    configureServer(&serverConfiguration)
    let server = try await WireServer.bind(configuration: serverConfiguration, handler: handler)
    var clientConfiguration = WireClientConfiguration(role: "querier", node: "querier-test", requestTimeout: .seconds(20))
    configureClient(&clientConfiguration)
    let port = try #require(server.localPort)
    let client = try WireClient(host: "127.0.0.1", port: port, configuration: clientConfiguration)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(server, client)) } catch { outcome = .failure(error) }
        await client.shutdown()
        server.shutdown()
        group.cancelAll()
        try? await group.waitForAll()
        return try outcome.get()
    }
}

/// Live server and client on 127.0.0.1. Named `…IntegrationTests` so that `scripts/test` runs these in the
/// integration phase: with CPU-heavy unit tests occupying the few cooperative threads, the server's tasks would
/// starve and hello exchanges time out.
@Suite struct WireLoopbackIntegrationTests {
    @Test func everyRPCRoundTripsOverTCP() async throws {
        var head = HeadBlock()
        for index in 0..<50 { head.append(timestamp: 2_000 + Int64(index), line: Array("head \(index)".utf8)) }
        let stream = StreamData(labels: Sample.labels("api"), blocks: [
            CompressedBlock.encode(Sample.batch(count: 300, start: 0, metadataEvery: 4)), head.snapshot(),
        ])
        var behaviour = RecordingHandler.Behaviour()
        behaviour.streams = [stream, StreamData(labels: Sample.labels("other"), blocks: [])]
        behaviour.queryResult = WireMessageTests.bigStreamsResult()
        behaviour.names = ["app", "env"]
        behaviour.labelSets = [Sample.labels("api"), Sample.labels("web")]
        behaviour.stats = ServiceIndexStats(streams: 2, chunks: 3, bytes: 4, entries: 5)
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler) { _, client in
            let pushed = [PushStream(labels: Sample.labels("api"), entries: Sample.batch(count: 10, metadataEvery: 3))]
            try await RemotePushTarget(client: client).push(tenant: "t1", streams: pushed)
            let recorded = handler.pushes.withLock { $0 }
            #expect(recorded.count == 1 && recorded[0].0 == "t1" && recorded[0].1[0].entries.sameEntries(as: pushed[0].entries))

            let selected = try await RemoteLogSource(client: client).select(
                tenant: "t1", matchers: [.equal("app", "api")], start: .min, end: .max)
            #expect(selected.map(\.labels) == [Sample.labels("api")])
            #expect(try await Sample.read(selected[0]).sameEntries(as: try await Sample.read(stream)))

            let queries = RemoteQueryTarget(client: client)
            let result = try await queries.query(QueryRequest(tenants: ["t1"], query: "{app=\"api\"}", start: 0, end: 1, step: 0))
            #expect(result.statistics == behaviour.queryResult.statistics && result.warnings == behaviour.queryResult.warnings)
            let metadata = MetadataRequest(tenants: ["t1"], start: 0, end: 1)
            #expect(try await queries.labelNames(metadata) == ["app", "env"])
            #expect(try await queries.labelValues(name: "app", metadata) == ["app=app", "app=env"])
            #expect(try await queries.series(SeriesRequest(tenants: ["t1"], start: 0, end: 1, selectors: [])) == behaviour.labelSets)
            #expect(try await queries.indexStats(metadata) == behaviour.stats)

            let admin = RemoteIngesterAdmin(client: client)
            try await admin.flushAll()
            #expect(handler.flushes.load(ordering: .relaxed) == 1)
            #expect(await admin.notReadyReason() == nil)
            handler.behaviour.withLock { $0.notReady = "waiting for WAL replay" }
            #expect(await admin.notReadyReason() == "waiting for WAL replay")
        }
    }

    @Test func streamingSelectCarriesManyBlocksInSmallFrames() async throws {
        let streams = (0..<20).map { app in
            StreamData(labels: Sample.labels("app\(app)"), blocks: (0..<30).map { block -> any EntryBlock in
                let batch = Sample.batch(count: 40, start: Int64(block) * 1_000, prefix: "s\(app)b\(block)")
                return block % 2 == 0 ? CompressedBlock.encode(batch) : BatchBlock(sorted: batch)
            })
        }
        var behaviour = RecordingHandler.Behaviour()
        behaviour.streams = streams
        try await withLoopback(RecordingHandler(behaviour), server: { $0.responsePartBytes = 16 << 10 },
                               client: { $0.maxFrameBytes = 64 << 10 }) { _, client in
            let frames = try await client.call(.select(tenant: "t", matchers: [], start: .min, end: .max))
            #expect(frames.count > 20)
            #expect(frames.allSatisfy { $0.encodedSize <= 64 << 10 })
            let selected = try await client.select(tenant: "t", matchers: [], start: .min, end: .max)
            #expect(selected.map(\.labels) == streams.map(\.labels))
            for (sent, received) in zip(streams, selected) {
                #expect(received.blocks.count == 30)
                #expect(try await Sample.read(received).sameEntries(as: try await Sample.read(sent)))
            }
        }
    }

    @Test func manyConcurrentRequestsShareOneConnectionWithinTheInFlightLimit() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .milliseconds(50)
        behaviour.queryResult = QueryResult(data: .scalar(timestampMillis: 1, value: 2))
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler, server: { $0.maxConcurrentRequestsPerConnection = 4 },
                               client: { $0.connectionsPerAddress = 1 }) { _, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    group.addTask {
                        if index % 2 == 0 {
                            let stream = PushStream(labels: Sample.labels("c\(index)"), entries: Sample.batch(count: 3))
                            try await client.push(tenant: "t", streams: [stream])
                        } else {
                            let result = try await client.query(QueryRequest(tenants: ["t"], query: "1", start: 0, end: 0, step: 0))
                            guard case .scalar(_, let value) = result.data, value == 2 else {
                                throw WireError(.internalError, "wrong answer")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(handler.pushes.withLock { $0.count } == 30)
        #expect(handler.maxInFlight.load(ordering: .relaxed) <= 4)
        #expect(handler.maxInFlight.load(ordering: .relaxed) >= 2)
    }

    @Test func serviceErrorsArriveWithTheirStatusAndTextUnchanged() async throws {
        var behaviour = RecordingHandler.Behaviour()
        let rejection = ServiceError(status: 429, message: "Per stream rate limit exceeded (limit: 3MB/sec) while attempting to ingest for stream '{app=\"api\"}' totaling 10B, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased")
        behaviour.pushError = rejection
        try await withLoopback(RecordingHandler(behaviour)) { _, client in
            let push = try await #require(throws: ServiceError.self) {
                try await RemotePushTarget(client: client).push(tenant: "t", streams: [])
            }
            #expect(push == rejection)
            let query = try await #require(throws: ServiceError.self) {
                _ = try await RemoteQueryTarget(client: client).query(QueryRequest(tenants: ["t"], query: "bad", start: 0, end: 1, step: 0))
            }
            #expect(query == .badRequest("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"))
        }
    }

    @Test func rpcsARoleDoesNotServeAreUnsupported() async throws {
        try await withLoopback(WireServices(role: "querier")) { _, client in
            let error = try await #require(throws: WireError.self) { try await client.push(tenant: "t", streams: []) }
            #expect(error.code == .unsupported && error.status == 501 && error.message == "querier does not serve push")
            #expect(try await client.notReadyReason() == nil)
        }
    }

    @Test func requestsPastTheirDeadlineFailAndStopTheHandler() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .seconds(30)
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler) { _, client in
            let error = try await #require(throws: WireError.self) {
                _ = try await client.query(QueryRequest(tenants: ["t"], query: "x", start: 0, end: 1, step: 0), timeout: .milliseconds(200))
            }
            #expect(error.code == .timeout)
            #expect(error.serviceError() == .timeout)
            try await eventually { handler.cancelledHandlers.load(ordering: .relaxed) == 1 }
        }
    }

    @Test func cancellingTheCallingTaskCancelsTheRemoteHandler() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .seconds(30)
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler) { _, client in
            let call = Task { try await client.push(tenant: "t", streams: [], timeout: .seconds(60)) }
            try await eventually { handler.inFlight.load(ordering: .relaxed) == 1 }
            call.cancel()
            let error = try await #require(throws: WireError.self) { try await call.value }
            #expect(error.code == .cancelled)
            try await eventually { handler.cancelledHandlers.load(ordering: .relaxed) == 1 }
        }
    }

    @Test func aClientThatGoesAwayStopsItsRequests() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .seconds(30)
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler) { _, client in
            let call = Task { try await client.push(tenant: "t", streams: [], timeout: .seconds(60)) }
            try await eventually { handler.inFlight.load(ordering: .relaxed) == 1 }
            await client.shutdown()
            let error = try await #require(throws: WireError.self) { try await call.value }
            #expect(error.code == .unavailable)
            try await eventually { handler.cancelledHandlers.load(ordering: .relaxed) == 1 }
        }
    }

    @Test func largePushesAreSplitToFitTheServersFrameLimit() async throws {
        let handler = RecordingHandler()
        try await withLoopback(handler, server: { $0.maxFrameBytes = 16 << 10 }, client: { $0.compressionMinimumBytes = 0 }) { _, client in
            let streams = (0..<3).map { PushStream(labels: Sample.labels("big\($0)"), entries: Sample.batch(count: 1_500, prefix: "s\($0)")) }
            try await client.push(tenant: "t", streams: streams)
        }
        let pushes = handler.pushes.withLock { $0 }
        #expect(pushes.count > 3)
        #expect(pushes.reduce(0) { $0 + $1.1.reduce(0) { $0 + $1.entries.count } } == 4_500)
    }

    @Test func handshakeRefusesTheWrongRoles() async throws {
        try await withLoopback(RecordingHandler(), client: { $0.expectedServerRole = "querier" }) { _, client in
            let error = try await #require(throws: WireError.self) { try await client.flush() }
            #expect(error.code == .handshake)
            #expect(error.message.contains("is a ingester, expected a querier"))
        }
        try await withLoopback(RecordingHandler(), server: { $0.acceptedClientRoles = ["gateway"] }) { _, client in
            let error = try await #require(throws: WireError.self) { try await client.flush() }
            #expect(error.code == .handshake)
            #expect(error.message.contains("does not accept clients of role querier"))
        }
    }

    @Test func unreachableServerFailsFastDuringBackoff() async throws {
        // A port that is bound but not listening refuses connections, and nothing else can take it meanwhile.
        let held = try HeldPort()
        defer { held.release() }
        let client = try WireClient(host: "127.0.0.1", port: held.port, configuration: WireClientConfiguration(
            role: "gateway", node: "g", connectionsPerAddress: 1, reconnectBackoffInitial: .seconds(60)))
        let refused = try await #require(throws: WireError.self) { try await client.flush() }
        #expect(refused.code == .unavailable, "\(refused)")
        #expect(refused.message.contains("cannot connect to 127.0.0.1:\(held.port)"), "\(refused.message)")
        let backingOff = try await #require(throws: WireError.self) { try await client.flush() }
        #expect(backingOff.code == .unavailable && backingOff.message.contains("reconnecting after"), "\(backingOff.message)")
        #expect(backingOff.serviceError(peer: client.address).status == 503)
        await client.shutdown()
    }

    @Test func answersLargerThanTheClientLimitFail() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.names = (0..<5_000).map { "name_\($0)" }
        try await withLoopback(RecordingHandler(behaviour), server: { $0.compressionMinimumBytes = 0 },
                               client: { $0.maxResponseBytes = 10_000 }) { _, client in
            let error = try await #require(throws: WireError.self) {
                _ = try await client.labelNames(MetadataRequest(tenants: ["t"], start: 0, end: 1))
            }
            #expect(error.code == .frameTooLarge)
            #expect(try await client.notReadyReason() == nil)
        }
    }

    @Test func shutdownLetsRequestsInFlightFinishThenCloses() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .milliseconds(300)
        let handler = RecordingHandler(behaviour)
        let server = try await Self.bindBelowEphemeralPorts(WireServerConfiguration(role: "ingester", node: "drain"), handler: handler)
        let client = try WireClient(host: "127.0.0.1", port: try #require(server.localPort),
                                    configuration: WireClientConfiguration(role: "gateway", node: "g", connectionsPerAddress: 1))
        let running = Task { try await server.run() }
        let call = Task { try await client.push(tenant: "t", streams: []) }
        try await eventually { handler.inFlight.load(ordering: .relaxed) == 1 }
        server.shutdown()
        try await call.value
        try await running.value
        #expect(handler.pushes.withLock { $0.count } == 1)
        let after = try await #require(throws: WireError.self) { try await client.push(tenant: "t", streams: []) }
        #expect(after.code == .unavailable)
        await client.shutdown()
    }

    @Test func clientReconnectsAfterTheServerRestarts() async throws {
        let handler = RecordingHandler()
        var configuration = WireServerConfiguration(role: "ingester", node: "restart")
        let first = try await Self.bindBelowEphemeralPorts(configuration, handler: handler)
        let port = try #require(first.localPort)
        configuration.port = port
        let client = try WireClient(host: "127.0.0.1", port: port, configuration: WireClientConfiguration(
            role: "gateway", node: "g", connectionsPerAddress: 1,
            reconnectBackoffInitial: .milliseconds(20), reconnectBackoffMaximum: .milliseconds(100)))
        let firstRun = Task { try await first.run() }
        try await client.flush()
        firstRun.cancel()
        _ = try? await firstRun.value
        let down = try await #require(throws: WireError.self) { try await client.flush() }
        #expect(down.code == .unavailable, "\(down.message)")

        let second = try await Self.bindAgain(configuration, handler: handler)
        let secondRun = Task { try await second.run() }
        try await eventually {
            do {
                try await client.flush()
                return true
            } catch {
                return false
            }
        }
        #expect(handler.flushes.load(ordering: .relaxed) == 2)
        await client.shutdown()
        secondRun.cancel()
        _ = try? await secondRun.value
    }
}

/// Polls `condition` every 20 ms, up to 10 s (a bound, not a timing assertion).
func eventually(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<500 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition not met within 10 s")
}

extension WireLoopbackIntegrationTests {
    /// Binds a server on a random port below the kernel's ephemeral range (32768 and up), for tests that stop a
    /// server and expect its port to stay unserved: `bind(0)` elsewhere in the run readily hands a just-freed
    /// ephemeral port to another test's server, whose answers would then reach this test's client.
    static func bindBelowEphemeralPorts(_ configuration: WireServerConfiguration, handler: any WireHandler)
        async throws -> WireServer
    {
        var configuration = configuration
        for _ in 0..<50 {
            configuration.port = Int.random(in: 20_000..<32_000)
            if let server = try? await WireServer.bind(configuration: configuration, handler: handler) { return server }
        }
        throw WireError(.unavailable, "no free port below the ephemeral range")
    }

    /// Binds a server on the port a stopped server used. The old listening socket can take a moment to go on a
    /// loaded machine, so this retries for up to 10 s before giving up with the last error.
    static func bindAgain(_ configuration: WireServerConfiguration, handler: any WireHandler) async throws -> WireServer {
        var lastError: (any Error)?
        for _ in 0..<100 {
            do {
                return try await WireServer.bind(configuration: configuration, handler: handler)
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? WireError(.unavailable, "could not bind port \(configuration.port) again")
    }
}
