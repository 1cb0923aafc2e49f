import NIOCore
import NIOPosix
import Synchronization

/// One memcached server: a pool of idle connections, one command per connection at a time, and a back-off after a
/// failed connect.
final class MemcachedServer: Sendable {
    let host: String
    let port: Int
    let configuration: MemcachedConfiguration
    let group: any EventLoopGroup

    private struct State {
        var idle: [any Channel] = []
        var downUntil: NIODeadline?
    }

    private let state = Mutex(State())

    init(host: String, port: Int, configuration: MemcachedConfiguration, group: any EventLoopGroup) {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = group
    }

    var name: String { "\(host):\(port)" }

    /// Sends `command` on a pooled (or new) connection and waits for its answer.
    func execute(_ command: [UInt8], expecting: MemcachedProtocol.Expectation)
        async throws(MemcachedError) -> MemcachedProtocol.Answer
    {
        let channel = try await acquire()
        let promise = channel.eventLoop.makePromise(of: MemcachedProtocol.Answer.self)
        let deadline = NIODeadline.now() + .nanoseconds(configuration.timeout)
        channel.writeAndFlush(MemcachedHandler.Command(bytes: command, expecting: expecting, deadline: deadline,
                                                       promise: promise)).whenFailure { error in
            promise.fail(MemcachedError(.connectionClosed, "\(error)"))
        }
        do {
            let answer = try await promise.futureResult.get()
            release(channel)
            return answer
        } catch {
            channel.close(promise: nil)
            if let error = error as? MemcachedError {
                throw MemcachedError(error.code, "\(name): \(error.message)")
            }
            throw MemcachedError(.connectionClosed, "\(name): \(error)")
        }
    }

    /// Closes every idle connection.
    func closeIdle() {
        let idle = state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
        for channel in idle { channel.close(promise: nil) }
    }

    private func acquire() async throws(MemcachedError) -> any Channel {
        let now = NIODeadline.now()
        let pooled: (any Channel)?? = state.withLock { state in
            if let until = state.downUntil, until > now { return .some(nil) }
            while let channel = state.idle.popLast() {
                if channel.isActive { return channel }
            }
            return nil
        }
        switch pooled {
        case .some(.some(let channel)): return channel
        case .some(.none): throw MemcachedError(.unavailable, "\(name) is backing off after a failed connect")
        case .none: break
        }
        let maxAnswerBytes = max(configuration.maxItemSize, 1 << 20) * 64
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(configuration.timeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(MemcachedHandler(maxAnswerBytes: maxAnswerBytes))
                    }
                }
                .connect(host: host, port: port).get()
            state.withLock { $0.downUntil = nil }
            return channel
        } catch {
            let backoff = configuration.failureBackoff
            state.withLock { $0.downUntil = NIODeadline.now() + .nanoseconds(backoff) }
            throw MemcachedError(.unavailable, "cannot connect to \(name): \(error)")
        }
    }

    private func release(_ channel: any Channel) {
        let keep = state.withLock { state in
            guard channel.isActive, state.idle.count < configuration.maxIdleConnectionsPerServer else { return false }
            state.idle.append(channel)
            return true
        }
        if !keep { channel.close(promise: nil) }
    }
}
