import FjordServiceAPI
import NIOCore

/// One accepted connection: the hello exchange, then the request loop with its in-flight limit.
struct WireServerConnection: Sendable {
    let server: WireServer
    let connection: NIOAsyncChannel<WireFrame, WireFrame>

    var configuration: WireServerConfiguration { server.configuration }

    func run() async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                guard let peer = try await handshake(&iterator) else { return }
                await serveRequests(&iterator, outbound, peer: peer)
            }
        } catch {
            // The connection failed or closed; its requests have been answered or abandoned.
        }
    }

    /// The client's hello, already checked and answered by ``WireServerHelloHandler``; nil when the connection
    /// closed before one was accepted.
    private func handshake(_ iterator: inout NIOAsyncChannelInboundStream<WireFrame>.AsyncIterator) async throws -> WireHello? {
        guard let first = try await iterator.next(), first.kind == .hello else { return nil }
        return try? WireHello.decode(first.body)
    }

    private func serveRequests(_ iterator: inout NIOAsyncChannelInboundStream<WireFrame>.AsyncIterator,
                               _ outbound: NIOAsyncChannelOutboundWriter<WireFrame>, peer: WireHello) async {
        let cancels = CancelRegistry()
        let limit = configuration.maxConcurrentRequestsPerConnection
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            do {
                while let frame = try await iterator.next() {
                    if frame.kind == .cancel {
                        cancels.cancel(frame.requestID)
                        continue
                    }
                    guard frame.kind.isRequest, frame.requestID != 0 else {
                        let error = if frame.kind == .hello {
                            WireError(.protocolViolation, "second hello on one connection")
                        } else if frame.kind.isRequest {
                            WireError(.protocolViolation, "request id 0 is reserved for the connection")
                        } else {
                            WireError(.unsupported, "\(frame.kind) is not a request this node understands")
                        }
                        try await outbound.write(WireServerConnection.errorFrame(frame.requestID, error))
                        continue
                    }
                    if running >= limit {
                        await group.next()
                        running -= 1
                    }
                    guard let signal = cancels.register(frame.requestID) else {
                        let error = WireError(.protocolViolation, "request id \(frame.requestID) is already in flight")
                        try await outbound.write(WireServerConnection.errorFrame(frame.requestID, error))
                        continue
                    }
                    let responder = WireResponder(outbound: outbound, requestID: frame.requestID,
                                                  peerMaxFrameBytes: peer.maxFrameBytes,
                                                  compressionMinimumBytes: configuration.compressionMinimumBytes)
                    let deadline: NIODeadline? = frame.header.deadlineMillis == 0
                        ? nil : .now() + .milliseconds(Int64(frame.header.deadlineMillis))
                    group.addTask {
                        await serve(frame, deadline: deadline, signal: signal, responder: responder)
                        cancels.remove(frame.requestID)
                    }
                    running += 1
                }
                // The inbound stream ended: a drain (the connection is still open) lets the requests in flight
                // finish; a client that went away no longer waits for them, so they stop.
                if !connection.channel.isActive { group.cancelAll() }
            } catch {
                // A frame that cannot be decoded leaves the stream unusable: say why, stop the work, close. The
                // close does not wait for handlers that finish their work despite the cancellation (a flush writing
                // chunks); their answers have nowhere to go.
                group.cancelAll()
                let reason = error is CancellationError
                    ? WireError(.shuttingDown, "\(configuration.role) \(configuration.node) is shutting down")
                    : WireServer.wireError(error)
                await sendBeforeClosing(WireServerConnection.errorFrame(0, reason))
                try? await connection.channel.close()
            }
        }
    }

    /// Runs one request against its deadline and a possible cancel frame; the first to claim the request's final
    /// frame wins. The deadline is an event-loop timer that fires the request's signal, so a request costs two
    /// child tasks. The side that claimed the final frame is never cancelled by the other (a cancelled task's
    /// write is dropped, which would leave the request without any answer): a finished handler releases the
    /// watchdog through the signal, and the watchdog cancels the handler only when it claimed the end itself.
    private func serve(_ frame: WireFrame, deadline: NIODeadline?, signal: CancelSignal,
                       responder: WireResponder) async {
        let timer = deadline.map { deadline in
            connection.channel.eventLoop.scheduleTask(deadline: deadline) { signal.fire(.deadline) }
        }
        // Each child returns whether the other one must be cancelled.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await answer(frame, responder)
                signal.fire(.stopped)
                return false
            }
            group.addTask {
                switch await signal.wait() {
                case .deadline: return await responder.fail(WireError(.timeout, "request ran past its deadline"))
                case .cancelFrame: return responder.abandon()
                case .stopped: return false
                }
            }
            if await group.next() == true { group.cancelAll() }
        }
        timer?.cancel()
    }

    private func answer(_ frame: WireFrame, _ responder: WireResponder) async {
        do {
            let body = try frame.uncompressedBody(limit: configuration.maxBodyBytes)
            let request = try WireRequest.decode(kind: frame.kind, body: body)
            try await WireDispatch(handler: server.handler, responder: responder,
                                   partBytes: min(configuration.responsePartBytes, responder.peerMaxFrameBytes / 2))
                .answer(request)
        } catch {
            await responder.fail(WireServer.wireError(error))
        }
    }

    /// Writes a last frame straight to the channel and waits until it reached the socket, so the close that
    /// follows cannot overtake it (the async writer's buffer would not be drained first).
    private func sendBeforeClosing(_ frame: WireFrame) async {
        try? await connection.channel.writeAndFlush(frame)
    }

    static func errorFrame(_ requestID: UInt64, _ error: WireError) -> WireFrame {
        WireFrame(kind: .error, requestID: requestID, flags: .endOfStream, body: WireErrorBody.encode(error))
    }
}

/// Calls the handler for one request and streams the encoded answer.
struct WireDispatch {
    let handler: any WireHandler
    let responder: WireResponder
    let partBytes: Int

    func answer(_ request: WireRequest) async throws {
        switch request {
        case .push(let tenant, let streams):
            try await handler.push(tenant: tenant, streams: streams)
            try await responder.send(.ok, [], last: true)
        case .select(let tenant, let matchers, let start, let end):
            let streams = try await handler.select(tenant: tenant, matchers: matchers, start: start, end: end)
            var encoder = WireSelectEncoder(start: start, end: end, partBytes: partBytes,
                                            compressionMinimumBytes: responder.compressionMinimumBytes)
            for stream in streams {
                for part in try await encoder.add(stream) {
                    try await responder.send(.streams, part, last: false, compress: false)
                }
            }
            try await responder.send(.streams, encoder.finish(), last: true, compress: false)
        case .query(let query):
            try await sendParts(.queryResult, WireQueryCoding.encode(try await handler.query(query), partBytes: partBytes))
        case .labelNames(let metadata):
            try await sendParts(.names, WireMetadataCoding.encodeNames(try await handler.labelNames(metadata), partBytes: partBytes))
        case .labelValues(let name, let metadata):
            let values = try await handler.labelValues(name: name, metadata)
            try await sendParts(.names, WireMetadataCoding.encodeNames(values, partBytes: partBytes))
        case .series(let series):
            let sets = try await handler.series(series)
            try await sendParts(.labelSets, WireMetadataCoding.encodeLabelSets(sets, partBytes: partBytes))
        case .indexStats(let metadata):
            try await responder.send(.stats, WireMetadataCoding.encodeStats(try await handler.indexStats(metadata)), last: true)
        case .flush:
            try await handler.flush()
            try await responder.send(.ok, [], last: true)
        case .ready:
            try await responder.send(.readiness, WireMetadataCoding.encodeReadiness(await handler.notReadyReason()), last: true)
        case .deleteRequests(let call):
            try await responder.send(.deleteRequestList, WireDeleteCoding.encode(try await handler.deleteRequests(call)), last: true)
        case .tail(let tenant, let matchers, let bufferEntries):
            // Streams until the client cancels (the task is cancelled, the subscription ends) or the producer ends.
            let subscription = try await handler.tail(tenant: tenant, matchers: matchers, bufferEntries: bufferEntries)
            defer { subscription.cancel() }
            // An empty part first says the subscription is in place (the tailer then queries the history).
            let empty = WireTailCoding.encode(TailBatch(), partBytes: partBytes)[0]
            try await responder.send(.tailEntries, empty, last: false)
            while let batch = try await subscription.next() {
                for part in WireTailCoding.encode(batch, partBytes: partBytes) {
                    try await responder.send(.tailEntries, part, last: false)
                }
            }
            try await responder.send(.tailEntries, empty, last: true)
        }
    }

    private func sendParts(_ kind: WireMessageKind, _ parts: [[UInt8]]) async throws {
        for (index, part) in parts.enumerated() {
            try await responder.send(kind, part, last: index == parts.count - 1)
        }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }
}
