import FjordLokiAPI
import FjordModel
import FjordRuntime
import FjordServiceAPI
import FjordTail
import HummingbirdWebSocket
import Logging
import Synchronization

/// One upgraded live tail: takes a slot of the tenant's `max_concurrent_tail_requests`, subscribes, sends the
/// recent history (a backward log query from `start`, up to `limit` entries, sent oldest first), then every new
/// matching entry through the query's pipeline, one text frame per batch. Ends when the client closes, at
/// `tail_max_duration`, or on a backend error (close 1011 with the reason, as Loki).
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
            do {
                while let batch = try await subscription.next() {
                    let streams = session.process(batch, now: WallClockNanos.now())
                    guard !streams.isEmpty || !batch.dropped.isEmpty else { continue }
                    try await outbound.writeTextMessage(TailConnection.frame(streams, dropped: batch.dropped, plan: plan))
                }
            } catch let error as ServiceError {
                stop.set(.failed(error.message))
            } catch {
                stop.set(.clientClosed)
            }
            if case .failed(let reason) = stop.value {
                try? await outbound.close(.unexpectedServerError, reason: reason)
            }
            group.cancelAll()
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
