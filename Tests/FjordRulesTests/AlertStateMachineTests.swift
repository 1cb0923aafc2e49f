import FjordModel
import FjordRules
import Testing

/// The alert state machine with evaluation times passed in (an injected clock): pending → firing after `for`,
/// resolved when the condition clears, `keep_firing_for`, resends and retention.
@Suite struct AlertStateMachineTests {
    static let second: Int64 = 1_000_000_000
    static let start: Int64 = 1_700_000_000 * second

    static func rule(for forSeconds: Int64 = 60, keepFiringFor: Int64 = 0) -> Rule {
        Rule(kind: .alerting("HighErrorRate"), expr: #"sum(rate({app="oneiric"} | json | level="error" [5m])) > 1"#,
             forNanos: forSeconds * second, keepFiringForNanos: keepFiringFor * second,
             labels: Labels(["severity": "page", "app": "{{ $labels.app }}"]),
             annotations: Labels(["summary": "{{ $labels.app }} logs {{ $value }} errors/s"]))
    }

    static func sample(_ value: Double, app: String = "oneiric") -> InstantSample {
        InstantSample(labels: Labels(["app": app]), timestampMillis: 0, value: value)
    }

    static func at(_ seconds: Int64) -> Int64 { start + seconds * second }

    @Test func pendingThenFiringAfterFor() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 60))
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        #expect(state.state == .pending)
        #expect(state.notifications(at: Self.at(0), resendDelay: 60 * Self.second, interval: 15 * Self.second, generatorURL: "").isEmpty)
        try state.evaluate([Self.sample(3)], at: Self.at(59), limit: 0, context: RuleContext())
        #expect(state.state == .pending)
        try state.evaluate([Self.sample(4)], at: Self.at(60), limit: 0, context: RuleContext())
        #expect(state.state == .firing)
        let alert = try #require(state.activeAlerts.first)
        #expect(alert.activeAt == Self.at(0))
        #expect(alert.firedAt == Self.at(60))
        #expect(alert.value == 4)
        #expect(alert.labels == Labels(["alertname": "HighErrorRate", "app": "oneiric", "severity": "page"]))
        #expect(alert.annotations["summary"] == "oneiric logs 4 errors/s")
        let sent = state.notifications(at: Self.at(60), resendDelay: 60 * Self.second, interval: 15 * Self.second, generatorURL: "g")
        #expect(sent.count == 1)
        #expect(sent.first?.startsAt == Self.at(60))
        #expect(sent.first?.endsAt == Self.at(60 + 4 * 60))
    }

    @Test func forZeroFiresAtOnce() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0))
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        #expect(state.state == .firing)
    }

    @Test func pendingAlertThatClearsIsDroppedWithoutNotification() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 60))
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        try state.evaluate([], at: Self.at(15), limit: 0, context: RuleContext())
        #expect(state.active.isEmpty)
        #expect(state.notifications(at: Self.at(15), resendDelay: Self.second, interval: Self.second, generatorURL: "").isEmpty)
    }

    @Test func resolvedAlertIsSentWithEndsAtAndKeptForRetention() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0))
        let resend = 60 * Self.second
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        #expect(state.notifications(at: Self.at(0), resendDelay: resend, interval: Self.second, generatorURL: "").count == 1)
        // Within the resend delay nothing new is sent.
        try state.evaluate([Self.sample(2)], at: Self.at(10), limit: 0, context: RuleContext())
        #expect(state.notifications(at: Self.at(10), resendDelay: resend, interval: Self.second, generatorURL: "").isEmpty)
        // The condition clears: the resolution goes out at once, with endsAt = resolution time.
        try state.evaluate([], at: Self.at(20), limit: 0, context: RuleContext())
        #expect(state.state == .inactive)
        let resolved = state.notifications(at: Self.at(20), resendDelay: resend, interval: Self.second, generatorURL: "")
        #expect(resolved.count == 1)
        #expect(resolved.first?.endsAt == Self.at(20))
        #expect(resolved.first?.startsAt == Self.at(0))
        #expect(state.activeAlerts.isEmpty)
        // Resent after the resend delay while retained, dropped after 15 minutes.
        try state.evaluate([], at: Self.at(81), limit: 0, context: RuleContext())
        #expect(state.notifications(at: Self.at(81), resendDelay: resend, interval: Self.second, generatorURL: "").count == 1)
        try state.evaluate([], at: Self.at(20 + 15 * 60 + 1), limit: 0, context: RuleContext())
        #expect(state.active.isEmpty)
    }

    @Test func firingAlertIsResentAfterResendDelay() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0))
        let resend = 30 * Self.second
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        _ = state.notifications(at: Self.at(0), resendDelay: resend, interval: Self.second, generatorURL: "")
        try state.evaluate([Self.sample(2)], at: Self.at(30), limit: 0, context: RuleContext())
        #expect(state.notifications(at: Self.at(30), resendDelay: resend, interval: Self.second, generatorURL: "").isEmpty)
        try state.evaluate([Self.sample(2)], at: Self.at(31), limit: 0, context: RuleContext())
        let again = state.notifications(at: Self.at(31), resendDelay: resend, interval: Self.second, generatorURL: "")
        #expect(again.count == 1)
        #expect(again.first?.endsAt == Self.at(31 + 4 * 30))
    }

    @Test func keepFiringForHoldsAFiringAlert() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0, keepFiringFor: 30))
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        try state.evaluate([], at: Self.at(10), limit: 0, context: RuleContext())
        #expect(state.state == .firing)
        try state.evaluate([], at: Self.at(39), limit: 0, context: RuleContext())
        #expect(state.state == .firing)
        try state.evaluate([], at: Self.at(40), limit: 0, context: RuleContext())
        #expect(state.state == .inactive)
        #expect(state.active.values.first?.resolvedAt == Self.at(40))
    }

    @Test func keepFiringSinceResetsWhenTheConditionReturns() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0, keepFiringFor: 30))
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        try state.evaluate([], at: Self.at(10), limit: 0, context: RuleContext())
        try state.evaluate([Self.sample(2)], at: Self.at(20), limit: 0, context: RuleContext())
        try state.evaluate([], at: Self.at(45), limit: 0, context: RuleContext())
        #expect(state.state == .firing)
    }

    @Test func reactivatedAlertStartsPendingAgain() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 60))
        try state.evaluate([Self.sample(2)], at: Self.at(0), limit: 0, context: RuleContext())
        try state.evaluate([Self.sample(2)], at: Self.at(60), limit: 0, context: RuleContext())
        try state.evaluate([], at: Self.at(70), limit: 0, context: RuleContext())
        try state.evaluate([Self.sample(2)], at: Self.at(80), limit: 0, context: RuleContext())
        #expect(state.state == .pending)
        #expect(state.activeAlerts.first?.activeAt == Self.at(80))
    }

    @Test func oneAlertPerLabelSet() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0))
        try state.evaluate([Self.sample(2, app: "a"), Self.sample(3, app: "b")], at: Self.at(0), limit: 0, context: RuleContext())
        #expect(state.activeAlerts.map { $0.labels["app"] } == ["a", "b"])
        try state.evaluate([Self.sample(2, app: "a")], at: Self.at(1), limit: 0, context: RuleContext())
        #expect(state.activeAlerts.map { $0.labels["app"] } == ["a"])
    }

    @Test func duplicateLabelSetsAfterRuleLabelsAreAnError() {
        let rule = Rule(kind: .alerting("A"), expr: "x", labels: Labels(["app": "same"]))
        var state = AlertingRuleState(rule: rule)
        #expect(throws: RuleEvaluationError("vector contains metrics with the same labelset after applying alert labels")) {
            try state.evaluate([Self.sample(1, app: "a"), Self.sample(1, app: "b")], at: Self.at(0), limit: 0, context: RuleContext())
        }
    }

    @Test func limitClearsAlerts() throws {
        var state = AlertingRuleState(rule: Self.rule(for: 0))
        #expect(throws: RuleEvaluationError("exceeded limit of 1 with 2 alerts")) {
            try state.evaluate([Self.sample(2, app: "a"), Self.sample(3, app: "b")], at: Self.at(0), limit: 1, context: RuleContext())
        }
        #expect(state.active.isEmpty)
    }

    @Test func groupStateRecordsHealthAndInstantSamples() {
        let group = RuleGroup(name: "g", rules: [
            Self.rule(for: 0),
            Rule(kind: .recording("oneiric:errors:rate5m"), expr: "x", labels: Labels(["source": "ruler"])),
        ])
        var state = RuleGroupState(key: RuleGroupKey(tenant: "fake", namespace: "ns", group: "g"), group: group,
                                   defaultIntervalNanos: 60 * Self.second)
        let context = RuleContext(externalLabels: Labels(["cluster": "c1"]), externalURL: "http://fjord")
        let result = state.apply([
            RuleQueryOutcome(result: .success([Self.sample(2)])),
            RuleQueryOutcome(result: .success([Self.sample(5)])),
        ], at: Self.at(0), resendDelayNanos: 60 * Self.second, context: context, totalSeconds: 0.01)
        #expect(result.notifications.count == 1)
        #expect(result.notifications.first?.labels["cluster"] == "c1")
        #expect(result.notifications.first?.generatorURL.hasPrefix("http://fjord/explore?left={\"queries\":[") == true)
        #expect(result.samples.map(\.labels) == [
            Labels(["__name__": "oneiric:errors:rate5m", "app": "oneiric", "cluster": "c1", "source": "ruler"]),
        ])
        #expect(result.samples.map(\.timestampMillis) == [Self.at(0) / 1_000_000])
        #expect(result.samples.map(\.value) == [5])
        #expect(state.statuses.map(\.health) == [.ok, .ok])
        _ = state.apply([
            RuleQueryOutcome(result: .failure(RuleEvaluationError("parse error : boom"))),
            RuleQueryOutcome(result: .success([])),
        ], at: Self.at(60), resendDelayNanos: 60 * Self.second, context: context, totalSeconds: 0.01)
        #expect(state.statuses[0].health == .err)
        #expect(state.statuses[0].lastError == "parse error : boom")
        // A failed evaluation leaves the alerts as they were.
        #expect(state.alerting[0]?.state == .firing)
    }

    @Test func changedGroupKeepsAlertsOfUnchangedRules() throws {
        let key = RuleGroupKey(tenant: "fake", namespace: "ns", group: "g")
        var old = RuleGroupState(key: key, group: RuleGroup(name: "g", rules: [Self.rule(for: 0)]), defaultIntervalNanos: Self.second)
        _ = old.apply([RuleQueryOutcome(result: .success([Self.sample(2)]))], at: Self.at(0), resendDelayNanos: Self.second,
                      context: RuleContext(), totalSeconds: 0)
        var changed = Self.rule(for: 0)
        changed.annotations = Labels(["summary": "changed"])
        var new = RuleGroupState(key: key, group: RuleGroup(name: "g", intervalNanos: 5 * Self.second, rules: [changed]),
                                 defaultIntervalNanos: Self.second)
        new.inherit(from: old)
        #expect(new.alerting[0]?.state == .firing)
        #expect(new.intervalNanos == 5 * Self.second)
    }
}
