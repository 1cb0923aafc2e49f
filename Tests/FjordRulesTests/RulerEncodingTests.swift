import FjordModel
import FjordRing
import FjordRules
import Testing

@Suite struct RulerEncodingTests {
    @Test func remoteWriteProtobuf() {
        let labels = Labels(["__name__": "r", "a": "b"])
        let bytes = RemoteWriteEncoder.encode([
            InstantSample(labels: labels, timestampMillis: 1000, value: 1.5),
            InstantSample(labels: labels, timestampMillis: 2000, value: 2),
        ])
        // WriteRequest.timeseries (1): TimeSeries{labels: {__name__=r}, {a=b}; samples: {1.5, 1000}, {2, 2000}}
        let label1: [UInt8] = [0x0A, 8] + Array("__name__".utf8) + [0x12, 1] + Array("r".utf8)
        let label2: [UInt8] = [0x0A, 1] + Array("a".utf8) + [0x12, 1] + Array("b".utf8)
        let sample1: [UInt8] = [0x09] + withUnsafeBytes(of: (1.5).bitPattern.littleEndian, Array.init) + [0x10, 0xE8, 0x07]
        let sample2: [UInt8] = [0x09] + withUnsafeBytes(of: (2.0).bitPattern.littleEndian, Array.init) + [0x10, 0xD0, 0x0F]
        let series: [UInt8] = [0x0A, UInt8(label1.count)] + label1 + [0x0A, UInt8(label2.count)] + label2
            + [0x12, UInt8(sample1.count)] + sample1 + [0x12, UInt8(sample2.count)] + sample2
        #expect(bytes == [0x0A, UInt8(series.count)] + series)
    }

    @Test func alertmanagerPayload() {
        let alert = AlertNotification(labels: Labels(["alertname": "A", "app": "x"]), annotations: Labels(["s": "<b>"]),
                                      startsAt: 1_700_000_000_000_000_000, endsAt: 1_700_000_060_500_000_000,
                                      generatorURL: "http://g")
        let text = String(decoding: AlertmanagerPayload.encode([alert]), as: UTF8.self)
        #expect(text == #"[{"labels":{"alertname":"A","app":"x"},"annotations":{"s":"\u003cb\u003e"},"startsAt":"2023-11-14T22:13:20Z","endsAt":"2023-11-14T22:14:20.5Z","generatorURL":"http://g"}]"#)
    }

    @Test func generatorURLLikeLoki() {
        let url = GeneratorURL.make(externalURL: "http://grafana", expr: #"sum(rate({app="x"}[5m])) > 1"#)
        #expect(url == #"http://grafana/explore?left={"queries":[%7B%22expr%22%3A%22sum%28rate%28%7Bapp%3D%5C%22x%5C%22%7D%5B5m%5D%29%29+%5Cu003e+1%22%2C%22queryType%22%3A%22range%22%7D]}"#)
    }

    @Test func shardingSplitsGroupsAcrossRulers() throws {
        let rulers = try (1...3).map { Member(id: "ruler-\($0)", address: try MemberAddress(parsing: "127.0.0.1:\(9000 + $0)")) }
        let shardings = rulers.map { RuleSharding(rulers: rulers, instanceID: $0.id) }
        var owners: [String: Int] = [:]
        for index in 0..<300 {
            let key = RuleGroupKey(tenant: "t\(index % 7)", namespace: "ns", group: "g\(index)")
            let owning = shardings.filter { $0.owns(key) }
            #expect(owning.count == 1)
            owners[owning[0].instanceID, default: 0] += 1
        }
        #expect(owners.count == 3)
        #expect(owners.values.allSatisfy { $0 > 50 })
        #expect(RuleSharding.single.owns(RuleGroupKey(tenant: "a", namespace: "b", group: "c")))
        // A ruler missing from the list evaluates nothing.
        #expect(!RuleSharding(rulers: rulers, instanceID: "other").owns(RuleGroupKey(tenant: "a", namespace: "b", group: "c")))
        // FNV-1a 32 of "abc" (tenant "a", namespace "b", group "c").
        #expect(RuleSharding.token(RuleGroupKey(tenant: "a", namespace: "b", group: "c")) == 0x1A47E90B)
    }

    @Test func scheduleIsAlignedWithAStableOffset() {
        let key = RuleGroupKey(tenant: "fake", namespace: "ns", group: "g")
        let interval: Int64 = 60_000_000_000
        let t1 = RuleSchedule.evaluationTime(atOrBefore: 1_700_000_000_000_000_000, interval: interval, key: key)
        let t2 = RuleSchedule.evaluationTime(atOrBefore: t1 + interval - 1, interval: interval, key: key)
        #expect(t1 == t2)
        #expect(t1 <= 1_700_000_000_000_000_000)
        #expect(RuleSchedule.evaluationTime(atOrBefore: t1 + interval, interval: interval, key: key) == t1 + interval)
        #expect((t1 - Int64(RuleSharding.token(key)) % interval) % interval == 0)
    }

    @Test func notificationQueueKeepsTheLatestStatePerAlert() {
        var queue = NotificationQueue(capacity: 2)
        func alert(_ name: String, _ endsAt: Int64) -> AlertNotification {
            AlertNotification(labels: Labels(["alertname": name]), annotations: Labels(), startsAt: 0, endsAt: endsAt, generatorURL: "")
        }
        queue.enqueue([alert("a", 1), alert("b", 1)])
        queue.enqueue([alert("a", 2)])
        #expect(queue.count == 2)
        #expect(queue.enqueue([alert("c", 1)]) == 1)
        let batch = queue.takeBatch(max: 10)
        #expect(batch.map { $0.labels["alertname"] } == ["a", "c"])
        #expect(batch.first?.endsAt == 2)
        queue.enqueue([alert("c", 5)])
        queue.putBack(batch)
        #expect(queue.takeBatch(max: 10).map { "\($0.labels["alertname"] ?? "")\($0.endsAt)" } == ["a2", "c5"])
    }

    @Test func sampleQueueBatchesPerTenantAndDropsOldest() {
        var queue = SampleQueue(capacity: 5)
        func samples(_ count: Int) -> [InstantSample] {
            (0..<count).map { InstantSample(labels: Labels(["__name__": "r"]), timestampMillis: Int64($0), value: 1) }
        }
        queue.enqueue(tenant: "a", samples(2))
        queue.enqueue(tenant: "b", samples(2))
        #expect(queue.enqueue(tenant: "a", samples(3)) == 2)
        #expect(queue.count == 5)
        let first = queue.takeBatch(max: 10)
        #expect(first?.tenant == "b")
        #expect(first?.samples.count == 2)
        let second = queue.takeBatch(max: 2)
        #expect(second?.tenant == "a")
        #expect(second?.samples.count == 2)
        #expect(queue.count == 1)
    }

    @Test func backoffDoublesUpToTheMaximum() {
        var backoff = Backoff(initialNanos: 100, maximumNanos: 500)
        #expect([backoff.failed(), backoff.failed(), backoff.failed(), backoff.failed()] == [100, 200, 400, 500])
        backoff.succeeded()
        #expect(backoff.failed() == 100)
    }

    @Test func prometheusRulesAndAlertsJSON() {
        let rule = Rule(kind: .alerting("A"), expr: "sum(x) > 1", forNanos: 60_000_000_000, labels: Labels(["s": "p"]))
        var state = RuleGroupState(key: RuleGroupKey(tenant: "fake", namespace: "ns", group: "g"),
                                   group: RuleGroup(name: "g", rules: [rule]), defaultIntervalNanos: 60_000_000_000)
        let before = String(decoding: RulerAPIEncoding.rules([state]), as: UTF8.self)
        #expect(before == #"{"status":"success","data":{"groups":[{"name":"g","file":"ns","rules":[{"state":"inactive","name":"A","query":"sum(x) \u003e 1","duration":60,"keepFiringFor":0,"labels":{"s":"p"},"annotations":{},"alerts":[],"health":"unknown","lastError":"","type":"alerting","lastEvaluation":"0001-01-01T00:00:00Z","evaluationTime":0}],"interval":60,"lastEvaluation":"0001-01-01T00:00:00Z","evaluationTime":0,"limit":0}]},"errorType":"","error":""}"#)
        _ = state.apply([RuleQueryOutcome(result: .success([InstantSample(labels: Labels(), timestampMillis: 0, value: 2)]), seconds: 0.5)],
                        at: 1_700_000_000_000_000_000, resendDelayNanos: 60_000_000_000, context: RuleContext(), totalSeconds: 0.5)
        let alerts = String(decoding: RulerAPIEncoding.alerts([state]), as: UTF8.self)
        #expect(alerts == #"{"status":"success","data":{"alerts":[{"labels":{"alertname":"A","s":"p"},"annotations":{},"state":"pending","activeAt":"2023-11-14T22:13:20Z","value":"2e+00"}]},"errorType":"","error":""}"#)
        var filter = PrometheusRulesFilter()
        filter.type = .record
        #expect(String(decoding: RulerAPIEncoding.rules([state], filter: filter), as: UTF8.self)
            == #"{"status":"success","data":{"groups":[]},"errorType":"","error":""}"#)
        #expect(throws: RuleEvaluationError(#"not supported value "bogus""#)) {
            try PrometheusRulesFilter.parse(type: "bogus", files: [], groups: [], ruleNames: [])
        }
    }
}
