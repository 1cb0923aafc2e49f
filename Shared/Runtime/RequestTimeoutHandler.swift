import NIOCore
import NIOHTTPTypes

/// Cuts off slow clients: a new connection must deliver a complete request head (TLS handshake included) within
/// `headerTimeout`, and every request must arrive whole (head to end of body) within `readTimeout`. Between requests
/// on a kept-alive connection Hummingbird's idle timeout applies. The connection is closed without an answer, as
/// Go's `ReadHeaderTimeout` and `ReadTimeout` do.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerTimeout: TimeAmount
    private let readTimeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var sawFirstHead = false

    init(headerTimeout: TimeAmount, readTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.readTimeout = readTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context, headerTimeout) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if timer == nil && !sawFirstHead { arm(context, headerTimeout) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            disarm()
            if readTimeout.nanoseconds > 0 { arm(context, readTimeout) }
        case .body:
            break
        case .end:
            disarm()
        }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext, _ amount: TimeAmount) {
        disarm()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: amount) {
            loopBound.value.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
