import HummingbirdCore
import Logging
import NIOCore

/// Wraps a server child channel whose HTTP handlers are only added after the first request head (the WebSocket
/// upgrade channel adds ``RequestTimeoutHandler`` once it knows the request does not upgrade): until the first
/// head has arrived whole (its blank line), the connection must not stay open longer than `timeout`, so a client
/// that connects and sends nothing, or a head byte by byte, is cut off as with plain HTTP.
struct FirstHeadDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            if timeout.nanoseconds > 0 {
                try channel.pipeline.syncOperations.addHandler(FirstHeadDeadlineHandler(timeout: timeout))
            }
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection unless `\r\n\r\n` passes within the timeout; then removes itself.
final class FirstHeadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// How many bytes of `\r\n\r\n` the input has matched so far.
    private var matched = 0
    private var done = false

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !done {
            let buffer = unwrapInboundIn(data)
            let pattern: [UInt8] = [13, 10, 13, 10]
            buffer.withUnsafeReadableBytes { bytes in
                for byte in bytes where !done {
                    if byte == pattern[matched] {
                        matched += 1
                    } else {
                        matched = byte == 13 ? 1 : 0
                    }
                    if matched == pattern.count { done = true }
                }
            }
        }
        context.fireChannelRead(data)
        if done {
            timer?.cancel()
            timer = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }
}
