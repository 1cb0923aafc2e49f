import NIOCore

/// The client end of one connection, on its event loop: sends the hello, matches answer frames to requests by
/// id, enforces request deadlines (failing the request and sending a `cancel` frame), and fails every pending
/// request when the connection breaks.
final class WireClientHandler: ChannelDuplexHandler {
    typealias InboundIn = WireFrame
    typealias OutboundIn = Command
    typealias OutboundOut = WireFrame

    /// What a caller asks of the connection (written into the channel).
    enum Command: Sendable {
        /// Send `frame` and complete `promise` with every answer frame (the last one ends the stream).
        case request(WireFrame, deadline: NIODeadline?, promise: EventLoopPromise<[WireFrame]>)
        /// Send `frame` and hand every answer frame to `frames` as it arrives (a streamed answer such as a tail;
        /// no total-size limit); the stream ends with the final frame or fails with the request's error.
        case stream(WireFrame, deadline: NIODeadline?, frames: AsyncThrowingStream<WireFrame, any Error>.Continuation)
        /// Give up on request `id`: fail it with `error` and tell the server.
        case cancel(id: UInt64, error: WireError)
    }

    /// Where a request's answer frames go.
    private enum Sink {
        case collect(EventLoopPromise<[WireFrame]>)
        case stream(AsyncThrowingStream<WireFrame, any Error>.Continuation)

        func fail(_ error: WireError) {
            switch self {
            case .collect(let promise): promise.fail(error)
            case .stream(let continuation): continuation.finish(throwing: error)
            }
        }
    }

    private struct Pending {
        var frames: [WireFrame] = []
        var bytes = 0
        let sink: Sink
        var timer: Scheduled<Void>?
    }

    private let ownHello: WireHello
    private let expectedServerRole: String?
    private let helloPromise: EventLoopPromise<WireHello>
    private let maxResponseBytes: Int
    private let peerName: String
    private var handshakeDone = false
    private var pending: [UInt64: Pending] = [:]
    private var closedError: WireError?

    init(hello: WireHello, expectedServerRole: String?, helloPromise: EventLoopPromise<WireHello>,
         maxResponseBytes: Int, peerName: String) {
        self.ownHello = hello
        self.expectedServerRole = expectedServerRole
        self.helloPromise = helloPromise
        self.maxResponseBytes = maxResponseBytes
        self.peerName = peerName
    }

    func channelActive(context: ChannelHandlerContext) {
        let frame = WireFrame(kind: .hello, requestID: 0, flags: .endOfStream, body: ownHello.encode())
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard handshakeDone else {
            handleHello(context: context, frame)
            return
        }
        if frame.requestID == 0 {
            // The server gave up on the whole connection: its requests may succeed elsewhere.
            let reason = frame.kind == .error
                ? ((try? WireErrorBody.decode(frame.body))?.message ?? "undecodable connection error")
                : "unexpected \(frame.kind) frame outside a request"
            fail(context: context, WireError(.unavailable, "\(peerName) closed the connection: \(reason)"))
            return
        }
        guard var request = pending[frame.requestID] else { return }  // an answer to a request that has ended
        if frame.kind == .error {
            pending[frame.requestID] = nil
            request.timer?.cancel()
            let error = (try? WireErrorBody.decode(frame.body)) ?? WireError(.malformedBody, "undecodable error frame")
            request.sink.fail(error)
            return
        }
        if case .stream(let continuation) = request.sink {
            continuation.yield(frame)
            if frame.isEndOfStream {
                pending[frame.requestID] = nil
                request.timer?.cancel()
                continuation.finish()
            }
            return
        }
        request.bytes += frame.body.count
        guard request.bytes <= maxResponseBytes else {
            pending[frame.requestID] = nil
            request.timer?.cancel()
            request.sink.fail(WireError(.frameTooLarge, "answer exceeds the client's limit of \(maxResponseBytes) bytes"))
            context.writeAndFlush(wrapOutboundOut(WireFrame(kind: .cancel, requestID: frame.requestID)), promise: nil)
            return
        }
        request.frames.append(frame)
        if frame.isEndOfStream {
            pending[frame.requestID] = nil
            request.timer?.cancel()
            if case .collect(let promise) = request.sink { promise.succeed(request.frames) }
        } else {
            pending[frame.requestID] = request
        }
    }

    private func handleHello(context: ChannelHandlerContext, _ frame: WireFrame) {
        do {
            if frame.kind == .error { throw try WireErrorBody.decode(frame.body) }
            guard frame.kind == .hello else {
                throw WireError(.handshake, "server answered the hello with \(frame.kind)")
            }
            let hello = try WireHello.decode(frame.body)
            if let expectedServerRole, hello.role != expectedServerRole {
                throw WireError(.handshake, "\(peerName) is a \(hello.role), expected a \(expectedServerRole)")
            }
            handshakeDone = true
            helloPromise.succeed(hello)
        } catch {
            fail(context: context, WireServer.wireError(error))
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .request(let frame, let deadline, let answer):
            send(context: context, frame, deadline: deadline, sink: .collect(answer), promise: promise)
        case .stream(let frame, let deadline, let frames):
            send(context: context, frame, deadline: deadline, sink: .stream(frames), promise: promise)
        case .cancel(let id, let error):
            promise?.succeed()
            guard pending[id] != nil else { return }
            finish(id, with: error)
            context.writeAndFlush(wrapOutboundOut(WireFrame(kind: .cancel, requestID: id)), promise: nil)
        }
    }

    private func send(context: ChannelHandlerContext, _ frame: WireFrame, deadline: NIODeadline?, sink: Sink,
                      promise: EventLoopPromise<Void>?) {
        if let closedError {
            let error = WireError(.unavailable, "connection to \(peerName) is closed (\(closedError.message))")
            sink.fail(error)
            promise?.fail(error)
            return
        }
        let id = frame.requestID
        var entry = Pending(sink: sink)
        if let deadline {
            entry.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
                self.expire(context: context, id: id)
            }
        }
        pending[id] = entry
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [self] error in
            self.finish(id, with: WireError(.unavailable, "cannot send to \(self.peerName): \(error)"))
        }
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(wrapOutboundOut(frame), promise: written)
    }

    private func expire(context: ChannelHandlerContext, id: UInt64) {
        guard pending[id] != nil else { return }
        finish(id, with: WireError(.timeout, "request to \(peerName) ran past its deadline"))
        context.writeAndFlush(wrapOutboundOut(WireFrame(kind: .cancel, requestID: id)), promise: nil)
    }

    private func finish(_ id: UInt64, with error: WireError) {
        guard let request = pending.removeValue(forKey: id) else { return }
        request.timer?.cancel()
        request.sink.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(WireError(.unavailable, "connection to \(peerName) closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let wire: WireError
        if let known = error as? WireError, handshakeDone {
            wire = known
        } else if let known = error as? WireError {
            wire = WireError(.handshake, "\(peerName) did not answer with a Fjord wire hello (\(known.message)): is it a TLS port, or not a Fjord wire port?")
        } else {
            // A reset or closed socket means the peer is gone (a stopping server still accepted), not that it speaks
            // another protocol: the caller may try again or elsewhere. Anything else before the hello (TLS) is a
            // handshake failure.
            let transport = error is IOError || error is ChannelError
            wire = WireError(handshakeDone || transport ? .unavailable : .handshake, "connection to \(peerName) failed: \(error)")
        }
        fail(context: context, wire)
    }

    private func fail(context: ChannelHandlerContext, _ error: WireError) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: WireError) {
        if closedError == nil { closedError = error }
        helloPromise.fail(error)
        let requests = pending
        pending = [:]
        for request in requests.values {
            request.timer?.cancel()
            request.sink.fail(error)
        }
    }
}
