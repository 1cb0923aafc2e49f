import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One established, hello-checked connection; requests are multiplexed on it by id.
final class WireConnection: Sendable {
    let channel: any Channel
    let serverHello: WireHello
    private let lastID = Atomic<UInt64>(0)

    init(channel: any Channel, serverHello: WireHello) {
        self.channel = channel
        self.serverHello = serverHello
    }

    func nextRequestID() -> UInt64 { lastID.add(1, ordering: .relaxed).newValue }
}

/// A fixed number of connection slots to one address. A slot connects on first use, reconnects after its
/// connection closes, and after a failed connect waits out an exponential backoff during which requests that
/// land on it fail at once (`unavailable`) unless another slot has a live connection.
final class WireConnectionPool: Sendable {
    private enum Slot {
        case empty(failures: Int)
        case connecting(EventLoopFuture<WireConnection>, failures: Int)
        case ready(WireConnection)
        case backoff(until: ContinuousClock.Instant, failures: Int, error: WireError)
    }

    private enum Step {
        case use(WireConnection)
        case wait(EventLoopFuture<WireConnection>)
        case connect(EventLoopPromise<WireConnection>, slot: Int)
        case fail(WireError)
    }

    let host: String
    let port: Int
    let configuration: WireClientConfiguration
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let slots: Mutex<[Slot]>
    private let turn = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    init(host: String, port: Int, configuration: WireClientConfiguration, group: any EventLoopGroup) throws {
        self.host = host
        self.port = port
        self.configuration = configuration
        self.group = group
        self.tls = try configuration.tls?.makeClientContext()
        self.slots = Mutex(Array(repeating: .empty(failures: 0), count: configuration.connectionsPerAddress))
    }

    var peerName: String { "\(host):\(port)" }

    /// A live connection: an open one if any slot has it, otherwise the next slot's (connecting if needed).
    func connection() async throws(WireError) -> WireConnection {
        guard !closed.load(ordering: .relaxed) else { throw WireError(.unavailable, "client for \(peerName) is shut down") }
        let preferred = turn.add(1, ordering: .relaxed).newValue % configuration.connectionsPerAddress
        let step = slots.withLock { slots in chooseStep(&slots, preferred: preferred) }
        switch step {
        case .use(let connection): return connection
        case .fail(let error): throw error
        case .wait(let future): return try await WireConnectionPool.result(of: future)
        case .connect(let promise, let slot):
            connect(slot: slot).cascade(to: promise)
            return try await WireConnectionPool.result(of: promise.futureResult)
        }
    }

    private func chooseStep(_ slots: inout [Slot], preferred: Int) -> Step {
        for offset in 0..<slots.count {
            let index = (preferred + offset) % slots.count
            if case .ready(let connection) = slots[index] {
                if connection.channel.isActive { return .use(connection) }
                slots[index] = .empty(failures: 0)
            }
        }
        switch slots[preferred] {
        case .ready(let connection): return .use(connection)
        case .connecting(let future, _): return .wait(future)
        case .backoff(let until, let failures, let error):
            if ContinuousClock.now < until {
                return .fail(WireError(.unavailable, "\(peerName) unavailable (reconnecting after: \(error.message))"))
            }
            return startConnect(&slots, preferred, failures: failures)
        case .empty(let failures):
            return startConnect(&slots, preferred, failures: failures)
        }
    }

    private func startConnect(_ slots: inout [Slot], _ index: Int, failures: Int) -> Step {
        let promise = group.next().makePromise(of: WireConnection.self)
        slots[index] = .connecting(promise.futureResult, failures: failures)
        return .connect(promise, slot: index)
    }

    private func connect(slot: Int) -> EventLoopFuture<WireConnection> {
        let eventLoop = group.next()
        let helloPromise = eventLoop.makePromise(of: WireHello.self)
        let hello = WireHello(role: configuration.role, node: configuration.node, maxFrameBytes: configuration.maxFrameBytes)
        let configuration = configuration
        let tls = tls
        let host = host
        let peerName = peerName
        let timeout = TimeAmount.nanoseconds(configuration.connectTimeout.nanoseconds)
        let connected = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if let tls {
                        let hostname = configuration.tls?.verifyHostname == true ? host : nil
                        try operations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: hostname))
                    }
                    try operations.addHandler(ByteToMessageHandler(WireFrameDecoder(maxFrameBytes: configuration.maxFrameBytes)))
                    try operations.addHandler(MessageToByteHandler(WireFrameEncoder()))
                    try operations.addHandler(WireClientHandler(
                        hello: hello, expectedServerRole: configuration.expectedServerRole, helloPromise: helloPromise,
                        maxResponseBytes: configuration.maxResponseBytes, peerName: peerName))
                }
            }
            .connect(host: host, port: port)
        let established = connected.flatMap { channel in
            let timer = channel.eventLoop.scheduleTask(in: timeout) {
                helloPromise.fail(WireError(.unavailable, "\(peerName) did not answer the hello in time"))
            }
            return helloPromise.futureResult.map { serverHello -> WireConnection in
                timer.cancel()
                return WireConnection(channel: channel, serverHello: serverHello)
            }.flatMapErrorThrowing { error -> WireConnection in
                timer.cancel()
                channel.close(promise: nil)
                throw error
            }
        }
        connected.whenFailure { helloPromise.fail($0) }
        let named = established.flatMapErrorThrowing { error -> WireConnection in
            throw WireConnectionPool.connectError(error, peer: peerName)
        }
        named.whenComplete { [self] result in record(result, slot: slot) }
        return named
    }

    private func record(_ result: Result<WireConnection, any Error>, slot: Int) {
        slots.withLock { slots in
            guard case .connecting(_, let failures) = slots[slot] else { return }
            switch result {
            case .success(let connection):
                slots[slot] = .ready(connection)
            case .failure(let error):
                let wire = WireConnectionPool.connectError(error, peer: peerName)
                let delay = backoff(failures: failures + 1)
                slots[slot] = .backoff(until: .now + delay, failures: failures + 1, error: wire)
            }
        }
        if case .success(let connection) = result {
            connection.channel.closeFuture.whenComplete { [self] _ in
                slots.withLock { slots in
                    if case .ready(let current) = slots[slot], current === connection { slots[slot] = .empty(failures: 0) }
                }
            }
            if closed.load(ordering: .relaxed) { connection.channel.close(promise: nil) }
        }
    }

    private func backoff(failures: Int) -> Duration {
        var delay = configuration.reconnectBackoffInitial
        for _ in 1..<max(1, min(failures, 30)) {
            delay *= 2
            if delay >= configuration.reconnectBackoffMaximum { return configuration.reconnectBackoffMaximum }
        }
        return min(delay, configuration.reconnectBackoffMaximum)
    }

    /// Closes every connection; later requests fail as unavailable.
    func shutdown() async {
        closed.store(true, ordering: .relaxed)
        let channels = slots.withLock { slots -> [any Channel] in
            let open = slots.compactMap { slot -> (any Channel)? in
                if case .ready(let connection) = slot { return connection.channel }
                return nil
            }
            slots = Array(repeating: .empty(failures: 0), count: slots.count)
            return open
        }
        for channel in channels { try? await channel.close() }
    }

    static func connectError(_ error: any Error, peer: String) -> WireError {
        if let wire = error as? WireError { return wire }
        return WireError(.unavailable, "cannot connect to \(peer): \(error)")
    }

    static func result<T: Sendable>(of future: EventLoopFuture<T>) async throws(WireError) -> T {
        do {
            return try await future.get()
        } catch let error as WireError {
            throw error
        } catch {
            throw WireError(.unavailable, String(describing: error))
        }
    }
}
