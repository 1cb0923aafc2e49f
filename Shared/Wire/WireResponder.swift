import NIOCore
import Synchronization

/// Writes the answer frames of one request. The first final frame (end of stream, or an error) wins: a timeout
/// sent while the handler still runs makes the handler's later frames vanish; the client ignores frames of
/// requests that have already ended.
final class WireResponder: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<WireFrame>
    let requestID: UInt64
    /// The client's largest accepted frame (from its hello).
    let peerMaxFrameBytes: Int
    let compressionMinimumBytes: Int
    private let finished = Mutex(false)

    init(outbound: NIOAsyncChannelOutboundWriter<WireFrame>, requestID: UInt64, peerMaxFrameBytes: Int,
         compressionMinimumBytes: Int) {
        self.outbound = outbound
        self.requestID = requestID
        self.peerMaxFrameBytes = peerMaxFrameBytes
        self.compressionMinimumBytes = compressionMinimumBytes
    }

    /// Sends one answer frame; `last` marks the end of the answer. Suspends while the channel is not writable.
    func send(_ kind: WireMessageKind, _ body: [UInt8], last: Bool, compress: Bool = true) async throws {
        var flags: WireFrameFlags = last ? [.endOfStream] : []
        var payload = body
        if compress, let packed = WireCompression.compressIfUseful(body, minimumBytes: compressionMinimumBytes) {
            payload = packed
            flags.insert(.compressed)
        }
        guard payload.count + WireProtocol.headerSize <= peerMaxFrameBytes else {
            throw WireError(.frameTooLarge,
                            "\(kind) answer part of \(payload.count) bytes exceeds the client's maximum frame of \(peerMaxFrameBytes) bytes")
        }
        if last {
            guard claim() else { return }
        } else if finished.withLock({ $0 }) {
            return
        }
        try await outbound.write(WireFrame(kind: kind, requestID: requestID, flags: flags, body: payload))
    }

    /// Ends the answer with an error frame unless it has already ended; returns whether this call ended it.
    @discardableResult
    func fail(_ error: WireError) async -> Bool {
        guard claim() else { return false }
        try? await outbound.write(WireFrame(kind: .error, requestID: requestID, flags: .endOfStream,
                                            body: WireErrorBody.encode(error)))
        return true
    }

    /// Ends the answer without sending anything (the client cancelled it); returns whether this call ended it
    /// (false when the final frame was already claimed, and is being written).
    func abandon() -> Bool { claim() }

    private func claim() -> Bool {
        finished.withLock { done in
            if done { return false }
            done = true
            return true
        }
    }
}

/// Fires once, with why a request in flight must stop: the client's cancel frame or its deadline (fired from an
/// event-loop timer), or ``Reason/stopped`` when the request has been answered. ``wait()`` returns that reason,
/// or ``Reason/stopped`` when its own task is cancelled.
final class CancelSignal: Sendable {
    enum Reason: Sendable {
        case cancelFrame
        case deadline
        case stopped
    }

    private enum State {
        case idle
        case waiting(CheckedContinuation<Reason, Never>)
        case fired(Reason)
    }

    private let state = Mutex(State.idle)

    func fire(_ reason: Reason) {
        let waiter = state.withLock { state -> CheckedContinuation<Reason, Never>? in
            switch state {
            case .fired: return nil
            case .idle:
                state = .fired(reason)
                return nil
            case .waiting(let continuation):
                state = .fired(reason)
                return continuation
            }
        }
        waiter?.resume(returning: reason)
    }

    func wait() async -> Reason {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reason, Never>) in
                let firedAlready = state.withLock { state -> Reason? in
                    switch state {
                    case .fired(let reason): return reason
                    case .idle:
                        state = .waiting(continuation)
                        return nil
                    case .waiting: preconditionFailure("CancelSignal.wait called twice")
                    }
                }
                if let firedAlready { continuation.resume(returning: firedAlready) }
            }
        } onCancel: {
            fire(.stopped)
        }
    }
}

/// The requests in flight on one connection, so cancel frames can reach them.
final class CancelRegistry: Sendable {
    private let signals = Mutex([UInt64: CancelSignal]())

    /// A new signal for `id`; nil when a request with that id is already in flight.
    func register(_ id: UInt64) -> CancelSignal? {
        signals.withLock { signals in
            if signals[id] != nil { return nil }
            let signal = CancelSignal()
            signals[id] = signal
            return signal
        }
    }

    func remove(_ id: UInt64) { _ = signals.withLock { $0.removeValue(forKey: id) } }

    func cancel(_ id: UInt64) { signals.withLock { $0[id] }?.fire(.cancelFrame) }
}
