public import FjordModel
public import FjordServiceAPI
public import NIOCore
import NIOPosix

/// The client side of the wire protocol for one server address: a small pool of multiplexed connections and
/// one typed async method per RPC. Every call has a deadline (its `timeout`, or the configuration's
/// `requestTimeout`) that travels to the server; when it passes, or the calling task is cancelled, the request
/// fails and the server is told to stop.
///
/// Errors are ``WireError``s; `code == .service` carries the remote ``ServiceError``'s status and text.
public final class WireClient: Sendable {
    let pool: WireConnectionPool
    public var configuration: WireClientConfiguration { pool.configuration }
    /// `host:port`, used in error texts.
    public var address: String { pool.peerName }

    /// A client for `host:port`; throws only when the TLS files cannot be loaded. Connects lazily.
    public init(host: String, port: Int, configuration: WireClientConfiguration,
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        pool = try WireConnectionPool(host: host, port: port, configuration: configuration, group: eventLoopGroup)
    }

    /// Closes the connections; later calls fail as `unavailable`.
    public func shutdown() async { await pool.shutdown() }

    // MARK: - RPCs

    /// Pushes streams. A body larger than the server's frame limit is split across several requests (by streams,
    /// then by entries); every part is tried and the first failure is thrown.
    public func push(tenant: String, streams: [PushStream], timeout: Duration? = nil) async throws(WireError) {
        let connection = try await pool.connection()
        let request = WireRequest.push(tenant: tenant, streams: streams)
        let (payload, flags) = prepare(request.encodeBody())
        if payload.count + WireProtocol.headerSize > connection.serverHello.maxFrameBytes {
            try await pushSplit(tenant: tenant, streams: streams, timeout: timeout)
            return
        }
        let frames = try await send(request.kind, payload, flags, on: connection, timeout: timeout)
        try expect(.ok, frames)
    }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64,
                       timeout: Duration? = nil) async throws(WireError) -> [StreamData] {
        let frames = try await call(.select(tenant: tenant, matchers: matchers, start: start, end: end), timeout: timeout)
        try expect(.streams, frames)
        var decoder = WireSelectDecoder(maxBatchBytes: configuration.maxBodyBytes)
        for frame in frames { try decoder.add(part: try frame.uncompressedBody(limit: configuration.maxBodyBytes)) }
        return decoder.finish()
    }

    public func query(_ request: QueryRequest, timeout: Duration? = nil) async throws(WireError) -> QueryResult {
        let frames = try await call(.query(request), timeout: timeout)
        try expect(.queryResult, frames)
        return try WireQueryCoding.decode(try bodies(frames))
    }

    public func labelNames(_ request: MetadataRequest, timeout: Duration? = nil) async throws(WireError) -> [String] {
        let frames = try await call(.labelNames(request), timeout: timeout)
        try expect(.names, frames)
        return try WireMetadataCoding.decodeNames(try bodies(frames))
    }

    public func labelValues(name: String, _ request: MetadataRequest, timeout: Duration? = nil) async throws(WireError) -> [String] {
        let frames = try await call(.labelValues(name: name, request), timeout: timeout)
        try expect(.names, frames)
        return try WireMetadataCoding.decodeNames(try bodies(frames))
    }

    public func series(_ request: SeriesRequest, timeout: Duration? = nil) async throws(WireError) -> [Labels] {
        let frames = try await call(.series(request), timeout: timeout)
        try expect(.labelSets, frames)
        return try WireMetadataCoding.decodeLabelSets(try bodies(frames))
    }

    public func indexStats(_ request: MetadataRequest, timeout: Duration? = nil) async throws(WireError) -> IndexStats {
        let frames = try await call(.indexStats(request), timeout: timeout)
        try expect(.stats, frames)
        return try WireMetadataCoding.decodeStats(try bodies(frames)[0])
    }

    public func flush(timeout: Duration? = nil) async throws(WireError) {
        try expect(.ok, try await call(.flush, timeout: timeout))
    }

    /// A delete-request call to the compactor: the added request, the tenant's list, or nothing (cancel).
    public func deleteRequests(_ operation: DeleteRequestCall, timeout: Duration? = nil) async throws(WireError) -> [DeleteRequest] {
        let frames = try await call(.deleteRequests(operation), timeout: timeout)
        try expect(.deleteRequestList, frames)
        return try WireDeleteCoding.decode(try bodies(frames)[0])
    }

    /// Nil when the server is ready, otherwise its reason.
    public func notReadyReason(timeout: Duration? = nil) async throws(WireError) -> String? {
        let frames = try await call(.ready, timeout: timeout)
        try expect(.readiness, frames)
        return try WireMetadataCoding.decodeReadiness(try bodies(frames)[0])
    }

    /// Live tail: subscribes on the server and streams its batches until `timeout` passes, the server ends the
    /// answer, or the caller stops iterating (which cancels the request on the server). Tails should use a client
    /// of their own: each one holds a request slot of the connection for as long as it runs.
    public func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int,
                     timeout: Duration) async throws(WireError) -> WireTailStream {
        let connection = try await pool.connection()
        let (payload, flags) = prepare(WireRequest.tail(tenant: tenant, matchers: matchers, bufferEntries: bufferEntries).encodeBody())
        let millis = UInt32(clamping: max(1, timeout.nanoseconds / 1_000_000))
        let id = connection.nextRequestID()
        let channel = connection.channel
        let frame = WireFrame(kind: .tail, requestID: id, flags: flags, deadlineMillis: millis, body: payload)
        let (frames, continuation) = AsyncThrowingStream.makeStream(of: WireFrame.self, throwing: (any Error).self)
        continuation.onTermination = { termination in
            guard case .cancelled = termination else { return }
            let cancel = WireClientHandler.Command.cancel(id: id, error: WireError(.cancelled, "the tail was cancelled"))
            channel.writeAndFlush(cancel, promise: nil)
        }
        let command = WireClientHandler.Command.stream(frame, deadline: .now() + .milliseconds(Int64(millis)),
                                                       frames: continuation)
        let peer = address
        channel.writeAndFlush(command).whenFailure { error in
            continuation.finish(throwing: WireError(.unavailable, "cannot send to \(peer): \(error)"))
        }
        return WireTailStream(frames: frames, maxBodyBytes: configuration.maxBodyBytes, peer: peer)
    }

    // MARK: - Plumbing

    /// Sends one request and returns every answer frame (the last ends the stream).
    public func call(_ request: WireRequest, timeout: Duration? = nil) async throws(WireError) -> [WireFrame] {
        let connection = try await pool.connection()
        let (payload, flags) = prepare(request.encodeBody())
        guard payload.count + WireProtocol.headerSize <= connection.serverHello.maxFrameBytes else {
            throw WireError(.frameTooLarge, "\(request.kind) request of \(payload.count) bytes exceeds \(address)'s maximum frame of \(connection.serverHello.maxFrameBytes) bytes")
        }
        return try await send(request.kind, payload, flags, on: connection, timeout: timeout)
    }

    private func prepare(_ body: [UInt8]) -> ([UInt8], WireFrameFlags) {
        if let packed = WireCompression.compressIfUseful(body, minimumBytes: configuration.compressionMinimumBytes) {
            return (packed, [.endOfStream, .compressed])
        }
        return (body, [.endOfStream])
    }

    private func send(_ kind: WireMessageKind, _ payload: [UInt8], _ flags: WireFrameFlags, on connection: WireConnection,
                      timeout: Duration?) async throws(WireError) -> [WireFrame] {
        let budget = max(timeout ?? configuration.requestTimeout, .milliseconds(1))
        let millis = UInt32(clamping: max(1, budget.nanoseconds / 1_000_000))
        let id = connection.nextRequestID()
        let channel = connection.channel
        let promise = channel.eventLoop.makePromise(of: [WireFrame].self)
        let frame = WireFrame(kind: kind, requestID: id, flags: flags, deadlineMillis: millis, body: payload)
        let command = WireClientHandler.Command.request(frame, deadline: .now() + .milliseconds(Int64(millis)), promise: promise)
        let peer = address
        channel.writeAndFlush(command).whenFailure { error in
            promise.fail(WireError(.unavailable, "cannot send to \(peer): \(error)"))
        }
        do {
            return try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                let cancel = WireClientHandler.Command.cancel(id: id, error: WireError(.cancelled, "the request was cancelled"))
                channel.writeAndFlush(cancel, promise: nil)
            }
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.unavailable, "\(peer): \(error)")
        }
    }

    private func pushSplit(tenant: String, streams: [PushStream], timeout: Duration?) async throws(WireError) {
        var halves: [[PushStream]]
        if streams.count > 1 {
            halves = [Array(streams[..<(streams.count / 2)]), Array(streams[(streams.count / 2)...])]
        } else if let only = streams.first, only.entries.count > 1 {
            let middle = only.entries.count / 2
            halves = [[PushStream(labels: only.labels, entries: WireClient.slice(only.entries, 0..<middle))],
                      [PushStream(labels: only.labels, entries: WireClient.slice(only.entries, middle..<only.entries.count))]]
        } else {
            throw WireError(.frameTooLarge, "a single entry exceeds \(address)'s maximum frame size")
        }
        var firstError: WireError?
        for half in halves {
            do {
                try await push(tenant: tenant, streams: half, timeout: timeout)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    static func slice(_ batch: EntryBatch, _ range: Range<Int>) -> EntryBatch {
        var out = EntryBatch(capacity: range.count)
        for index in range { out.append(from: batch, at: index) }
        return out
    }

    private func expect(_ kind: WireMessageKind, _ frames: [WireFrame]) throws(WireError) {
        guard !frames.isEmpty, frames.allSatisfy({ $0.kind == kind }) else {
            let got = frames.map(\.kind.description).joined(separator: ", ")
            throw WireError(.protocolViolation, "\(address) answered with [\(got)], expected \(kind)")
        }
    }

    private func bodies(_ frames: [WireFrame]) throws(WireError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.reserveCapacity(frames.count)
        for frame in frames { out.append(try frame.uncompressedBody(limit: configuration.maxBodyBytes)) }
        return out
    }
}
