public import FjordAuth
public import Hummingbird
public import NIOCore

/// The request context of the gateway's routes: the client's address (for the audit log) and the credential the
/// authentication middleware accepted (nil when requests are not authenticated).
public struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var credential: Credential?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        credential = nil
    }
}
