import FjordRules

/// How one delivery attempt ended.
enum DeliveryOutcome: Sendable {
    /// Delivered (or nothing could ever deliver it, and it was dropped): go on at once.
    case done
    /// The receiver is unreachable or failing: wait with backoff, then try again.
    case retry
}

/// The shared shape of the ruler's senders: sleep until woken, then attempt deliveries until the queue is empty,
/// backing off exponentially while the receiver fails.
struct DeliveryLoop: Sendable {
    let wake: AsyncStream<Void>
    let continuation: AsyncStream<Void>.Continuation

    init() {
        (wake, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the loop to look at the queue.
    func signal() { continuation.yield() }

    /// Ends ``run(initialBackoffNanos:maximumBackoffNanos:attempt:)`` after the current attempt.
    func finish() { continuation.finish() }

    /// Runs until finished or cancelled. `attempt` returns nil when the queue is empty.
    func run(initialBackoffNanos: Int64, maximumBackoffNanos: Int64,
             attempt: @Sendable () async -> DeliveryOutcome?) async {
        var backoff = Backoff(initialNanos: initialBackoffNanos, maximumNanos: maximumBackoffNanos)
        for await _ in wake {
            while !Task.isCancelled, let outcome = await attempt() {
                switch outcome {
                case .done:
                    backoff.succeeded()
                case .retry:
                    try? await Task.sleep(nanoseconds: UInt64(backoff.failed()))
                }
            }
            if Task.isCancelled { return }
        }
    }
}
