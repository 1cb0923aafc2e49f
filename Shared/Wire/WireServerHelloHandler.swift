import NIOCore

/// The server's side of the hello exchange, on the connection's event loop (so accepting a peer never waits for
/// the cooperative thread pool, which request handlers may keep busy): checks the client's hello, answers with
/// the server's, and passes the accepted hello on to the request loop. A wrong first frame, a refused version or
/// role, or no hello within the timeout gets an error frame (where possible) and a close.
final class WireServerHelloHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WireFrame
    typealias InboundOut = WireFrame
    typealias OutboundOut = WireFrame

    private let ownHello: WireHello
    private let acceptedClientRoles: Set<String>?
    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    private var accepted = false

    init(hello: WireHello, acceptedClientRoles: Set<String>?, timeout: TimeAmount) {
        self.ownHello = hello
        self.acceptedClientRoles = acceptedClientRoles
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !accepted else {
            context.fireChannelRead(data)
            return
        }
        let frame = unwrapInboundIn(data)
        do {
            guard frame.kind == .hello else {
                throw WireError(.handshake, "expected a hello frame first, got \(frame.kind)")
            }
            let peer = try WireHello.decode(frame.body)
            if let acceptedClientRoles, !acceptedClientRoles.contains(peer.role) {
                throw WireError(.handshake, "\(ownHello.role) \(ownHello.node) does not accept clients of role \(peer.role)")
            }
            accepted = true
            timer?.cancel()
            let reply = WireFrame(kind: .hello, requestID: 0, flags: .endOfStream, body: ownHello.encode())
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            context.fireChannelRead(data)
        } catch {
            refuse(context: context, WireServer.wireError(error))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !accepted else {
            context.fireErrorCaught(error)
            return
        }
        refuse(context: context, WireServer.wireError(error))
    }

    /// Sends an error frame for the connection, then closes once it is written.
    private func refuse(context: ChannelHandlerContext, _ error: WireError) {
        accepted = false
        timer?.cancel()
        let frame = WireFrame(kind: .error, requestID: 0, flags: .endOfStream, body: WireErrorBody.encode(error))
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
