public import FjordModel

/// Where an alert is in its life: `pending` while its condition has held for less than `for`, `firing` after, and
/// `inactive` once resolved (kept for 15 minutes so Alertmanager hears about the resolution).
public enum AlertState: String, Sendable, Hashable, Comparable {
    case inactive, pending, firing

    public static func < (lhs: AlertState, rhs: AlertState) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .inactive: return 0
        case .pending: return 1
        case .firing: return 2
        }
    }
}

/// One alert of an alerting rule (one label set of the expression's result). Times are Unix nanoseconds.
public struct ActiveAlert: Sendable, Hashable {
    public var labels: Labels
    public var annotations: Labels
    public var value: Double
    public var state: AlertState
    /// When the condition started to hold.
    public var activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    public var lastSentAt: Int64?
    /// The `endsAt` sent with a firing alert: when Alertmanager should consider it resolved if it hears nothing.
    public var validUntil: Int64?
    /// When the condition stopped holding while `keep_firing_for` keeps the alert firing.
    public var keepFiringSince: Int64?

    public init(labels: Labels, annotations: Labels, value: Double, state: AlertState, activeAt: Int64) {
        self.labels = labels
        self.annotations = annotations
        self.value = value
        self.state = state
        self.activeAt = activeAt
    }

    /// Prometheus' `needsSending`: never while pending; at once after a resolution not yet sent; otherwise once
    /// `resendDelay` has passed since the last send.
    func needsSending(at ts: Int64, resendDelay: Int64) -> Bool {
        if state == .pending { return false }
        if let resolvedAt, resolvedAt > (lastSentAt ?? Int64.min) { return true }
        guard let lastSentAt else { return true }
        return lastSentAt + resendDelay < ts
    }
}

/// What the alert templates and notifications need from the ruler's configuration.
public struct RuleContext: Sendable, Hashable {
    /// `external_labels`: added to alerts and recorded series (without overriding their own labels).
    public var externalLabels: Labels
    /// `external_url`: the base of alerts' `generatorURL`.
    public var externalURL: String

    public init(externalLabels: Labels = Labels(), externalURL: String = "") {
        self.externalLabels = externalLabels
        self.externalURL = externalURL
    }
}

/// A rule evaluation that failed: the query failed or the result broke a rule (duplicate label sets, limit).
public struct RuleEvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The alert state machine of one alerting rule, as Prometheus' `AlertingRule.Eval` runs it, with time passed in:
/// each evaluation's samples start alerts (pending), `for` later they fire, and when their label set disappears they
/// resolve (or keep firing for `keep_firing_for`). Pure: no clock, no I/O.
public struct AlertingRuleState: Sendable {
    /// How long a resolved alert is kept (and re-sent) so Alertmanager learns it resolved.
    public static let resolvedRetentionNanos: Int64 = 15 * 60 * 1_000_000_000

    public let rule: Rule
    /// Alerts by label set.
    public private(set) var active: [Labels: ActiveAlert] = [:]

    public init(rule: Rule) {
        precondition(rule.isAlerting, "AlertingRuleState needs an alerting rule, got recording rule \(rule.name)")
        self.rule = rule
    }

    /// The rule's state: its most advanced alert's (`inactive` with none).
    public var state: AlertState {
        active.values.filter { $0.state != .inactive }.map(\.state).max() ?? .inactive
    }

    /// Alerts that are pending or firing, sorted by labels.
    public var activeAlerts: [ActiveAlert] {
        active.values.filter { $0.state != .inactive }.sorted { $0.labels.canonicalString < $1.labels.canonicalString }
    }

    /// Takes over the alerts of the same rule from a previous definition of its group (Prometheus' `CopyState`).
    public mutating func inherit(_ previous: AlertingRuleState) {
        active = previous.active
    }

    /// Applies one evaluation's result at `ts`. On error nothing changes, except that exceeding `limit` clears every
    /// alert as Prometheus does.
    public mutating func evaluate(_ samples: [InstantSample], at ts: Int64, limit: Int,
                                  context: RuleContext) throws(RuleEvaluationError) {
        let name = rule.name
        var current: [Labels: ActiveAlert] = [:]
        for sample in samples {
            var sampleLabels = sample.labels
            sampleLabels.remove("__name__")
            let data = TemplateData(labels: sampleLabels, value: sample.value, externalLabels: context.externalLabels,
                                    externalURL: context.externalURL)
            var pairs = sampleLabels.pairs
            for label in rule.labels {
                pairs.append(LabelPair(label.name, AlertTemplate.expand(label.value, name: "__alert_" + name, data: data)))
            }
            pairs.append(LabelPair("alertname", name))
            let labels = Labels(pairs)
            let annotations = Labels(rule.annotations.map {
                LabelPair($0.name, AlertTemplate.expand($0.value, name: "__alert_" + name, data: data))
            })
            guard current[labels] == nil else {
                throw RuleEvaluationError("vector contains metrics with the same labelset after applying alert labels")
            }
            current[labels] = ActiveAlert(labels: labels, annotations: annotations, value: sample.value, state: .pending,
                                          activeAt: ts)
        }
        for (labels, alert) in current {
            if var existing = active[labels], existing.state != .inactive {
                existing.value = alert.value
                existing.annotations = alert.annotations
                active[labels] = existing
            } else {
                active[labels] = alert
            }
        }
        var activeOrPending = 0
        for (labels, var alert) in active {
            if current[labels] == nil {
                var keepFiring = false
                if alert.state == .firing, rule.keepFiringForNanos > 0 {
                    let since = alert.keepFiringSince ?? ts
                    alert.keepFiringSince = since
                    keepFiring = ts - since < rule.keepFiringForNanos
                }
                if alert.state == .pending
                    || (alert.resolvedAt.map { ts - $0 > AlertingRuleState.resolvedRetentionNanos } ?? false) {
                    active[labels] = nil
                    continue
                }
                if !keepFiring {
                    if alert.state != .inactive {
                        alert.state = .inactive
                        alert.resolvedAt = ts
                    }
                    active[labels] = alert
                    continue
                }
            } else {
                alert.keepFiringSince = nil
            }
            activeOrPending += 1
            if alert.state == .pending, ts - alert.activeAt >= rule.forNanos {
                alert.state = .firing
                alert.firedAt = ts
            }
            active[labels] = alert
        }
        if limit > 0, activeOrPending > limit {
            active = [:]
            throw RuleEvaluationError("exceeded limit of \(limit) with \(activeOrPending) alerts")
        }
    }

    /// The alerts to send to Alertmanager at `ts` (Prometheus' `sendAlerts`), marking them sent. A firing alert's
    /// `endsAt` is `ts + 4 × max(resendDelay, interval)`, so two lost evaluations or sends do not resolve it; a
    /// resolved one's is its resolution time.
    public mutating func notifications(at ts: Int64, resendDelay: Int64, interval: Int64,
                                       generatorURL: String) -> [AlertNotification] {
        var out: [AlertNotification] = []
        let delta = max(resendDelay, interval)
        for (labels, var alert) in active where alert.needsSending(at: ts, resendDelay: resendDelay) {
            alert.lastSentAt = ts
            alert.validUntil = ts + 4 * delta
            active[labels] = alert
            out.append(AlertNotification(
                labels: alert.labels, annotations: alert.annotations, startsAt: alert.firedAt ?? alert.activeAt,
                endsAt: alert.resolvedAt ?? ts + 4 * delta, generatorURL: generatorURL))
        }
        return out.sorted { $0.labels.canonicalString < $1.labels.canonicalString }
    }
}

/// One alert as Alertmanager's `POST /api/v2/alerts` receives it. Times are Unix nanoseconds.
public struct AlertNotification: Sendable, Hashable {
    public var labels: Labels
    public var annotations: Labels
    public var startsAt: Int64
    public var endsAt: Int64
    public var generatorURL: String

    public init(labels: Labels, annotations: Labels, startsAt: Int64, endsAt: Int64, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}
