import FjordModel
import FjordServiceAPI
@testable import FjordWire
import NIOPosix
import Testing

/// A live server fed bytes by hand: what it answers to broken peers. (Named `…IntegrationTests` so that
/// `scripts/test` runs it in the integration phase, where CPU-heavy unit tests cannot starve the server's tasks.)
@Suite struct WireRawConnectionIntegrationTests {
    static func hello(version: UInt8 = WireProtocol.version, role: String = "gateway") -> [UInt8] {
        var header = WireFrameHeader(kind: .hello, flags: .endOfStream, requestID: 0)
        header.version = version
        var out: [UInt8] = []
        WireFrameCodec.encode(header, body: WireHello(role: role, node: "raw").encode(), into: &out)
        return out
    }

    /// Decodes what the server sent, frame by frame, reading the version byte loosely (the server may answer in
    /// its own version).
    static func frames(_ bytes: [UInt8]) throws -> [WireFrame] {
        try WireFrameCodec.decodeAll(bytes, maxFrameBytes: 1 << 24)
    }

    @Test func versionMismatchGetsAnErrorFrameAndClose() async throws {
        try await withLoopback(RecordingHandler()) { server, _ in
            let socket = try RawSocket(port: try #require(server.localPort))
            socket.send(Self.hello(version: 9))
            let (bytes, closed) = try await socket.readToEnd()
            #expect(closed)
            let answer = try Self.frames(bytes)
            let only = try #require(answer.count == 1 ? answer.first : nil)
            #expect(only.kind == .error && only.requestID == 0)
            let error = try WireErrorBody.decode(only.body)
            #expect(error.code == .unsupportedVersion)
            #expect(error.message == "peer speaks wire protocol version 9; this node speaks version 1")
        }
    }

    @Test func garbageBeforeOrAfterTheHelloGetsAnErrorFrameAndClose() async throws {
        try await withLoopback(RecordingHandler()) { server, _ in
            let port = try #require(server.localPort)
            let early = try RawSocket(port: port)
            early.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let (earlyBytes, earlyClosed) = try await early.readToEnd()
            #expect(earlyClosed)
            let first = try #require(try Self.frames(earlyBytes).first)
            #expect(try WireErrorBody.decode(first.body).code == .frameTooLarge)

            let late = try RawSocket(port: port)
            late.send(Self.hello())
            var corrupt = WireFrameCodec.encode(WireFrame(kind: .flush, requestID: 5, flags: .endOfStream))
            corrupt[15] ^= 1
            late.send(corrupt)
            let (lateBytes, lateClosed) = try await late.readToEnd()
            #expect(lateClosed)
            let answer = try Self.frames(lateBytes)
            #expect(answer.map(\.kind) == [.hello, .error])
            let last = try #require(answer.count == 2 ? answer.last : nil)
            #expect(try WireErrorBody.decode(last.body).code == .checksumMismatch)
        }
    }

    /// After a frame-level error the connection closes at once, without waiting for handlers that ignore the
    /// cancellation (the live fuzz test saw connections held open for tens of seconds by an ingester flush).
    @Test func aBrokenStreamIsClosedWithoutWaitingForUncancellableHandlers() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.holdPushes = true
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler) { server, _ in
            defer { handler.releasePushes() }  // the server's shutdown waits for the held handler
            let socket = try RawSocket(port: try #require(server.localPort))
            socket.send(Self.hello())
            let push = WireRequest.push(tenant: "t", streams: [PushStream(labels: Sample.labels("a"), entries: Sample.batch(count: 2))])
            socket.send(WireFrameCodec.encode(WireFrame(kind: .push, requestID: 1, flags: .endOfStream, body: push.encodeBody())))
            var corrupt = WireFrameCodec.encode(WireFrame(kind: .ready, requestID: 2, flags: .endOfStream))
            corrupt[27] ^= 1
            socket.send(corrupt)
            let (bytes, closed) = try await socket.readToEnd()
            #expect(closed, "the connection stays open while the push handler is held")
            #expect(handler.releasedPushes.load(ordering: .relaxed) == 0)
            let answer = try Self.frames(bytes)
            #expect(answer.map(\.kind) == [.hello, .error])
            #expect(try WireErrorBody.decode(try #require(answer.last).body).code == .checksumMismatch)
        }
    }

    @Test func oversizedFrameIsRefusedBeforeItsBodyArrives() async throws {
        try await withLoopback(RecordingHandler(), server: { $0.maxFrameBytes = 8192 }) { server, _ in
            let socket = try RawSocket(port: try #require(server.localPort))
            socket.send(Self.hello())
            socket.send([0x00, 0x10, 0x00, 0x00])  // announces 1 MiB and sends nothing more
            let (bytes, closed) = try await socket.readToEnd()
            #expect(closed)
            let answer = try Self.frames(bytes)
            #expect(answer.last?.kind == .error)
            #expect(try WireErrorBody.decode(try #require(answer.last).body).code == .frameTooLarge)
        }
    }

    @Test func serverAnswersATimeoutFrameWhenTheDeadlinePasses() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .seconds(30)
        let handler = RecordingHandler(behaviour)
        try await withLoopback(handler) { server, _ in
            let socket = try RawSocket(port: try #require(server.localPort))
            socket.send(Self.hello())
            let request = WireRequest.query(QueryRequest(tenants: ["t"], query: "x", start: 0, end: 1, step: 0))
            socket.send(WireFrameCodec.encode(WireFrame(kind: .query, requestID: 77, flags: .endOfStream, deadlineMillis: 100,
                                                        body: request.encodeBody())))
            socket.send(WireFrameCodec.encode(WireFrame(kind: WireMessageKind(rawValue: 0x3e), requestID: 78, flags: .endOfStream)))
            let helloSize = Self.hello().count
            var received: [WireFrame] = []
            var buffer = try await socket.read(count: helloSize)
            while received.count < 3 {
                let more = try await socket.read(count: WireProtocol.frameOverhead)
                guard more.count == WireProtocol.frameOverhead else { break }
                let length = Int(more[0]) << 24 | Int(more[1]) << 16 | Int(more[2]) << 8 | Int(more[3])
                let rest = try await socket.read(count: length - WireProtocol.headerSize)
                buffer += more + rest
                received = try Self.frames(buffer)
            }
            #expect(received.count == 3)
            let errors = Dictionary(uniqueKeysWithValues: try received.dropFirst().map { ($0.requestID, try WireErrorBody.decode($0.body)) })
            #expect(errors[77]?.code == .timeout)
            #expect(errors[78]?.code == .unsupported)
            try await eventually { handler.cancelledHandlers.load(ordering: .relaxed) == 1 }
        }
    }

    /// Whichever of the handler and the deadline claims a request's final frame also gets to write it: the other
    /// one's end must not cancel that write. (The wire fuzz test against a live ingester found requests with 1–3 ms
    /// deadlines left without any answer: the handler finished first, its task group cancelled the deadline's
    /// task, and the timeout frame that task had claimed was never written.)
    @Test func everyRequestGetsExactlyOneFinalFrameWhenItsDeadlineRacesItsAnswer() async throws {
        var behaviour = RecordingHandler.Behaviour()
        behaviour.delay = .milliseconds(1)
        try await withLoopback(RecordingHandler(behaviour)) { server, _ in
            let socket = try RawSocket(port: try #require(server.localPort))
            socket.send(Self.hello())
            let count = 2_000
            let body = WireRequest.query(QueryRequest(tenants: ["t"], query: "x", start: 0, end: 1, step: 0)).encodeBody()
            var bytes: [UInt8] = []
            for id in 1...count {
                bytes += WireFrameCodec.encode(WireFrame(kind: .query, requestID: UInt64(id), flags: .endOfStream,
                                                         deadlineMillis: UInt32(1 + id % 3), body: body))
            }
            // Sent from a pool thread while this task reads, so neither side's socket buffer can fill up for good.
            let sending = Task { [bytes] in try await NIOThreadPool.singleton.runIfActive { socket.send(bytes) } }
            var finals: [UInt64: Int] = [:]
            while finals.values.reduce(0, +) < count {
                let header = try await socket.read(count: WireProtocol.frameOverhead)
                guard header.count == WireProtocol.frameOverhead else { break }
                let length = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
                let received = try Self.frames(header + (try await socket.read(count: length - WireProtocol.headerSize)))
                for frame in received where frame.kind != .hello && frame.isEndOfStream {
                    finals[frame.requestID, default: 0] += 1
                }
            }
            try await sending.value
            #expect(finals.count == count, "\(count - finals.count) requests got no final frame")
            #expect(finals.values.allSatisfy { $0 == 1 }, "requests with more than one final frame")
        }
    }

    @Test func silentConnectionsAreClosedAfterTheHandshakeTimeout() async throws {
        try await withLoopback(RecordingHandler(), server: { $0.handshakeTimeout = .milliseconds(200) }) { server, _ in
            let socket = try RawSocket(port: try #require(server.localPort))
            let (bytes, closed) = try await socket.readToEnd()
            #expect(closed && bytes.isEmpty)
        }
    }
}
