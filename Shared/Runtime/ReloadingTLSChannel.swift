import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// Wraps a server child channel in TLS using the context in force when the connection is accepted, so a renewed
/// certificate applies to new connections without a restart (open connections keep theirs).
struct ReloadingTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let contexts: WatchedFiles<NIOSSLContext>

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = contexts.value
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
