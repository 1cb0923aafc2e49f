import FjordRuntime
import FjordConfig
import FjordModel
import FjordPush
import FjordServiceAPI
import Metrics
import Synchronization

/// The distributor's part of a push: decode the body, validate it with the tenant's limits, charge the tenant's
/// ingestion rate, and hand the accepted streams to the ingesters. Returns the HTTP answer Loki gives.
public final class PushHandler: Sendable {
    private let validator: PushValidator
    private let bodyLimits: PushBodyLimits
    private let target: any PushTarget
    /// Each tenant's `ingestion_rate_mb` / `ingestion_burst_size_mb` (runtime overrides applied, re-read per push).
    private let tenantLimits: TenantLimits
    private let limiters = Mutex<[String: IngestionRateLimiter]>([:])

    /// `limits` carries per-tenant overrides (`runtime_config.file`); without it every tenant has `limits_config`'s.
    public init(config: FjordConfiguration, target: any PushTarget, limits: TenantLimits? = nil) {
        validator = PushValidator(limits: ValidationLimits(config.limits))
        bodyLimits = PushBodyLimits(maxReceiveMessageSize: config.distributor.maxRecvMsgSize, maxDecompressedSize: 0)
        self.target = target
        tenantLimits = limits ?? TenantLimits(defaults: config.limits)
    }

    /// Largest body accepted before decoding (`distributor.max_recv_msg_size`).
    public var maxBodyBytes: Int { bodyLimits.maxReceiveMessageSize }

    /// Handles one push for `tenant`. Returns nil for 204, or the 400 text when some entries were rejected (the
    /// others are stored). Throws ``GatewayError`` for failures of the whole request.
    public func push(
        tenant: String, body: [UInt8], contentType: String?, contentEncoding: String?, legacy: Bool = false,
        backfillShard: String? = nil, now: Int64
    ) async throws(GatewayError) -> String? {
        let validated: ValidatedPush
        do {
            let request = try PushBodyDecoder.decode(
                body: body, contentType: contentType, contentEncoding: contentEncoding,
                version: legacy ? .legacy : .v1, limits: bodyLimits)
            validated = try validator.validate(request, tenant: tenant, now: now, backfillShard: backfillShard)
            if validated.acceptedBytes > 0 {
                try admit(tenant: tenant, bytes: validated.acceptedBytes, lines: validated.acceptedLines, now: now)
            }
        } catch {
            throw GatewayError(status: error.status, message: error.message)
        }
        Counter(label: "loki_distributor_lines_received_total", dimensions: [("tenant", tenant)])
            .increment(by: validated.acceptedLines)
        Counter(label: "loki_distributor_bytes_received_total", dimensions: [("tenant", tenant)])
            .increment(by: validated.acceptedBytes)
        let streams = validated.streams.compactMap { stream in
            stream.entries.isEmpty ? nil : PushStream(labels: stream.labels, entries: stream.entries,
                                                      canonicalLabels: stream.labelString)
        }
        if !streams.isEmpty {
            do {
                try await target.push(tenant: tenant, streams: streams)
            } catch {
                throw GatewayError(error)
            }
        }
        return validated.errorMessage
    }

    private func admit(tenant: String, bytes: Int, lines: Int, now: Int64) throws(PushError) {
        let limits = tenantLimits.limits(tenant)
        let fresh = IngestionRateLimiter(ingestionRateMB: limits.ingestionRateMB, ingestionBurstSizeMB: limits.ingestionBurstSizeMB)
        let result: Result<Void, PushError> = limiters.withLock { limiters in
            var limiter = limiters[tenant] ?? fresh
            // An override changed since the last push: new rate and burst, the tokens already earned are kept.
            limiter.bytesPerSecond = fresh.bytesPerSecond
            limiter.burstBytes = fresh.burstBytes
            let outcome = Result { () throws(PushError) in
                try limiter.admit(bytes: bytes, lines: lines, tenant: tenant, now: now)
            }
            limiters[tenant] = limiter
            return outcome
        }
        try result.get()
    }
}

extension ValidationLimits {
    /// The push-validation limits of a Fjord configuration (`limits_config`).
    init(_ limits: FjordConfiguration.Limits) {
        self.init()
        maxLabelNamesPerSeries = limits.maxLabelNamesPerSeries
        maxLabelNameLength = limits.maxLabelNameLength
        maxLabelValueLength = limits.maxLabelValueLength
        maxLineSize = limits.maxLineSize
        maxLineSizeTruncate = limits.maxLineSizeTruncate
        rejectOldSamples = limits.rejectOldSamples
        rejectOldSamplesMaxAge = limits.rejectOldSamplesMaxAgeNanos
        creationGracePeriod = limits.creationGracePeriodNanos
        allowStructuredMetadata = limits.allowStructuredMetadata
        maxStructuredMetadataSize = limits.maxStructuredMetadataSize
        maxStructuredMetadataEntriesCount = limits.maxStructuredMetadataEntriesCount
        incrementDuplicateTimestamps = limits.incrementDuplicateTimestamps
        discoverServiceName = limits.discoverServiceName
        discoverLogLevels = limits.discoverLogLevels
    }
}
