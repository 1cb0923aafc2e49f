import FjordModel
import FjordRules
import FjordServiceAPI
import Logging
import Metrics

/// What a group's evaluations need from the ruler.
struct EvaluationEnvironment: Sendable {
    let query: any QueryTarget
    let notifier: AlertmanagerNotifier?
    let writer: RemoteWriter?
    let context: RuleContext
    let resendDelayNanos: Int64
    let clock: any RulerClock
    let logger: Logger
}

/// Evaluates one rule group on its schedule: at each aligned evaluation time it runs every rule's LogQL as an
/// instant query through the querier, applies the outcomes to the group's state, queues alerts for Alertmanager and
/// recorded samples for remote-write. Missed evaluation times (a slow query) are skipped, not caught up.
actor GroupRunner {
    private(set) var state: RuleGroupState
    let environment: EvaluationEnvironment
    private var task: Task<Void, Never>?

    init(state: RuleGroupState, environment: EvaluationEnvironment) {
        self.state = state
        self.environment = environment
    }

    var group: RuleGroup { state.group }

    func start() {
        guard task == nil else { return }
        task = Task { await self.loop() }
    }

    func stop() {
        task?.cancel()
        task = nil
    }

    private func loop() async {
        let key = state.key
        let interval = state.intervalNanos
        let clock = environment.clock
        var next = RuleSchedule.evaluationTime(atOrBefore: clock.now(), interval: interval, key: key) + interval
        while !Task.isCancelled {
            do {
                try await clock.sleep(until: next)
            } catch {
                return
            }
            if Task.isCancelled { return }
            await evaluate(at: next)
            let now = clock.now()
            let following = RuleSchedule.evaluationTime(atOrBefore: now, interval: interval, key: key) + interval
            if following > next + interval {
                Counter(label: "loki_prometheus_rule_group_iterations_missed_total", dimensions: [("rule_group", key.description)])
                    .increment(by: Int((following - next) / interval) - 1)
            }
            next = following
        }
    }

    /// One evaluation at `ts` (Unix nanoseconds).
    func evaluate(at ts: Int64) async {
        let key = state.key
        let started = ContinuousClock.now
        var outcomes: [RuleQueryOutcome] = []
        for rule in state.group.rules {
            let ruleStart = ContinuousClock.now
            let result = await runQuery(rule.expr, tenant: key.tenant, at: ts)
            outcomes.append(RuleQueryOutcome(result: result, seconds: Self.seconds(since: ruleStart)))
        }
        let evaluation = state.apply(outcomes, at: ts, resendDelayNanos: environment.resendDelayNanos,
                                     context: environment.context, totalSeconds: Self.seconds(since: started))
        let dimensions = [("rule_group", key.description)]
        Counter(label: "loki_prometheus_rule_evaluations_total", dimensions: dimensions).increment(by: outcomes.count)
        let failures = state.statuses.filter { $0.health == .err }
        if !failures.isEmpty {
            Counter(label: "loki_prometheus_rule_evaluation_failures_total", dimensions: dimensions).increment(by: failures.count)
            environment.logger.warning("rule evaluation failed", metadata: [
                "rule_group": "\(key)", "error": "\(failures.map(\.lastError).joined(separator: "; "))",
            ])
        }
        Gauge(label: "loki_prometheus_rule_group_last_evaluation_timestamp_seconds", dimensions: dimensions)
            .record(Double(ts) / 1e9)
        if let notifier = environment.notifier, !evaluation.notifications.isEmpty {
            await notifier.send(evaluation.notifications)
        }
        if let writer = environment.writer, !evaluation.samples.isEmpty {
            await writer.write(tenant: key.tenant, evaluation.samples)
        }
    }

    private func runQuery(_ expr: String, tenant: String, at ts: Int64) async -> Result<[InstantSample], RuleEvaluationError> {
        let request = QueryRequest(tenants: [tenant], query: expr, start: ts, end: ts, step: 0, isInstant: true)
        do {
            switch try await environment.query.query(request).data {
            case .vector(let samples): return .success(samples)
            case .scalar(let millis, let value): return .success([InstantSample(labels: Labels(), timestampMillis: millis, value: value)])
            case .matrix, .streams: return .failure(RuleEvaluationError("rule result is not a vector or scalar"))
            }
        } catch {
            return .failure(RuleEvaluationError(error.message))
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
