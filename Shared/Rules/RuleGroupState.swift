public import FjordModel

/// How a rule's last evaluation went (the API's `health`).
public enum RuleHealth: String, Sendable, Hashable {
    case unknown, ok, err
}

/// The last evaluation of one rule.
public struct RuleStatus: Sendable, Hashable {
    public var health: RuleHealth = .unknown
    public var lastError = ""
    /// Unix nanoseconds of the last evaluation, nil before the first.
    public var lastEvaluation: Int64?
    public var evaluationSeconds: Double = 0

    public init() {}
}

/// What running one rule's query gave: samples or the error text, and how long it took.
public struct RuleQueryOutcome: Sendable {
    public var result: Result<[InstantSample], RuleEvaluationError>
    public var seconds: Double

    public init(result: Result<[InstantSample], RuleEvaluationError>, seconds: Double = 0) {
        self.result = result
        self.seconds = seconds
    }
}

/// What one group evaluation produced for the outside world.
public struct RuleGroupEvaluation: Sendable {
    /// Alerts to send to Alertmanager now.
    public var notifications: [AlertNotification] = []
    /// Recording rules' samples to remote-write.
    public var samples: [InstantSample] = []

    public init() {}
}

/// A rule group's evaluation state: each alerting rule's alerts, each rule's health, and the group's last
/// evaluation. Pure: the caller runs the queries and passes their outcomes with the evaluation time.
public struct RuleGroupState: Sendable {
    public let key: RuleGroupKey
    public let group: RuleGroup
    /// The group's `interval`, or the ruler's default.
    public let intervalNanos: Int64
    /// Alert state per rule index (alerting rules only).
    public private(set) var alerting: [Int: AlertingRuleState] = [:]
    public private(set) var statuses: [RuleStatus]
    public private(set) var lastEvaluation: Int64?
    public private(set) var evaluationSeconds: Double = 0

    public init(key: RuleGroupKey, group: RuleGroup, defaultIntervalNanos: Int64) {
        precondition(defaultIntervalNanos > 0, "RuleGroupState needs a positive default interval, got \(defaultIntervalNanos)")
        self.key = key
        self.group = group
        intervalNanos = group.intervalNanos ?? defaultIntervalNanos
        statuses = Array(repeating: RuleStatus(), count: group.rules.count)
        for (index, rule) in group.rules.enumerated() where rule.isAlerting {
            alerting[index] = AlertingRuleState(rule: rule)
        }
    }

    /// Takes over the alerts of rules that are still in the group after a change: same kind, name and labels.
    public mutating func inherit(from previous: RuleGroupState) {
        for (index, rule) in group.rules.enumerated() where rule.isAlerting {
            guard let old = previous.group.rules.indices.first(where: {
                previous.group.rules[$0].kind == rule.kind && previous.group.rules[$0].labels == rule.labels
            }), let oldState = previous.alerting[old] else { continue }
            alerting[index]?.inherit(oldState)
            statuses[index] = previous.statuses[old]
        }
    }

    /// Applies the outcomes of every rule's query (in rule order) evaluated at `ts`.
    public mutating func apply(_ outcomes: [RuleQueryOutcome], at ts: Int64, resendDelayNanos: Int64,
                               context: RuleContext, totalSeconds: Double) -> RuleGroupEvaluation {
        precondition(outcomes.count == group.rules.count,
                     "RuleGroupState.apply needs one outcome per rule: \(outcomes.count) for \(group.rules.count) in \(key)")
        var evaluation = RuleGroupEvaluation()
        for (index, rule) in group.rules.enumerated() {
            let outcome = outcomes[index]
            var status = RuleStatus()
            status.lastEvaluation = ts
            status.evaluationSeconds = outcome.seconds
            do {
                let samples = try outcome.result.get()
                if rule.isAlerting {
                    try alerting[index]?.evaluate(samples, at: ts, limit: group.limit, context: context)
                } else {
                    evaluation.samples += try RecordingRuleOutput.samples(samples, rule: rule, at: ts, limit: group.limit,
                                                                          context: context)
                }
                status.health = .ok
            } catch {
                status.health = .err
                status.lastError = error.message
            }
            if rule.isAlerting, var state = alerting[index] {
                evaluation.notifications += state.notifications(
                    at: ts, resendDelay: resendDelayNanos, interval: intervalNanos,
                    generatorURL: GeneratorURL.make(externalURL: context.externalURL, expr: rule.expr))
                    .map { $0.addingExternalLabels(context.externalLabels) }
                alerting[index] = state
            }
            statuses[index] = status
        }
        lastEvaluation = ts
        evaluationSeconds = totalSeconds
        return evaluation
    }
}

extension AlertNotification {
    /// Prometheus' notifier adds the external labels an alert does not already have.
    func addingExternalLabels(_ external: Labels) -> AlertNotification {
        guard !external.isEmpty else { return self }
        var copy = self
        copy.labels = Labels(external.pairs + labels.pairs)
        return copy
    }
}
