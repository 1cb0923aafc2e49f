import FjordRuntime
import Foundation
import Logging
import NIOCore

/// One `clients:` entry at work: batches entries per tenant (``Batcher``), pushes them as protobuf + snappy to
/// `<url>` one at a time, retries with backoff (``RetryPolicy``), and reports every entry as acknowledged — sent, or
/// dropped and counted — to the positions keeper. `enqueue` waits while too much is queued (backpressure on the
/// readers, like Promtail's blocking channel).
public actor PushClient {
    let config: ClientConfig
    let url: OutboundURL
    let http: OutboundHTTP
    let positions: PositionsKeeper
    let logger: Logger
    let clock: @Sendable () -> Int64
    let host: String
    private var batcher: Batcher
    private var ready: [PushBatch] = []
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var wake: CheckedContinuation<Void, Never>?
    private var stopping = false
    /// When a stopping client gives up on what it could not send.
    private var stopDeadline = Int64.max
    private let maxQueuedBytes: Int

    public init(config: ClientConfig, positions: PositionsKeeper, logger: Logger,
                clock: @escaping @Sendable () -> Int64) throws(AgentConfigError) {
        guard let url = OutboundURL(config.url) else { throw AgentConfigError("clients: invalid url \(config.url)") }
        self.config = config
        self.url = url
        host = "\(url.host):\(url.port)"
        self.positions = positions
        self.logger = logger
        self.clock = clock
        batcher = Batcher(batchWaitNanos: config.batchWaitNanos, batchSizeBytes: config.batchSizeBytes,
                          defaultTenant: config.tenantID, externalLabels: config.externalLabels)
        maxQueuedBytes = max(config.batchSizeBytes * 4, 4 << 20)
        let tls = config.tls
        if tls != ClientConfig.TLSSettings() {
            do {
                http = try OutboundHTTP(tls: OutboundTLSOptions(caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile,
                                                                serverName: tls.serverName,
                                                                insecureSkipVerify: tls.insecureSkipVerify),
                                        userAgent: "fjord-agent")
            } catch {
                throw AgentConfigError("clients: \(error)")
            }
        } else {
            http = OutboundHTTP(userAgent: "fjord-agent")
        }
    }

    /// Queues entries; waits while the queue is over its limit.
    public func enqueue(_ entries: [AgentEntry]) async {
        let now = clock()
        var unlabelled: [AgentEntry] = []
        for entry in entries {
            guard batcher.hasLabels(entry) else {
                unlabelled.append(entry)
                continue
            }
            if let full = batcher.add(entry, now: now) { ready.append(full) }
        }
        if !unlabelled.isEmpty {
            AgentMetrics.dropped(reason: "no_labels", host: host, tenant: config.tenantID, entries: unlabelled.count,
                                 bytes: unlabelled.reduce(0) { $0 + $1.line.utf8.count })
            logger.warning("dropping entries without labels", metadata: ["host": "\(host)", "entries": "\(unlabelled.count)"])
            await positions.acknowledge(unlabelled.compactMap(\.ack))
        }
        signal()
        while !stopping, queuedBytes > maxQueuedBytes {
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private var queuedBytes: Int { batcher.pendingBytes + ready.reduce(0) { $0 + $1.bytes } }

    private func signal() {
        wake?.resume()
        wake = nil
    }

    private func releaseWaiters() {
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter.resume() }
    }

    /// Sends batches until ``stop(drainNanos:)``; then sends what is left.
    public func run() async {
        let tick = max(10_000_000, min(config.batchWaitNanos / 4, 250_000_000))
        while !stopping {
            ready += batcher.due(now: clock())
            if let batch = ready.first {
                ready.removeFirst()
                await send(batch)
                releaseWaiters()
                continue
            }
            await sleep(nanos: tick)
        }
        ready += batcher.due(now: clock(), force: true)
        while !ready.isEmpty {
            let batch = ready.removeFirst()
            await send(batch)
        }
        releaseWaiters()
    }

    private func sleep(nanos: Int64) async {
        let task = Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(nanos))
            await self?.signal()
        }
        await withCheckedContinuation { wake = $0 }
        task.cancel()
    }

    /// Ends ``run()`` after it sent what is queued, giving up (without marking the entries handled, so they are read
    /// again after a restart) on what could not be sent within `drainNanos`.
    public func stop(drainNanos: Int64 = 10_000_000_000) {
        stopping = true
        stopDeadline = clock() + drainNanos
        signal()
        releaseWaiters()
    }

    /// Whether nothing is queued or in open batches.
    public var isIdle: Bool { batcher.isEmpty && ready.isEmpty }

    private func headers(tenant: String) -> [(String, String)] {
        var headers = [("Content-Type", "application/x-protobuf")]
        if !tenant.isEmpty { headers.append(("X-Scope-OrgID", tenant)) }
        if let auth = config.basicAuth {
            var password = auth.password
            if !auth.passwordFile.isEmpty, let text = try? String(contentsOfFile: auth.passwordFile, encoding: .utf8) {
                password = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            headers.append(("Authorization", "Basic " + Data("\(auth.username):\(password)".utf8).base64EncodedString()))
        }
        var token = config.bearerToken
        if !config.bearerTokenFile.isEmpty, let text = try? String(contentsOfFile: config.bearerTokenFile, encoding: .utf8) {
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if !token.isEmpty { headers.append(("Authorization", "Bearer " + token)) }
        for (name, value) in config.headers.sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        return headers
    }

    private func send(_ batch: PushBatch) async {
        let body = batch.encodedBody()
        var policy = RetryPolicy(backoff: config.backoff, dropRateLimited: config.dropRateLimitedBatches)
        let target = url.appendingPathIfBare("/loki/api/v1/push")
        while true {
            var status: Int?
            var detail = ""
            do {
                let response = try await http.send(.POST, target, headers: headers(tenant: batch.tenant), body: body,
                                                   timeout: .nanoseconds(config.timeoutNanos))
                status = response.status
                detail = String(decoding: response.body.prefix(512), as: UTF8.self)
                AgentMetrics.requestFinished(host: host, status: String(response.status))
            } catch {
                detail = "\(error)"
                AgentMetrics.requestFinished(host: host, status: "error")
            }
            var outcome = policy.outcome(status: status, jitter: Double.random(in: 0..<1))
            if case .retry(let wait) = outcome, clock() + wait > stopDeadline {
                outcome = .drop(reason: "shutdown")
            }
            switch outcome {
            case .sent:
                AgentMetrics.sentEntries(host: host, batch.entryCount)
                AgentMetrics.sentBytes(host: host, batch.bytes)
                await positions.acknowledge(batch.tokens)
                return
            case .retry(let wait):
                AgentMetrics.batchRetry(host: host)
                logger.warning("push failed; will retry", metadata: [
                    "host": "\(host)", "status": "\(status.map(String.init) ?? "none")", "error": "\(detail)",
                    "retry_in_ms": "\(wait / 1_000_000)",
                ])
                // In slices, so a stop during a long backoff is not kept waiting.
                let until = clock() + wait
                while clock() < min(until, stopDeadline) {
                    try? await Task.sleep(nanoseconds: UInt64(max(1_000_000, min(until - clock(), 100_000_000))))
                }
            case .drop(let reason):
                AgentMetrics.dropped(reason: reason, host: host, tenant: batch.tenant, entries: batch.entryCount,
                                     bytes: batch.bytes)
                logger.error("dropping a batch", metadata: [
                    "host": "\(host)", "reason": "\(reason)", "status": "\(status.map(String.init) ?? "none")",
                    "error": "\(detail)", "entries": "\(batch.entryCount)",
                ])
                if reason != "shutdown" { await positions.acknowledge(batch.tokens) }
                return
            }
        }
    }
}

extension OutboundURL {
    /// Promtail clients give the full push URL; a URL with no path gets Loki's push path.
    func appendingPathIfBare(_ suffix: String) -> OutboundURL {
        path == "/" ? appendingPath(suffix) : self
    }
}
