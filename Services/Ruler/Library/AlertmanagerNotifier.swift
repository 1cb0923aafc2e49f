import FjordRuntime
import FjordRules
import Logging
import Metrics
import NIOCore
import NIOHTTP1

/// Sends alerts to every configured Alertmanager (`POST <url>/api/v2/alerts`, JSON, batches of 64). Alerts wait in a
/// bounded queue that keeps each alert's latest state; while no Alertmanager accepts a batch it is retried with
/// exponential backoff (100 ms doubling to 30 s). A batch counts as delivered when at least one Alertmanager took it,
/// as Prometheus' notifier does; a 4xx answer drops it (retrying cannot help). Re-sending firing alerts every
/// `resend_delay` is the rule state machine's job (``AlertingRuleState/notifications(at:resendDelay:interval:generatorURL:)``).
public actor AlertmanagerNotifier {
    static let batchSize = 64

    let urls: [OutboundURL]
    let http: OutboundHTTP
    let timeout: TimeAmount
    let logger: Logger
    private var queue: NotificationQueue
    private let loop = DeliveryLoop()
    private let sent = Counter(label: "loki_prometheus_notifications_sent_total")
    private let errors = Counter(label: "loki_prometheus_notifications_errors_total")
    private let dropped = Counter(label: "loki_prometheus_notifications_dropped_total")

    public init(urls: [OutboundURL], http: OutboundHTTP = OutboundHTTP(), timeoutNanos: Int64, capacity: Int, logger: Logger) {
        self.urls = urls
        self.http = http
        timeout = .nanoseconds(timeoutNanos)
        queue = NotificationQueue(capacity: capacity)
        self.logger = logger
    }

    /// Queues alerts for delivery.
    public func send(_ alerts: [AlertNotification]) {
        guard !alerts.isEmpty else { return }
        let overflow = queue.enqueue(alerts)
        if overflow > 0 { dropped.increment(by: overflow) }
        loop.signal()
    }

    /// Alerts waiting (for tests and metrics).
    public var queued: Int { queue.count }

    /// Delivers queued alerts until cancelled or ``stop()``.
    public func run() async {
        await loop.run(initialBackoffNanos: 100_000_000, maximumBackoffNanos: 30_000_000_000) { await self.attempt() }
    }

    /// Ends ``run()`` once the current attempt finishes.
    public nonisolated func stop() { loop.finish() }

    private func attempt() async -> DeliveryOutcome? {
        guard !queue.isEmpty else { return nil }
        let batch = queue.takeBatch(max: AlertmanagerNotifier.batchSize)
        let body = AlertmanagerPayload.encode(batch)
        var delivered = false
        var rejected = false
        await withTaskGroup(of: (OutboundURL, Result<OutboundResponse, OutboundHTTPError>).self) { group in
            for url in urls {
                group.addTask { [http, timeout] in
                    do {
                        let response = try await http.send(.POST, url.appendingPath("/api/v2/alerts"),
                                                           headers: [("Content-Type", "application/json")],
                                                           body: body, timeout: timeout)
                        return (url, .success(response))
                    } catch let error as OutboundHTTPError {
                        return (url, .failure(error))
                    } catch {
                        return (url, .failure(OutboundHTTPError("\(url): \(error)")))
                    }
                }
            }
            for await (url, result) in group {
                switch result {
                case .success(let response) where (200..<300).contains(response.status):
                    delivered = true
                case .success(let response):
                    errors.increment()
                    if (400..<500).contains(response.status) { rejected = true }
                    logger.warning("Alertmanager rejected alerts", metadata: [
                        "url": "\(url)", "status": "\(response.status)",
                        "body": "\(String(decoding: response.body.prefix(512), as: UTF8.self))",
                    ])
                case .failure(let error):
                    errors.increment()
                    logger.warning("cannot reach Alertmanager; will retry", metadata: ["url": "\(url)", "error": "\(error)"])
                }
            }
        }
        if delivered {
            sent.increment(by: batch.count)
            return .done
        }
        if rejected {
            dropped.increment(by: batch.count)
            return .done
        }
        queue.putBack(batch)
        return .retry
    }
}
