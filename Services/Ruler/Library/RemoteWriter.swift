import FjordRuntime
import FjordCompression
import FjordModel
import FjordRules
import Logging
import Metrics
import NIOCore
import NIOHTTP1

/// Sends recording rules' samples to a Prometheus remote-write endpoint: `WriteRequest` protobuf compressed with
/// snappy's block format, `Content-Encoding: snappy`, `X-Prometheus-Remote-Write-Version: 0.1.0`, the tenant in
/// `X-Scope-OrgID`. Samples wait in a bounded queue (oldest dropped beyond it), go out per tenant in batches of up to
/// 2000, and are retried with exponential backoff on 5xx, 429 and connection failures; other 4xx answers drop the
/// batch, as Prometheus does.
public actor RemoteWriter {
    static let batchSize = 2000

    let url: OutboundURL
    let http: OutboundHTTP
    let timeout: TimeAmount
    let addOrgIDHeader: Bool
    let logger: Logger
    private var queue = SampleQueue(capacity: 100_000)
    private let loop = DeliveryLoop()
    private let sent = Counter(label: "loki_ruler_remote_write_samples_total")
    private let failed = Counter(label: "loki_ruler_remote_write_errors_total")
    private let dropped = Counter(label: "loki_ruler_remote_write_samples_dropped_total")

    public init(url: OutboundURL, http: OutboundHTTP = OutboundHTTP(), timeoutNanos: Int64, addOrgIDHeader: Bool,
                logger: Logger) {
        self.url = url
        self.http = http
        timeout = .nanoseconds(timeoutNanos)
        self.addOrgIDHeader = addOrgIDHeader
        self.logger = logger
    }

    /// Queues one evaluation's samples of `tenant`.
    public func write(tenant: String, _ samples: [InstantSample]) {
        guard !samples.isEmpty else { return }
        let overflow = queue.enqueue(tenant: tenant, samples)
        if overflow > 0 { dropped.increment(by: overflow) }
        loop.signal()
    }

    /// Delivers queued samples until cancelled or ``stop()``.
    public func run() async {
        await loop.run(initialBackoffNanos: 100_000_000, maximumBackoffNanos: 30_000_000_000) { await self.attempt() }
    }

    public nonisolated func stop() { loop.finish() }

    private func attempt() async -> DeliveryOutcome? {
        guard let (tenant, samples) = queue.takeBatch(max: RemoteWriter.batchSize) else { return nil }
        let body = Snappy.compress(RemoteWriteEncoder.encode(samples))
        var headers = [
            ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ]
        if addOrgIDHeader { headers.append(("X-Scope-OrgID", tenant)) }
        do {
            let response = try await http.send(.POST, url, headers: headers, body: body, timeout: timeout)
            if (200..<300).contains(response.status) {
                sent.increment(by: samples.count)
                return .done
            }
            failed.increment()
            let text = String(decoding: response.body.prefix(512), as: UTF8.self)
            if response.status == 429 || response.status >= 500 {
                logger.warning("remote-write failed; will retry", metadata: ["url": "\(url)", "status": "\(response.status)", "body": "\(text)"])
                queue.putBack(tenant: tenant, samples)
                return .retry
            }
            dropped.increment(by: samples.count)
            logger.error("remote-write rejected samples; dropping them", metadata: [
                "url": "\(url)", "status": "\(response.status)", "body": "\(text)", "samples": "\(samples.count)",
            ])
            return .done
        } catch {
            failed.increment()
            logger.warning("cannot reach the remote-write endpoint; will retry", metadata: ["url": "\(url)", "error": "\(error)"])
            queue.putBack(tenant: tenant, samples)
            return .retry
        }
    }
}
