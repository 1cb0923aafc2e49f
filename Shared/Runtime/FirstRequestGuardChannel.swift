import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Wraps a server child channel whose HTTP handlers are only added once it has decided whether the first request
/// upgrades (Hummingbird's WebSocket upgrade channel adds ``RequestTimeoutHandler`` and its own handling of malformed
/// requests only for a request that does not upgrade). Until that decision ``FirstRequestGuardHandler`` stands in:
/// it keeps the header timeout and answers a malformed first request, which the upgrade channel would otherwise leave
/// open with no answer and no deadline.
struct FirstRequestGuardChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Last in the pipeline: behind the upgrade handler, ahead of what the decision adds.
            try channel.pipeline.syncOperations.addHandler(FirstRequestGuardHandler(timeout: timeout))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Sits behind the upgrade handler until the first request is decided: the head reaching it (no upgrade) or the
/// upgrade-complete event (WebSocket). Before that, the connection is closed when `timeout` passes (a client that
/// connects and sends nothing, a head byte by byte, only blank lines), and a request the HTTP parser rejects gets
/// `400 Bad Request` with `Connection: close` and is closed, as later requests on the connection already do. Then it
/// removes itself.
final class FirstRequestGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    /// Passed on untouched: HTTP parts when the request does not upgrade, WebSocket frames when it does.
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var decided = false

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        guard timeout.nanoseconds > 0 else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        decide(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        context.fireUserInboundEventTriggered(event)
        if event is HTTPServerUpgradeEvents { decide(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !decided else {
            context.fireErrorCaught(error)
            return
        }
        decided = true
        cancelTimer()
        guard error is HTTPParserError else {
            context.close(promise: nil)
            return
        }
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest,
                                    headers: ["Connection": "close", "Content-Length": "0"])
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    private func decide(_ context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        cancelTimer()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
