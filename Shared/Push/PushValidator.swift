import FjordModel

/// The streams of a push that passed validation, ready for the ingester, plus the 400 body for what did not.
public struct ValidatedPush: Sendable {
    /// Accepted streams in request order (a label set sent twice stays two entries here).
    public var streams: [AcceptedStream]
    /// The grouped validation errors; when set the response is 400 even though `streams` are still written.
    public var errorMessage: String?
    /// Bytes counted against the tenant's ingestion rate: lines plus structured metadata (without `detected_level`).
    public var acceptedBytes: Int
    /// Number of accepted entries.
    public var acceptedLines: Int

    /// 204 when everything was accepted, 400 when some data was rejected.
    public var status: Int { errorMessage == nil ? 204 : 400 }
}

/// One validated stream: its final labels and entries in arrival order (not sorted by time).
public struct AcceptedStream: Sendable {
    public var labels: Labels
    /// `labels.canonicalString`, computed once.
    public var labelString: String
    public var entries: EntryBatch
    /// Rate-limit bytes of these entries.
    public var bytes: Int
}

/// Loki's push-path rules between a decoded request and the ingester (`ParseLokiRequest` label rewriting, then the
/// distributor's validation), as a pure function of the request, the limits and an injected `now`.
///
/// Whole-request failures throw a ``PushError``: a stream label string over 16 MiB (413), unparsable labels or the
/// reserved `__backfill__` labels (400), no streams (422), an unusable structured-metadata name (400; Loki answers
/// 500 there, which makes agents retry forever). Per-stream and per-entry failures drop only that data and are
/// reported in ``ValidatedPush/errorMessage``.
public struct PushValidator: Sendable {
    public let limits: ValidationLimits
    private let detector: LevelDetector
    /// Label strings already prepared: agents send the same few hundred label strings over and over, so parsing,
    /// `service_name` discovery and the canonical text are done once per distinct string.
    private let preparedCache = PreparedStreamCache()

    public init(limits: ValidationLimits = ValidationLimits()) {
        self.limits = limits
        self.detector = LevelDetector(fields: limits.logLevelFields, maxDepth: limits.logLevelFromJSONMaxDepth)
    }

    static let backfillLabel = "__backfill__"
    static let backfillShardLabel = "__backfill_shard__"
    static let serviceNameLabel = "service_name"
    static let maxBackfillShardLength = 128

    /// Checks an `X-Loki-Backfill-Shard` header value (at most 128 bytes).
    public static func validateBackfillShard(_ shard: String) throws(PushError) {
        guard shard.utf8.count <= maxBackfillShardLength else {
            throw .badRequest("invalid X-Loki-Backfill-Shard header: value length \(shard.utf8.count) exceeds limit of \(maxBackfillShardLength)")
        }
    }

    /// Validates `request` for `tenant` at Unix-nanosecond time `now`. `backfillShard` is the value of the
    /// `X-Loki-Backfill-Shard` header, if any.
    public func validate(
        _ request: PushRequest, tenant: String = "fake", now: Int64, backfillShard: String? = nil
    ) throws(PushError) -> ValidatedPush {
        if let backfillShard, !backfillShard.isEmpty { try Self.validateBackfillShard(backfillShard) }
        guard !request.streams.isEmpty else { throw PushError.noStreams }
        var prepared: [PreparedStream] = []
        prepared.reserveCapacity(request.streams.count)
        for stream in request.streams {
            if backfillShard == nil || backfillShard?.isEmpty == true {
                if let cached = preparedCache[stream.labels] {
                    prepared.append(cached)
                } else {
                    let fresh = try prepare(stream.labels, backfillShard: nil)
                    preparedCache[stream.labels] = fresh
                    prepared.append(fresh)
                }
            } else {
                prepared.append(try prepare(stream.labels, backfillShard: backfillShard))
            }
        }
        let outcome: Result<ValidatedPush, PushError> = request.buffer.withUnsafeBytes { buffer in
            Result { () throws(PushError) -> ValidatedPush in
                var run = ValidationRun(validator: self, request: request, buffer: buffer, tenant: tenant, now: now)
                for (stream, labels) in zip(request.streams, prepared) {
                    try run.validate(stream, labels)
                }
                run.result.errorMessage = run.errors.message
                return run.result
            }
        }
        return try outcome.get()
    }

    // MARK: Stream labels (ParseLokiRequest)

    /// A stream's parsed labels after `service_name` discovery and backfill labels; may still hold repeated names.
    struct PreparedStream: Sendable {
        var pairs: [LabelPair]
        var canonical: String
        var isInternal: Bool
    }

    private func prepare(_ text: String, backfillShard: String?) throws(PushError) -> PreparedStream {
        let size = text.utf8.count
        guard size <= LabelParser.maxInputSize else {
            throw PushError(status: 413, message: "request body too large: stream labels size \(HumanBytes.format(size)) exceeds limit of \(HumanBytes.format(LabelParser.maxInputSize))")
        }
        var pairs: [LabelPair]
        do {
            pairs = try LabelParser.parsePairs(text)
        } catch {
            throw .badRequest("couldn't parse labels: \(error.description)")
        }
        func has(_ name: String) -> Bool { pairs.contains { $0.name == name } }
        if has(Self.backfillLabel) || has(Self.backfillShardLabel) {
            throw .badRequest("streams must not contain the reserved labels \(Self.backfillLabel) or \(Self.backfillShardLabel); set the X-Loki-Backfill-Shard header to mark a push as backfill data")
        }
        let isInternal = has("__aggregated_metric__") || has("__pattern__")
        if !has(Self.serviceNameLabel), !limits.discoverServiceName.isEmpty, !isInternal {
            var service = "unknown_service"
            for name in limits.discoverServiceName {
                if let pair = pairs.first(where: { $0.name == name }), !pair.value.isEmpty {
                    service = pair.value
                    break
                }
            }
            Self.set(Self.serviceNameLabel, service, in: &pairs)
        }
        if let backfillShard, !backfillShard.isEmpty {
            Self.set(Self.backfillLabel, "true", in: &pairs)
            Self.set(Self.backfillShardLabel, backfillShard, in: &pairs)
        }
        return PreparedStream(pairs: pairs, canonical: Self.canonicalString(pairs), isInternal: isInternal)
    }

    /// Replaces every pair named `name` by one with `value`, keeping the pairs sorted.
    private static func set(_ name: String, _ value: String, in pairs: inout [LabelPair]) {
        pairs.removeAll { $0.name == name }
        let index = pairs.firstIndex { Labels.nameLess(name, $0.name) } ?? pairs.count
        pairs.insert(LabelPair(name: name, value: value), at: index)
    }

    /// The canonical `{a="1", b="2"}` text of sorted pairs, repeated names included.
    static func canonicalString(_ pairs: [LabelPair]) -> String {
        if zip(pairs, pairs.dropFirst()).allSatisfy({ $0.name != $1.name }) {
            return Labels(sortedPairs: pairs).canonicalString
        }
        return "{" + pairs.map { Labels(sortedPairs: [$0]).canonicalString.dropFirst().dropLast() }
            .joined(separator: ", ") + "}"
    }

    /// The checks of Loki's `ValidateLabels` and enforced labels; returns the error message, if any.
    func labelError(_ stream: PreparedStream, tenant: String) -> String? {
        let pairs = stream.pairs
        let text = stream.canonical
        if pairs.isEmpty { return "error at least one label pair is required per stream" }
        if stream.isInternal { return nil }
        let count = pairs.count - (pairs.contains { $0.name == Self.serviceNameLabel } ? 1 : 0)
        if count > limits.maxLabelNamesPerSeries {
            return "entry for stream '\(text)' has \(count) label names; limit \(limits.maxLabelNamesPerSeries)"
        }
        var lastName = ""
        for pair in pairs {
            if pair.name.utf8.count > limits.maxLabelNameLength {
                return "stream '\(text)' has label name too long: '\(pair.name)'"
            }
            if pair.value.utf8.count > limits.maxLabelValueLength {
                return "stream '\(text)' has label value too long: '\(pair.value)'"
            }
            if pair.name == lastName { return "stream '\(text)' has duplicate label name: '\(pair.name)'" }
            lastName = pair.name
        }
        var seen = Set<String>()
        var missing: [String] = []
        for name in limits.enforcedLabels where seen.insert(name).inserted {
            if !pairs.contains(where: { $0.name == name }) { missing.append(name) }
        }
        if !missing.isEmpty {
            return "missing required labels '\(missing.joined(separator: ","))' for user '\(tenant)' for stream '\(text)' (policy: '')"
        }
        return nil
    }

    /// Go's `time.RFC3339` of an entry timestamp (UTC); the missing-timestamp marker prints as Go's zero time.
    static func formatTime(_ nanos: Int64) -> String {
        nanos == PushProtobufDecoder.missingTimestamp ? "0001-01-01T00:00:00Z" : GoTime.rfc3339(nanos)
    }
}

/// The mutable state of one `validate` call: accepted streams, errors and byte counts.
private struct ValidationRun {
    let validator: PushValidator
    let limits: ValidationLimits
    let request: PushRequest
    let buffer: UnsafeRawBufferPointer
    let tenant: String
    let now: Int64
    let discoverLevels: Bool
    var errors = GroupedErrors()
    var result = ValidatedPush(streams: [], errorMessage: nil, acceptedBytes: 0, acceptedLines: 0)
    /// `detected_level`-only metadata per level, shared between entries.
    var levelOnlyMetadata: [String: Labels] = [:]

    init(validator: PushValidator, request: PushRequest, buffer: UnsafeRawBufferPointer, tenant: String, now: Int64) {
        self.validator = validator
        self.limits = validator.limits
        self.request = request
        self.buffer = buffer
        self.tenant = tenant
        self.now = now
        self.discoverLevels = limits.discoverLogLevels && limits.allowStructuredMetadata
    }

    mutating func validate(_ stream: PushRequest.Stream, _ prepared: PushValidator.PreparedStream) throws(PushError) {
        guard !stream.entries.isEmpty else { return }
        if let message = validator.labelError(prepared, tenant: tenant) {
            errors.add(message)
            return
        }
        // Only internal streams skip the duplicate-name check; for them the last value wins.
        let unique = zip(prepared.pairs, prepared.pairs.dropFirst()).allSatisfy { $0.name != $1.name }
        let labels = unique ? Labels(sortedPairs: prepared.pairs) : Labels(prepared.pairs)
        let text = prepared.canonical
        let rejectOld = limits.rejectOldSamples && labels[PushValidator.backfillLabel] == nil
        let oldest = now &- limits.rejectOldSamplesMaxAge
        let newest = now &+ limits.creationGracePeriod
        let streamLevel = discoverLevels ? validator.detectorLevel(labels) : nil

        let entries = request.entries[stream.entries]
        var batch = EntryBatch(capacity: entries.count, lineBytesCapacity: entries.reduce(0) { $0 + $1.line.count })
        var bytes = 0
        var previousTimestamp: Int64 = 0
        var runTimestamp: Int64 = 0
        for entry in entries {
            let line = UnsafeRawBufferPointer(rebasing: buffer[entry.line.start..<entry.line.end])
            var truncated: [UInt8]?
            if limits.maxLineSizeTruncate, limits.maxLineSize != 0, line.count > limits.maxLineSize {
                let identifier = Array(limits.maxLineSizeTruncateIdentifier.utf8)
                let keep = max(0, limits.maxLineSize - identifier.count)
                truncated = Array(line[0..<keep]) + identifier
            }
            let lineLength = truncated?.count ?? line.count
            let pairs = request.metadata[entry.metadata]
            let metadataSize = pairs.reduce(0) { $0 + $1.name.count + $1.value.count }
            var timestamp = entry.timestamp

            if rejectOld, timestamp < oldest {
                errors.add("entry for stream '\(text)' has timestamp too old: \(PushValidator.formatTime(timestamp)), oldest acceptable timestamp is: \(GoTime.rfc3339(oldest))")
                continue
            }
            if timestamp > newest {
                errors.add("entry for stream '\(text)' has timestamp too new: \(PushValidator.formatTime(timestamp))")
                continue
            }
            if limits.maxLineSize != 0, lineLength > limits.maxLineSize {
                errors.add("max entry size '\(limits.maxLineSize)' bytes exceeded for stream '\(text)' while adding an entry with length '\(lineLength)' bytes")
                continue
            }
            if !pairs.isEmpty {
                if !limits.allowStructuredMetadata {
                    errors.add("stream '\(text)' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it")
                    continue
                }
                if limits.maxStructuredMetadataSize != 0, metadataSize > limits.maxStructuredMetadataSize {
                    errors.add("stream '\(text)' has structured metadata too large: '\(metadataSize)' bytes, limit: '\(limits.maxStructuredMetadataSize)' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it")
                    continue
                }
                if limits.maxStructuredMetadataEntriesCount != 0, pairs.count > limits.maxStructuredMetadataEntriesCount {
                    errors.add("stream '\(text)' has too many structured metadata labels: '\(pairs.count)', limit: '\(limits.maxStructuredMetadataEntriesCount)'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it")
                    continue
                }
            }

            let metadata = try metadataLabels(pairs, line: truncated, original: line, streamLevel: streamLevel)

            if limits.incrementDuplicateTimestamps {
                if batch.isEmpty {
                    runTimestamp = timestamp
                } else if (timestamp == runTimestamp || timestamp == previousTimestamp),
                          !sameLine(batch, truncated: truncated, line: entry.line) {
                    timestamp = previousTimestamp &+ 1
                } else {
                    runTimestamp = timestamp
                }
                previousTimestamp = timestamp
            }

            if let truncated {
                batch.append(timestamp: timestamp, line: truncated, metadata: metadata)
            } else {
                batch.append(timestamp: timestamp, line: line, metadata: metadata)
            }
            bytes += lineLength + Self.rateBytes(metadata)
        }
        guard !batch.isEmpty else { return }
        result.streams.append(AcceptedStream(labels: labels, labelString: text, entries: batch, bytes: bytes))
        result.acceptedBytes += bytes
        result.acceptedLines += batch.count
    }

    /// Whether the last accepted line of `batch` equals this entry's line.
    private func sameLine(_ batch: EntryBatch, truncated: [UInt8]?, line: PushRequest.Span) -> Bool {
        let current = truncated.map { $0[...] } ?? request.buffer[line.start..<line.end]
        return batch.line(batch.count - 1).elementsEqual(current)
    }

    /// Structured metadata in bytes, excluding `detected_level`, as Loki counts it for rate limits.
    private static func rateBytes(_ metadata: Labels) -> Int {
        var total = 0
        for pair in metadata where pair.name != LevelDetector.label {
            total += pair.name.utf8.count + pair.value.utf8.count
        }
        return total
    }

    /// Sanitised structured metadata of an accepted entry, with `detected_level` added when discovery is on.
    private mutating func metadataLabels(
        _ pairs: ArraySlice<PushRequest.MetadataPair>, line truncated: [UInt8]?, original: UnsafeRawBufferPointer,
        streamLevel: String?
    ) throws(PushError) -> Labels {
        if pairs.isEmpty {
            guard discoverLevels else { return Labels() }
            let level: String
            if let streamLevel {
                level = streamLevel
            } else if let truncated {
                level = truncated.withUnsafeBytes { validator.detectorLevel(line: $0) }
            } else {
                level = validator.detectorLevel(line: original)
            }
            if let cached = levelOnlyMetadata[level] { return cached }
            let labels = Labels(sortedPairs: [LabelPair(name: LevelDetector.label, value: level)])
            levelOnlyMetadata[level] = labels
            return labels
        }
        var sanitized: [LabelPair] = []
        sanitized.reserveCapacity(pairs.count + 1)
        for pair in pairs {
            let name = try StructuredMetadataNames.normalize(
                UnsafeRawBufferPointer(rebasing: buffer[pair.name.start..<pair.name.end])).get()
            let value = StructuredMetadataNames.sanitizeValue(
                UnsafeRawBufferPointer(rebasing: buffer[pair.value.start..<pair.value.end]))
            if value.isEmpty {
                sanitized.removeAll { $0.name == name }
            } else {
                sanitized.append(LabelPair(name: name, value: value))
            }
        }
        var labels = Labels(sanitized)
        guard discoverLevels else { return labels }
        if let existing = LevelDetector.value(of: LevelDetector.label, in: labels) {
            labels.set(LevelDetector.label, LevelDetector.normalize(existing))
            return labels
        }
        let level: String
        if let streamLevel {
            level = streamLevel
        } else if let fromMetadata = validator.detector(labels) {
            level = fromMetadata
        } else if let truncated {
            level = truncated.withUnsafeBytes { validator.detectorLevel(line: $0, metadata: labels) }
        } else {
            level = validator.detectorLevel(line: original, metadata: labels)
        }
        labels.set(LevelDetector.label, level)
        return labels
    }
}

extension PushValidator {
    fileprivate func detectorLevel(_ labels: Labels) -> String? { detector.level(from: labels) }
    fileprivate func detector(_ metadata: Labels) -> String? { detector.level(from: metadata) }
    fileprivate func detectorLevel(line: UnsafeRawBufferPointer) -> String { detector.level(line: line) }
    fileprivate func detectorLevel(line: UnsafeRawBufferPointer, metadata: Labels) -> String {
        detector.level(line: line, metadata: metadata)
    }
}
