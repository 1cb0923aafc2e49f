import FjordLokiAPI
import FjordModel
import FjordRuntime
import FjordServiceAPI
import FjordTail
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// One upgraded live tail: takes a slot of the tenant's `max_concurrent_tail_requests`, subscribes, sends the
/// recent history (a backward log query from `start`, up to `limit` entries, sent oldest first), then every new
/// matching entry through the query's pipeline, one text frame per batch. Ends when the client closes, at
/// `tail_max_duration`, or on a backend error (close 1011 with the reason, as Loki). Pings every second, as Loki,
/// but never closes for a late pong: a client that stalls for a while (or reads slowly) keeps its tail, getting
/// the lines its buffers held and `dropped_entries` for the rest; a gone client ends the tail when a write fails.
struct TailConnection {
    let plan: TailPlan
    let deps: GatewayDependencies
    let limiter: TailLimiter
    let logger: Logger

    private enum Outcome: Sendable {
        case clientClosed
        case failed(String)
    }

    /// Why the tail ends: the first reason recorded wins.
    private final class StopReason: Sendable {
        private let state = Mutex<Outcome?>(nil)

        func set(_ outcome: Outcome) { state.withLock { $0 = $0 ?? outcome } }
        var value: Outcome? { state.withLock { $0 } }
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        guard let target = deps.tail else {
            try await outbound.close(.unexpectedServerError, reason: "live tail is not available on this node")
            return
        }
        if let refusal = limiter.acquire(plan.tenant, limit: deps.config.limits.maxConcurrentTailRequests) {
            try await outbound.close(.unexpectedServerError, reason: refusal)
            return
        }
        defer { limiter.release(plan.tenant) }
        let session: TailSession
        let subscription: any TailSubscription
        do {
            session = try TailSession(selector: plan.selector)
            subscription = try await target.tail(tenant: plan.tenant, matchers: plan.selector.matchers,
                                                 bufferEntries: deps.config.querier.tailBufferEntries)
        } catch {
            try await outbound.close(.unexpectedServerError, reason: "\(TailConnection.message(error))")
            return
        }
        defer { subscription.cancel() }
        logger.debug("live tail started", metadata: ["tenant": "\(plan.tenant)", "query": "\(plan.query)"])

        do {
            try await sendHistory(session: session, outbound: outbound)
        } catch {
            try await outbound.close(.unexpectedServerError, reason: TailConnection.message(error))
            return
        }
        let maxDuration = deps.config.querier.tailMaxDurationNanos
        // The children only watch: the client closing, or the time limit, ends the subscription, which ends the
        // loop below (the session is not shared across tasks).
        let stop = StopReason()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Data frames from the client mean nothing; the stream ends when the client closes.
                do { for try await _ in inbound {} } catch {}
                stop.set(.clientClosed)
                subscription.cancel()
            }
            group.addTask {
                do {
                    try await Task.sleep(nanoseconds: UInt64(max(1, maxDuration)))
                } catch {
                    return
                }
                stop.set(.failed("reached tail max duration limit"))
                subscription.cancel()
            }
            group.addTask {
                guard await TailConnection.ping(outbound, every: TailConnection.pingPeriod) else { return }
                stop.set(.clientClosed)
                subscription.cancel()
            }
            var delayed = TailDelayQueue(delayNanos: Int64(plan.request.delayForSeconds) * 1_000_000_000)
            loop: while true {
                // With delay_for, entries wait until they are old enough; wake up when the oldest one is.
                var wait: Int64?
                if let earliest = delayed.earliest {
                    wait = max(1_000_000, earliest + delayed.delayNanos - WallClockNanos.now())
                }
                var streams: [ResultStream] = []
                var dropped: [DroppedTailEntry] = []
                switch await TailConnection.next(subscription, waitingAtMost: wait) {
                case .batch(let batch):
                    streams = session.process(batch, now: WallClockNanos.now())
                    dropped = batch.dropped
                case .timedOut:
                    break
                case .ended:
                    stop.set(.clientClosed)
                    break loop
                case .failed(let error):
                    stop.set(.failed(error.message))
                    break loop
                }
                if delayed.delayNanos > 0 {
                    delayed.add(streams)
                    streams = delayed.takeDue(now: WallClockNanos.now())
                }
                guard !streams.isEmpty || !dropped.isEmpty else { continue }
                do {
                    try await outbound.writeTextMessage(TailConnection.frame(streams, dropped: dropped, plan: plan))
                } catch {
                    stop.set(.clientClosed)
                    break loop
                }
            }
            if case .failed(let reason) = stop.value {
                try? await outbound.close(.unexpectedServerError, reason: reason)
            }
            group.cancelAll()
        }
    }

    /// Loki's `wsPingPeriod`.
    static let pingPeriod: Duration = .seconds(1)

    /// Sends a ping every `period` until cancelled (false) or a write fails: the connection is gone (true). Pongs
    /// are not awaited (the WebSocket server's own auto-ping, which closes after one missed pong, is off).
    static func ping(_ outbound: WebSocketOutboundWriter, every period: Duration) async -> Bool {
        while true {
            do {
                try await Task.sleep(for: period)
            } catch {
                return false
            }
            do {
                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer())))
            } catch {
                return !Task.isCancelled
            }
        }
    }

    private enum Step: Sendable {
        case batch(TailBatch)
        case timedOut
        case ended
        case failed(ServiceError)
    }

    /// The subscription's next batch, or `timedOut` after `nanos` (nil: wait as long as it takes). A batch the
    /// subscription handed over while the wait was being given up is still returned, never lost.
    private static func next(_ subscription: any TailSubscription, waitingAtMost nanos: Int64?) async -> Step {
        func read() async -> Step {
            do {
                guard let batch = try await subscription.next() else { return .ended }
                return .batch(batch)
            } catch {
                return .failed(error)
            }
        }
        guard let nanos else { return await read() }
        return await withTaskGroup(of: Step.self) { group in
            group.addTask { await read() }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(nanos))
                return .timedOut
            }
            guard let first = await group.next() else { return .timedOut }
            group.cancelAll()
            var outcome = first
            for await other in group {
                switch (outcome, other) {
                case (.timedOut, .batch), (.timedOut, .failed): outcome = other
                default: break
                }
            }
            // A read cut short by the cancellation reports `ended`; that is kept as `timedOut` (a real end is seen
            // again on the next call).
            return outcome
        }
    }

    private func sendHistory(session: TailSession, outbound: WebSocketOutboundWriter) async throws {
        let now = WallClockNanos.now()
        guard plan.request.start < now else { return }
        let result = try await deps.query.query(QueryRequest(
            tenants: [plan.tenant], query: plan.query, start: plan.request.start, end: now, step: 0,
            limit: plan.request.limit, direction: .backward))
        guard case .streams(let streams) = result.data else { return }
        let history = session.history(streams, now: now)
        if !history.isEmpty {
            try await outbound.writeTextMessage(TailConnection.frame(history, dropped: [], plan: plan))
        }
    }

    static func frame(_ streams: [ResultStream], dropped: [DroppedTailEntry], plan: TailPlan) -> String {
        let bytes = plan.legacy
            ? TailFrameEncoder.encodeLegacy(streams: streams, dropped: dropped)
            : TailFrameEncoder.encode(streams: streams, dropped: dropped, flags: plan.flags, direction: .forward)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func message(_ error: any Error) -> String {
        switch error {
        case let error as ServiceError: error.message
        case let error as GatewayError: error.message
        default: "\(error)"
        }
    }
}
