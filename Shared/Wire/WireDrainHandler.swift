import NIOCore
import NIOExtras

/// Turns the quiescing helper's "should quiesce" event into the end of a connection's inbound stream: the request
/// loop then reads nothing more, lets the requests in flight finish and closes the connection.
final class WireDrainHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WireFrame
    typealias InboundOut = WireFrame

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
