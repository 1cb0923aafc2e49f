import FjordModel
@testable import FjordPush
import Testing

/// 2026-11-22T00:00:00Z.
let now: Int64 = 1_795_305_600_000_000_000
let second: Int64 = 1_000_000_000

func request(_ labels: String, _ entries: [PushEntryContent]) -> PushRequest {
    PushRequest(content: [PushStreamContent(labels: labels, entries: entries)])
}

func entry(_ line: String, at timestamp: Int64 = now, _ metadata: [LabelPair] = []) -> PushEntryContent {
    PushEntryContent(timestamp: timestamp, line: line, metadata: metadata)
}

@Suite struct StreamValidationTests {
    let validator = PushValidator()

    @Test func zeroStreamsIs422() {
        #expect(pushError { _ = try validator.validate(PushRequest(), now: now) }
            == PushError(status: 422, message: "error at least one valid stream is required for ingestion"))
    }

    @Test func streamWithoutEntriesIsSkippedSilently() throws {
        let result = try validator.validate(request(#"{app="a"}"#, []), now: now)
        #expect(result.streams.isEmpty && result.errorMessage == nil && result.status == 204)
    }

    @Test func unparsableLabelsFailTheRequest() {
        #expect(pushError { _ = try validator.validate(request("{app=a}", [entry("x")]), now: now) }
            == .badRequest(#"couldn't parse labels: 1:6: parse error: unexpected identifier "a" in label set, expected string"#))
        // JSON keys with dots become unquoted names and fail the same way.
        let json = try? PushJSONDecoder.decode(Array(#"{"streams":[{"stream":{"a.b":"c"},"values":[["1","x"]]}]}"#.utf8))
        #expect(pushError { _ = try validator.validate(json ?? PushRequest(), now: now) }
            == .badRequest("couldn't parse labels: 1:3: parse error: unexpected character inside braces: '.'"))
    }

    @Test func reservedBackfillLabelsFailTheRequest() {
        #expect(pushError { _ = try validator.validate(request(#"{app="a", __backfill__="true"}"#, [entry("x")]), now: now) }
            == .badRequest("streams must not contain the reserved labels __backfill__ or __backfill_shard__; set the X-Loki-Backfill-Shard header to mark a push as backfill data"))
    }

    @Test func hugeLabelStringIs413() {
        let labels = #"{a=""# + String(repeating: "x", count: 1 << 24) + #""}"#
        #expect(pushError { _ = try validator.validate(request(labels, [entry("x")]), now: now) }
            == PushError(status: 413, message: "request body too large: stream labels size 17 MB exceeds limit of 17 MB"))
    }

    @Test(arguments: [
        (#"{app="api", job="j"}"#, #"{app="api", job="j", service_name="api"}"#),
        (#"{job="j", container="c"}"#, #"{container="c", job="j", service_name="c"}"#),
        (#"{foo="bar"}"#, #"{foo="bar", service_name="unknown_service"}"#),
        (#"{service_name="mine", app="x"}"#, #"{app="x", service_name="mine"}"#),
        (#"{__aggregated_metric__="x"}"#, #"{__aggregated_metric__="x"}"#),
        (#"{}"#, #"{service_name="unknown_service"}"#),
    ])
    func discoversServiceName(labels: String, expected: String) throws {
        let result = try validator.validate(request(labels, [entry("x")]), now: now)
        #expect(result.streams.first?.labelString == expected)
    }

    @Test func serviceNameDiscoveryCanBeDisabled() throws {
        var limits = ValidationLimits()
        limits.discoverServiceName = []
        let result = try PushValidator(limits: limits).validate(request(#"{app="a"}"#, [entry("x")]), now: now)
        #expect(result.streams.first?.labelString == #"{app="a"}"#)
        let empty = try PushValidator(limits: limits).validate(request("{}", [entry("x")]), now: now)
        #expect(empty.errorMessage == "error at least one label pair is required per stream")
    }

    @Test func labelLimits() throws {
        var limits = ValidationLimits()
        limits.maxLabelNamesPerSeries = 2
        limits.maxLabelNameLength = 12
        limits.maxLabelValueLength = 4
        let validator = PushValidator(limits: limits)
        func message(_ labels: String) throws -> String? {
            try validator.validate(request(labels, [entry("x")]), now: now).errorMessage
        }
        // service_name is not counted.
        #expect(try message(#"{a="1", b="2", service_name="s"}"#) == nil)
        #expect(try message(#"{a="1", b="2", c="3", service_name="s"}"#)
            == #"entry for stream '{a="1", b="2", c="3", service_name="s"}' has 3 label names; limit 2"#)
        #expect(try message(#"{thirteen_long="1", service_name="s"}"#)
            == #"stream '{service_name="s", thirteen_long="1"}' has label name too long: 'thirteen_long'"#)
        #expect(try message(#"{a="12345", service_name="s"}"#)
            == #"stream '{a="12345", service_name="s"}' has label value too long: '12345'"#)
        #expect(try message(#"{a="1", a="2", service_name="s"}"#)
            == #"stream '{a="1", a="2", service_name="s"}' has duplicate label name: 'a'"#)
    }

    @Test func internalStreamsSkipLabelChecks() throws {
        var limits = ValidationLimits()
        limits.maxLabelNamesPerSeries = 1
        let result = try PushValidator(limits: limits).validate(
            request(#"{__aggregated_metric__="x", a="1", a="2", b="3"}"#, [entry("x")]), now: now)
        #expect(result.errorMessage == nil)
        #expect(result.streams.first?.labels == Labels([LabelPair("__aggregated_metric__", "x"), LabelPair("a", "2"), LabelPair("b", "3")]))
    }

    @Test func enforcedLabels() throws {
        var limits = ValidationLimits()
        limits.enforcedLabels = ["team", "env", "team"]
        let result = try PushValidator(limits: limits).validate(request(#"{env="p"}"#, [entry("x")]), tenant: "t1", now: now)
        #expect(result.errorMessage
            == #"missing required labels 'team' for user 't1' for stream '{env="p", service_name="unknown_service"}' (policy: '')"#)
        #expect(result.streams.isEmpty)
    }

    @Test func backfillShardAddsLabelsAndAllowsOldEntries() throws {
        let old = now - 30 * 24 * 3600 * second
        let result = try validator.validate(request(#"{app="a"}"#, [entry("x", at: old)]), now: now, backfillShard: "2026-10")
        #expect(result.errorMessage == nil)
        #expect(result.streams.first?.labelString
            == #"{__backfill__="true", __backfill_shard__="2026-10", app="a", service_name="a"}"#)
        let tooLong = String(repeating: "x", count: 129)
        #expect(pushError { _ = try validator.validate(request(#"{app="a"}"#, [entry("x")]), now: now, backfillShard: tooLong) }
            == .badRequest("invalid X-Loki-Backfill-Shard header: value length 129 exceeds limit of 128"))
    }
}

@Suite struct EntryValidationTests {
    let labels = #"{app="a"}"#
    let shown = #"{app="a", service_name="a"}"#

    @Test func timestampWindow() throws {
        let tooOld = now - 169 * 3600 * second
        let tooNew = now + 11 * 60 * second
        let result = try PushValidator().validate(request(labels, [
            entry("old", at: tooOld), entry("ok", at: now - 167 * 3600 * second), entry("new", at: tooNew),
            entry("edge", at: now + 10 * 60 * second),
        ]), now: now)
        #expect(result.streams.first?.entries.count == 2)
        #expect(result.errorMessage == "1 errors like: entry for stream '\(shown)' has timestamp too old: 2026-11-14T23:00:00Z, oldest acceptable timestamp is: 2026-11-15T00:00:00Z; 1 errors like: entry for stream '\(shown)' has timestamp too new: 2026-11-22T00:11:00Z")
        var limits = ValidationLimits()
        limits.rejectOldSamples = false
        #expect(try PushValidator(limits: limits).validate(request(labels, [entry("old", at: tooOld)]), now: now).errorMessage == nil)
    }

    @Test func missingProtobufTimestampPrintsGoZeroTime() throws {
        let result = try PushValidator().validate(request(labels, [entry("x", at: PushProtobufDecoder.missingTimestamp)]), now: now)
        #expect(result.errorMessage?.contains("timestamp too old: 0001-01-01T00:00:00Z, oldest") == true)
    }

    @Test func singleErrorIsVerbatimAndRepeatedErrorsAreGrouped() throws {
        let validator = PushValidator()
        let one = try validator.validate(request(labels, [entry("x", at: 0), entry("y")]), now: now)
        #expect(one.errorMessage == "entry for stream '\(shown)' has timestamp too old: 1970-01-01T00:00:00Z, oldest acceptable timestamp is: 2026-11-15T00:00:00Z")
        #expect(one.status == 400)
        #expect(one.streams.first?.entries.count == 1)
        let three = try validator.validate(request(labels, [entry("x", at: 0), entry("y", at: 0), entry("z", at: 0)]), now: now)
        #expect(three.errorMessage?.hasPrefix("3 errors like: entry for stream") == true)
        #expect(three.streams.isEmpty)
    }

    @Test func lineTooLongAndTruncation() throws {
        var limits = ValidationLimits()
        limits.maxLineSize = 10
        let rejected = try PushValidator(limits: limits).validate(request(labels, [entry("12345678901")]), now: now)
        #expect(rejected.errorMessage == "max entry size '10' bytes exceeded for stream '\(shown)' while adding an entry with length '11' bytes")
        limits.maxLineSizeTruncate = true
        limits.maxLineSizeTruncateIdentifier = "..."
        let truncated = try PushValidator(limits: limits).validate(request(labels, [entry("12345678901"), entry("short")]), now: now)
        #expect(truncated.errorMessage == nil)
        #expect(truncated.streams.first?.entries.lineString(0) == "1234567...")
        #expect(truncated.streams.first?.entries.lineString(1) == "short")
        limits.maxLineSize = 0
        limits.maxLineSizeTruncate = false
        #expect(try PushValidator(limits: limits).validate(request(labels, [entry(String(repeating: "x", count: 300_000))]), now: now).errorMessage == nil)
    }

    @Test func structuredMetadataLimits() throws {
        var limits = ValidationLimits()
        limits.maxStructuredMetadataSize = 6
        limits.maxStructuredMetadataEntriesCount = 2
        let validator = PushValidator(limits: limits)
        let tooLarge = try validator.validate(request(labels, [entry("x", [LabelPair("abc", "defg")])]), now: now)
        #expect(tooLarge.errorMessage == "stream '\(shown)' has structured metadata too large: '7' bytes, limit: '6' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it")
        let tooMany = try validator.validate(request(labels, [entry("x", [LabelPair("a", "1"), LabelPair("b", "2"), LabelPair("c", "3")])]), now: now)
        #expect(tooMany.errorMessage == "stream '\(shown)' has too many structured metadata labels: '3', limit: '2'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it")
        limits.allowStructuredMetadata = false
        let disallowed = try PushValidator(limits: limits).validate(request(labels, [entry("x", [LabelPair("a", "1")]), entry("info")]), now: now)
        #expect(disallowed.errorMessage == "stream '\(shown)' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it")
        // Without structured metadata there is no detected_level either.
        #expect(disallowed.streams.first?.entries.metadata(0) == Labels())
    }

    @Test func structuredMetadataNamesAreNormalised() throws {
        let result = try PushValidator().validate(request(labels, [entry("x", [
            LabelPair("log.level", "warn"), LabelPair("123abc", "1"), LabelPair("__x.y__", "2"), LabelPair("a..b", "3"),
            LabelPair("ok_name", "bad \u{FFFD} value"), LabelPair("empty", ""), LabelPair("_lead", "4"),
        ])]), now: now)
        #expect(result.streams.first?.entries.metadata(0) == Labels([
            LabelPair("log_level", "warn"), LabelPair("key_123abc", "1"), LabelPair("__x_y__", "2"), LabelPair("a_b", "3"),
            LabelPair("ok_name", "bad   value"), LabelPair("_lead", "4"),
            // `log.level` is a level field but its sanitised name `log_level` is not, so the line decides.
            LabelPair("detected_level", "unknown"),
        ]))
    }

    @Test func invalidStructuredMetadataNameFailsTheRequest() {
        #expect(pushError { _ = try PushValidator().validate(request(labels, [entry("x", [LabelPair("...", "v")])]), now: now) }
            == .badRequest(#"normalization for label name "..." resulted in invalid name "_""#))
        #expect(pushError { _ = try PushValidator().validate(request(labels, [entry("x", [LabelPair("", "v")])]), now: now) }
            == .badRequest("label name is empty"))
    }

    @Test func incrementDuplicateTimestamps() throws {
        var limits = ValidationLimits()
        limits.incrementDuplicateTimestamps = true
        let result = try PushValidator(limits: limits).validate(request(labels, [
            entry("a", at: now), entry("b", at: now), entry("c", at: now), entry("c", at: now + 2), entry("d", at: now + 2),
            entry("d", at: now + 3), entry("e", at: now - 5),
        ]), now: now)
        #expect(result.streams.first?.entries.timestamps == [now, now + 1, now + 2, now + 2, now + 3, now + 3, now - 5])
        let off = try PushValidator().validate(request(labels, [entry("a"), entry("b")]), now: now)
        #expect(off.streams.first?.entries.timestamps == [now, now])
    }

    @Test func rateBytesCountLineAndMetadataButNotDetectedLevel() throws {
        let result = try PushValidator().validate(request(labels, [entry("hello", [LabelPair("k", "vv")]), entry("abc")]), now: now)
        #expect(result.acceptedBytes == 5 + 3 + 3)
        #expect(result.acceptedLines == 2)
        #expect(result.streams.first?.bytes == 11)
    }
}
