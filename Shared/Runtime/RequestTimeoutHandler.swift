import NIOCore
import NIOHTTPTypes

/// Cuts off slow clients, as Go's `http.Server` timeouts do for Loki: a new connection must deliver a complete request
/// head (TLS handshake included) within `headerTimeout`; every request must arrive whole (head to end of body) within
/// `readTimeout`; and its response must be written out to the socket within `writeTimeout` of its head, or, for a
/// pipelined request, of the moment the response before it was written (a client that stops reading cannot hold the
/// connection and its handler). Between requests on a kept-alive connection Hummingbird's idle timeout applies. A
/// zero timeout is off. The connection is closed without an answer.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerTimeout: TimeAmount
    private let readTimeout: TimeAmount
    private let writeTimeout: TimeAmount
    /// The header deadline, then each request's read deadline.
    private var readTimer: Scheduled<Void>?
    /// The write deadline of the oldest request whose response is not yet written out.
    private var writeTimer: Scheduled<Void>?
    private var sawFirstHead = false
    /// Requests whose heads arrived and whose responses are not yet written out (responses go out in order).
    private var unanswered = 0

    init(headerTimeout: TimeAmount, readTimeout: TimeAmount, writeTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
        self.writeTimeout = writeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { readTimer = schedule(context, headerTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if readTimer == nil && !sawFirstHead { readTimer = schedule(context, headerTimeout) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelAll() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            readTimer?.cancel()
            readTimer = schedule(context, readTimeout)
            unanswered += 1
            if unanswered == 1 { writeTimer = schedule(context, writeTimeout) }
        case .body:
            break
        case .end:
            readTimer?.cancel()
            readTimer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), writeTimeout.nanoseconds > 0 else {
            context.write(data, promise: promise)
            return
        }
        // The deadline holds until the end reaches the socket, not merely the queue behind bytes the client has not
        // read; then the next pipelined request's response gets its own.
        let written = promise ?? context.eventLoop.makePromise()
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        written.futureResult.whenSuccess {
            let (handler, context) = loopBound.value
            handler.writeTimer?.cancel()
            handler.writeTimer = nil
            handler.unanswered = max(0, handler.unanswered - 1)
            if handler.unanswered > 0, context.channel.isActive {
                handler.writeTimer = handler.schedule(context, handler.writeTimeout)
            }
        }
        context.write(data, promise: written)
    }

    private func schedule(_ context: ChannelHandlerContext, _ amount: TimeAmount) -> Scheduled<Void>? {
        guard amount.nanoseconds > 0 else { return nil }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        return context.eventLoop.scheduleTask(in: amount) {
            loopBound.value.close(promise: nil)
        }
    }

    private func cancelAll() {
        readTimer?.cancel()
        readTimer = nil
        writeTimer?.cancel()
        writeTimer = nil
    }
}
