import FjordModel
@testable import FjordPush
import Testing

@Suite struct LevelDetectionTests {
    func level(_ line: String, labels: String = #"{app="a"}"#, _ metadata: [LabelPair] = [],
               limits: ValidationLimits = ValidationLimits()) throws -> String? {
        let result = try PushValidator(limits: limits).validate(request(labels, [entry(line, metadata)]), now: now)
        return result.streams.first?.entries.metadata(0)["detected_level"]
    }

    @Test(arguments: [
        (#"{"timestamp":"t","level":"warning","msg":"x"}"#, "warn"),
        (#"  {"LEVEL":"ERR"}  "#, "error"),
        (#"{"log.level":"dbg"}"#, "debug"),
        (#"{"nested":{"severity":"fatal"},"msg":"info here"}"#, "fatal"),
        (#"{"a":{"b":{"level":"dbg"}},"msg":"plain"}"#, "unknown"),
        (#"{"a":{"level":"dbg"},"msg":"plain"}"#, "debug"),
        // Not found as a field within depth 2, so the keyword scan of the whole line finds "debug" first.
        (#"{"a":{"b":{"level":"debug"}},"msg":"an error"}"#, "debug"),
        (#"{"level":30,"msg":"warn about it"}"#, "warn"),
        (#"{"level":"notice","msg":"x"}"#, "unknown"),
        (#"{"lvl":"trc"}"#, "trace"),
        (#"{"Severity":"information"}"#, "info"),
        (#"{"msg":"{\"level\":\"debug\"}"}"#, "debug"),
        ("level=warn msg=hello", "warn"),
        ("ts=1 LEVEL=\"ERROR\" msg=x", "error"),
        ("severity=debug level=info", "info"),
        ("msg=\"quoted \\\"x\\\"\" lvl=wrn", "warn"),
        ("msg=hello x=y", "unknown"),
        ("a=b critical failure", "critical"),
        ("2024-01-01 [INFO] then an error", "info"),
        ("an error then INFO", "error"),
        ("terror errors error_code myError", "unknown"),
        ("[WARN] disk", "warn"),
        ("Warning: low", "warn"),
        ("fatal", "fatal"),
        ("traced tracer trace_id", "unknown"),
        ("", "unknown"),
        // Word boundaries are judged per byte, as Loki does: the last byte of "é" is not a letter.
        ("caf\u{00E9}info", "info"),
        ("xinfo_y", "unknown"),
    ])
    func detectsFromLine(line: String, expected: String) throws {
        #expect(try level(line) == expected)
    }

    @Test func labelsAndMetadataWinOverTheLine() throws {
        #expect(try level("an error", labels: #"{app="a", level="WARNING"}"#) == "warn")
        #expect(try level("an error", labels: #"{app="a", severity="Notice"}"#) == "Notice")
        #expect(try level("an error", [LabelPair("lvl", "DEBUG")]) == "debug")
        #expect(try level("an error", [LabelPair("detected_level", "WRN")]) == "warn")
        #expect(try level("an error", [LabelPair("detected_level", "custom")]) == "custom")
    }

    @Test(arguments: [("0", "unknown"), ("3", "trace"), ("8", "debug"), ("9", "info"), ("16", "warn"), ("17", "error"),
                      ("24", "fatal"), ("25", "unknown"), ("x", "info"), ("-1", "trace")])
    func otlpSeverityNumber(number: String, expected: String) throws {
        #expect(try level("an error", [LabelPair("severity_number", number)]) == expected)
    }

    @Test func jsonDepthIsConfigurable() throws {
        var limits = ValidationLimits()
        limits.logLevelFromJSONMaxDepth = 1
        #expect(try level(#"{"a":{"level":"dbg"},"msg":"x"}"#, limits: limits) == "unknown")
        limits.logLevelFromJSONMaxDepth = 0
        #expect(try level(#"{"a":{"b":{"c":{"level":"dbg"}}}}"#, limits: limits) == "debug")
    }

    @Test func customLevelFieldsAndDisabledDiscovery() throws {
        var limits = ValidationLimits()
        limits.logLevelFields = ["sev"]
        #expect(try level(#"{"level":"debug","sev":"error"}"#, limits: limits) == "error")
        limits.discoverLogLevels = false
        #expect(try level("an error", limits: limits) == nil)
    }
}

@Suite struct IngestionRateLimiterTests {
    @Test func tokenBucketWithBurstAndRefill() {
        var limiter = IngestionRateLimiter(bytesPerSecond: 100, burstBytes: 150)
        let outcomes = [
            limiter.allow(bytes: 150, now: 0),
            limiter.allow(bytes: 1, now: 0),
            limiter.allow(bytes: 50, now: second / 2),
            limiter.allow(bytes: 200, now: 100 * second), // larger than the burst: never
            limiter.allow(bytes: 150, now: 100 * second),
        ]
        #expect(outcomes == [true, false, true, false, true])
    }

    @Test func rejectionTakesNothingAndUsesLokiText() {
        var limiter = IngestionRateLimiter(ingestionRateMB: 4, ingestionBurstSizeMB: 6)
        #expect(pushError { try limiter.admit(bytes: 5 << 20, lines: 10, tenant: "t", now: 0) } == nil)
        #expect(pushError { try limiter.admit(bytes: 2 << 20, lines: 3, tenant: "t", now: 0) }
            == PushError(status: 429, message: "ingestion rate limit exceeded for user t (limit: 4194304 bytes/sec) while attempting to ingest '3' lines totaling '2097152' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased"))
        let afterRejection = limiter.allow(bytes: 1 << 20, now: 0)
        #expect(afterRejection)
    }

    @Test func globalStrategyDividesTheRateNotTheBurst() {
        let limiter = IngestionRateLimiter(ingestionRateMB: 4, ingestionBurstSizeMB: 6, distributors: 4)
        #expect(limiter.bytesPerSecond == 1024 * 1024)
        #expect(limiter.burstBytes == 6 << 20)
    }
}
