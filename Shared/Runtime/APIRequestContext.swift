public import FjordAuth
public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

/// The request context of the gateway's routes: the client's address (for the audit log) and the credential the
/// authentication middleware accepted (nil when requests are not authenticated). It also carries the WebSocket
/// handler a route chose (live tail's upgrade).
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var credential: Credential?
    public let webSocket: WebSocketHandlerReference<APIRequestContext>

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        credential = nil
        webSocket = .init()
    }
}
