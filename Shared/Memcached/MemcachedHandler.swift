import NIOCore

/// One memcached connection on its event loop: writes commands, matches answers to them in order (memcached answers
/// in command order), fails a command at its deadline (and closes the connection, whose later bytes would belong
/// to the failed command), and fails every pending command when the connection breaks.
final class MemcachedHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Command
    typealias OutboundOut = ByteBuffer

    /// A command written into the channel.
    struct Command: Sendable {
        var bytes: [UInt8]
        var expecting: MemcachedProtocol.Expectation
        var deadline: NIODeadline
        var promise: EventLoopPromise<MemcachedProtocol.Answer>
    }

    private struct Pending {
        var expecting: MemcachedProtocol.Expectation
        var promise: EventLoopPromise<MemcachedProtocol.Answer>
        var timer: Scheduled<Void>?
    }

    /// Largest answer buffered (a guard against a misbehaving server).
    private let maxAnswerBytes: Int
    private var pending: [Pending] = []
    private var received: ByteBuffer?

    init(maxAnswerBytes: Int) {
        self.maxAnswerBytes = maxAnswerBytes
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(deadline: command.deadline) {
            handler.value.fail(context: boundContext.value, MemcachedError(.timeout, "no answer within the timeout"))
        }
        pending.append(Pending(expecting: command.expecting, promise: command.promise, timer: timer))
        var buffer = context.channel.allocator.buffer(capacity: command.bytes.count)
        buffer.writeBytes(command.bytes)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if received == nil {
            received = incoming
        } else {
            received?.writeBuffer(&incoming)
        }
        while let current = pending.first, var buffer = received, buffer.readableBytes > 0 {
            let parsed: Result<(answer: MemcachedProtocol.Answer, consumed: Int)?, MemcachedError> =
                buffer.withUnsafeReadableBytes { bytes in
                    Result { () throws(MemcachedError) in try MemcachedProtocol.parse(bytes, expecting: current.expecting) }
                }
            switch parsed {
            case .failure(let error):
                fail(context: context, error)
                return
            case .success(nil):
                if buffer.readableBytes > maxAnswerBytes {
                    fail(context: context, MemcachedError(.protocolViolation, "answer over \(maxAnswerBytes) bytes"))
                }
                return
            case .success(let .some((answer, consumed))):
                buffer.moveReaderIndex(forwardBy: consumed)
                received = buffer.readableBytes > 0 ? buffer : nil
                pending.removeFirst()
                current.timer?.cancel()
                current.promise.succeed(answer)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPending(MemcachedError(.connectionClosed, "the connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, MemcachedError(.connectionClosed, "\(error)"))
    }

    private func fail(context: ChannelHandlerContext, _ error: MemcachedError) {
        failPending(error)
        context.close(promise: nil)
    }

    private func failPending(_ error: MemcachedError) {
        let failing = pending
        pending = []
        received = nil
        for request in failing {
            request.timer?.cancel()
            request.promise.fail(error)
        }
    }
}
