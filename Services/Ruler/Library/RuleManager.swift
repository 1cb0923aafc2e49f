import FjordModel
import FjordRules
import Logging
import Metrics

/// Keeps one ``GroupRunner`` per rule group this ruler owns, in step with the rule store and the ruler ring:
/// ``sync()`` re-reads the store, starts runners for new groups, restarts changed groups (their alerts carry over,
/// as Prometheus' `CopyState` does) and stops groups that were deleted or moved to another ruler.
actor RuleManager {
    let store: LocalRuleStore
    let environment: EvaluationEnvironment
    let defaultIntervalNanos: Int64
    let sharding: @Sendable () -> RuleSharding
    private var runners: [RuleGroupKey: GroupRunner] = [:]
    /// Every group in the store (owned or not), for the API.
    private var known: [RuleGroupKey: RuleGroup] = [:]
    private var reportedErrors: Set<String> = []

    init(store: LocalRuleStore, environment: EvaluationEnvironment, defaultIntervalNanos: Int64,
         sharding: @escaping @Sendable () -> RuleSharding) {
        self.store = store
        self.environment = environment
        self.defaultIntervalNanos = defaultIntervalNanos
        self.sharding = sharding
    }

    /// Reconciles the running groups with the store and the ring.
    func sync() async {
        let snapshot = store.load()
        report(snapshot.errors)
        let ring = sharding()
        var wanted: [RuleGroupKey: RuleGroup] = [:]
        known = [:]
        for (key, group) in snapshot.groups {
            known[key] = group
            if ring.owns(key) { wanted[key] = group }
        }
        for (key, runner) in runners where wanted[key] == nil {
            await runner.stop()
            runners[key] = nil
            environment.logger.info("rule group stopped", metadata: ["rule_group": "\(key)"])
        }
        for (key, group) in wanted {
            if let runner = runners[key] {
                guard await runner.group != group else { continue }
                var state = RuleGroupState(key: key, group: group, defaultIntervalNanos: defaultIntervalNanos)
                state.inherit(from: await runner.state)
                await runner.stop()
                runners[key] = await start(state)
                environment.logger.info("rule group updated", metadata: ["rule_group": "\(key)"])
            } else {
                runners[key] = await start(RuleGroupState(key: key, group: group, defaultIntervalNanos: defaultIntervalNanos))
                environment.logger.info("rule group started", metadata: [
                    "rule_group": "\(key)", "rules": "\(group.rules.count)",
                    "interval": "\(PromDuration.format(group.intervalNanos ?? defaultIntervalNanos))",
                ])
            }
        }
        Gauge(label: "loki_ruler_rule_groups_owned").record(runners.count)
    }

    private func start(_ state: RuleGroupState) async -> GroupRunner {
        let runner = GroupRunner(state: state, environment: environment)
        await runner.start()
        return runner
    }

    /// Logs rule files that are rejected, once per distinct problem.
    private func report(_ errors: [RuleFileErrors]) {
        let current = Set(errors.map(\.description))
        for error in errors where !reportedErrors.contains(error.description) {
            environment.logger.error("rule file rejected", metadata: ["error": "\(error.description)"])
        }
        reportedErrors = current
        Gauge(label: "loki_ruler_rule_files_rejected").record(errors.count)
    }

    /// The state of `tenant`'s groups: live for the groups evaluated here, empty (health `unknown`) for the others.
    func states(tenant: String) async -> [RuleGroupState] {
        var out: [RuleGroupState] = []
        for (key, group) in known where key.tenant == tenant {
            if let runner = runners[key] {
                out.append(await runner.state)
            } else {
                out.append(RuleGroupState(key: key, group: group, defaultIntervalNanos: defaultIntervalNanos))
            }
        }
        return out
    }

    /// The runner of `key`, if this ruler evaluates it (tests).
    func runner(_ key: RuleGroupKey) -> GroupRunner? { runners[key] }

    /// Stops every group.
    func stopAll() async {
        for runner in runners.values { await runner.stop() }
        runners = [:]
    }
}
