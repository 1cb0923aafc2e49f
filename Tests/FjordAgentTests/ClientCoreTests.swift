import FjordAgent
import FjordPush
import Testing

@Suite struct ClientCoreTests {
    @Test func batchesPerTenantBySizeAndWait() {
        var batcher = Batcher(batchWaitNanos: 1_000, batchSizeBytes: 10, defaultTenant: "t0", externalLabels: ["host": "h"])
        #expect(batcher.add(AgentEntry(labels: ["a": "1"], timestamp: 1, line: "12345"), now: 0) == nil)
        #expect(batcher.add(AgentEntry(labels: ["a": "1", "__tenant_id__": "t1"], timestamp: 1, line: "x"), now: 0) == nil)
        #expect(batcher.add(AgentEntry(labels: ["a": "2"], timestamp: 2, line: "12345"), now: 10) == nil)
        // Would exceed 10 bytes: the full batch comes back.
        let full = batcher.add(AgentEntry(labels: ["a": "1"], timestamp: 3, line: "z"), now: 20)
        #expect(full?.tenant == "t0")
        #expect(full?.entryCount == 2)
        #expect(full?.order == ["{a=\"1\", host=\"h\"}", "{a=\"2\", host=\"h\"}"])
        #expect(batcher.due(now: 999).map(\.tenant) == [])
        #expect(batcher.due(now: 1_000).map(\.tenant) == ["t1"])
        #expect(batcher.due(now: 1_019).isEmpty)
        #expect(batcher.due(now: 1_020).map(\.tenant) == ["t0"])
        #expect(batcher.isEmpty)
    }

    @Test func entriesWithoutLabelsAreRefused() {
        let bare = Batcher(batchWaitNanos: 0, batchSizeBytes: 10, defaultTenant: "", externalLabels: [:])
        #expect(!bare.hasLabels(AgentEntry(labels: ["__path__": "/x", "empty": ""], timestamp: 0, line: "l")))
        #expect(bare.hasLabels(AgentEntry(labels: ["job": "x"], timestamp: 0, line: "l")))
        let external = Batcher(batchWaitNanos: 0, batchSizeBytes: 10, defaultTenant: "", externalLabels: ["host": "h"])
        #expect(external.hasLabels(AgentEntry(labels: [:], timestamp: 0, line: "l")))
    }

    @Test func targetsJSON() {
        var info = TargetInfo(job: "j", kind: "file", name: "/var/log/a.log", labels: ["job": "j", "filename": "/var/log/a.log"],
                              state: "ready")
        info.details["x"] = "y"
        #expect(AgentRole.targetsJSON([info]) == #"[{"job":"j","kind":"file","name":"/var/log/a.log","labels":{"filename":"/var/log/a.log","job":"j"},"state":"ready","details":{"x":"y"}}]"#)
    }

    @Test func bodyIsPromtailProtobufSnappy() throws {
        var batcher = Batcher(batchWaitNanos: 0, batchSizeBytes: 1 << 20, defaultTenant: "", externalLabels: [:])
        _ = batcher.add(AgentEntry(labels: ["job": "x", "__path__": "/p", "empty": ""], timestamp: 1_500_000_000_123, line: "hello",
                                   metadata: ["trace": "abc"]), now: 0)
        let batch = try #require(batcher.due(now: 0).first)
        let request = try PushBodyDecoder.decode(body: batch.encodedBody(), contentType: "application/x-protobuf",
                                                 contentEncoding: nil, limits: PushBodyLimits())
        #expect(request.content == [PushStreamContent(labels: "{job=\"x\"}", entries: [
            PushEntryContent(timestamp: 1_500_000_000_123, line: "hello", metadata: [.init("trace", "abc")]),
        ])])
    }

    @Test func retryRules() {
        var backoff = BackoffConfig()
        backoff.minPeriodNanos = 100
        backoff.maxPeriodNanos = 350
        backoff.maxRetries = 3
        var policy = RetryPolicy(backoff: backoff, dropRateLimited: false)
        #expect(policy.outcome(status: 204) == .sent)
        #expect(policy.outcome(status: 400) == .drop(reason: "rejected"))
        // Jitter 0.999… gives the full delay: 100, 200, 350 (capped), then give up.
        #expect(policy.outcome(status: 500, jitter: 1) == .retry(afterNanos: 100))
        #expect(policy.outcome(status: nil, jitter: 1) == .retry(afterNanos: 200))
        #expect(policy.outcome(status: 429, jitter: 1) == .retry(afterNanos: 350))
        #expect(policy.outcome(status: 503, jitter: 1) == .drop(reason: "max_retries"))
        var rateLimited = RetryPolicy(backoff: backoff, dropRateLimited: true)
        #expect(rateLimited.outcome(status: 429) == .drop(reason: "rate_limited"))
        var forever = RetryPolicy(backoff: BackoffConfig(), dropRateLimited: false)
        var unlimited = BackoffConfig()
        unlimited.maxRetries = 0
        forever = RetryPolicy(backoff: unlimited, dropRateLimited: false)
        for _ in 0..<50 { #expect(forever.outcome(status: 500) != .drop(reason: "max_retries")) }
    }
}
