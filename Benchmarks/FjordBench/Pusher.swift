import NIOCore
import Synchronization

/// Where the server listens and which tenant the benchmark writes as.
struct ServerAddress: Sendable {
    var host: String
    var port: Int
    /// Prefix of every route (`-server.path-prefix`), "" or e.g. "/loki-prefix".
    var pathPrefix: String = ""
    /// `X-Scope-OrgID` sent with every request; nil sends none.
    var tenant: String?

    var tenantHeaders: [(String, String)] { tenant.map { [("X-Scope-OrgID", $0)] } ?? [] }
}

/// What the push phase achieved.
struct PushStats: Sendable {
    var lines = 0
    var lineBytes = 0
    var wireBytes = 0
    var requests = 0
    var retries = 0
    var errors: [String] = []
    var errorCount = 0
    var seconds = 0.0
    /// Per-request latency in seconds (successful requests, including retries' waiting).
    var latencies: [Double] = []

    var linesPerSecond: Double { Double(lines) / max(seconds, 1e-9) }
    var megabytesPerSecond: Double { Double(lineBytes) / max(seconds, 1e-9) / 1e6 }
    var wireMegabytesPerSecond: Double { Double(wireBytes) / max(seconds, 1e-9) / 1e6 }

    mutating func merge(_ other: PushStats) {
        lines += other.lines
        lineBytes += other.lineBytes
        wireBytes += other.wireBytes
        requests += other.requests
        retries += other.retries
        errorCount += other.errorCount
        errors += other.errors.prefix(max(0, 20 - errors.count))
        latencies += other.latencies
    }
}

/// Retries of one request: 429, 5xx and connection errors are retried with exponential backoff.
struct RetryPolicy: Sendable {
    var attempts = 10
    var firstDelay = 0.5
    var maxDelay = 10.0

    func delay(afterAttempt attempt: Int) -> Double {
        min(maxDelay, firstDelay * Double(1 << min(attempt, 20)))
    }

    static func isRetryable(status: Int) -> Bool { status == 429 || status >= 500 }
}

/// Sends pre-encoded push requests with `concurrency` keep-alive connections, each taking the next request in order.
struct Pusher {
    let address: ServerAddress
    let group: any EventLoopGroup
    var concurrency = 4
    var retry = RetryPolicy()
    var timeout: TimeAmount = .seconds(300)

    func push(_ requests: [EncodedPush], progress: (@Sendable (Int, Int) -> Void)? = nil) async -> PushStats {
        let cursor = RequestCursor()
        let clock = ContinuousClock()
        let started = clock.now
        var total = PushStats()
        await withTaskGroup(of: PushStats.self) { group in
            for _ in 0..<max(1, concurrency) {
                group.addTask { [self] in
                    await worker(requests, cursor: cursor, progress: progress)
                }
            }
            for await stats in group { total.merge(stats) }
        }
        total.seconds = (clock.now - started).seconds
        return total
    }

    private func worker(_ requests: [EncodedPush], cursor: RequestCursor,
                        progress: (@Sendable (Int, Int) -> Void)?) async -> PushStats {
        var stats = PushStats()
        var connection: HTTPConnection?
        let clock = ContinuousClock()
        while true {
            let index = cursor.take()
            guard index < requests.count else { break }
            let push = requests[index]
            let request = BenchRequest(
                method: .POST, uri: address.pathPrefix + "/loki/api/v1/push",
                headers: [("Content-Type", "application/x-protobuf")] + address.tenantHeaders, body: push.body)
            let started = clock.now
            var outcome = "no attempt"
            var succeeded = false
            for attempt in 0..<retry.attempts {
                if attempt > 0 {
                    stats.retries += 1
                    try? await Task.sleep(for: .seconds(retry.delay(afterAttempt: attempt - 1)))
                }
                do {
                    if connection == nil || connection?.isActive == false {
                        connection = try await HTTPConnection.connect(group: group, host: address.host, port: address.port)
                    }
                    guard let live = connection else { continue }
                    let response = try await live.send(request, timeout: timeout)
                    if response.status == 200 || response.status == 204 {
                        succeeded = true
                        break
                    }
                    outcome = "HTTP \(response.status): \(response.text.prefix(300))"
                    if !RetryPolicy.isRetryable(status: response.status) { break }
                } catch {
                    outcome = "\(error)"
                    connection = nil
                }
            }
            stats.requests += 1
            if succeeded {
                stats.lines += push.lines
                stats.lineBytes += push.lineBytes
                stats.wireBytes += push.body.count
                stats.latencies.append((clock.now - started).seconds)
            } else {
                stats.errorCount += 1
                if stats.errors.count < 20 { stats.errors.append(outcome) }
            }
            if let progress, index % 200 == 199 { progress(index + 1, requests.count) }
        }
        await connection?.close()
        return stats
    }
}

/// Hands out request indexes to the push workers, in order.
final class RequestCursor: Sendable {
    private let next = Atomic<Int>(0)

    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
