public import FjordConfig
import FjordRuntime
import FjordModel
import Foundation
public import FjordRules
public import FjordServiceAPI
public import Logging
import ServiceLifecycle

extension ServiceError {
    /// Loki's `ErrNoRuleGroups`.
    static let noRuleGroups = ServiceError.notFound("no rule groups found")
}

/// The ruler role: loads rule groups from the local rule store, evaluates the groups this ruler owns (all of them in
/// the all-in-one) through a querier, sends alerts to Alertmanager and recorded samples to remote-write, and answers
/// the rule API's operations. HTTP lives in ``RulerRoutes``; this type speaks in rule groups and bytes.
public final class Ruler: Sendable {
    public let store: LocalRuleStore
    let manager: RuleManager
    let notifier: AlertmanagerNotifier?
    let writer: RemoteWriter?
    let pollIntervalNanos: Int64
    let logger: Logger

    /// - Parameters:
    ///   - query: where rule expressions run (the in-process querier, or the queriers of the membership file).
    ///   - sharding: which groups this ruler owns, asked at every sync (the ring may change).
    public init(config: FjordConfiguration, query: any QueryTarget,
                sharding: @escaping @Sendable () -> RuleSharding = { RuleSharding.single },
                clock: any RulerClock = WallClock(), logger: Logger) throws(RulerConfigError) {
        let settings = config.ruler
        let alertmanagers = try settings.alertmanagerURL.split(separator: ",").map { text throws(RulerConfigError) in
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let url = OutboundURL(trimmed) else {
                throw RulerConfigError("ruler.alertmanager_url: \"\(trimmed)\" is not an http(s) URL")
            }
            return url
        }
        notifier = alertmanagers.isEmpty ? nil : AlertmanagerNotifier(
            urls: alertmanagers, timeoutNanos: settings.notificationTimeoutNanos,
            capacity: settings.notificationQueueCapacity, logger: logger)
        if settings.remoteWrite.enabled {
            guard let url = OutboundURL(settings.remoteWrite.clientURL) else {
                throw RulerConfigError("ruler.remote_write.client.url: \"\(settings.remoteWrite.clientURL)\" is not an http(s) URL")
            }
            writer = RemoteWriter(url: url, timeoutNanos: settings.notificationTimeoutNanos,
                                  addOrgIDHeader: settings.remoteWrite.addOrgIDHeader, logger: logger)
        } else {
            writer = nil
        }
        store = LocalRuleStore(directory: config.rulesDirectory)
        let context = RuleContext(externalLabels: Labels(settings.externalLabels), externalURL: settings.externalURL)
        let environment = EvaluationEnvironment(
            query: query, notifier: notifier, writer: writer, context: context,
            resendDelayNanos: settings.resendDelayNanos, clock: clock, logger: logger)
        manager = RuleManager(store: store, environment: environment,
                              defaultIntervalNanos: settings.evaluationIntervalNanos, sharding: sharding)
        pollIntervalNanos = settings.pollIntervalNanos
        self.logger = logger
    }

    /// Re-reads the rule store now (the API does this after a change; the service every `poll_interval`).
    public func sync() async { await manager.sync() }

    /// Evaluates one group at `ts` now, outside its schedule (tests, tools). Throws when this ruler does not run it.
    public func evaluateNow(_ key: RuleGroupKey, at ts: Int64) async throws(ServiceError) {
        guard let runner = await manager.runner(key) else { throw ServiceError.notFound("group \(key) is not evaluated here") }
        await runner.evaluate(at: ts)
    }

    /// Stops every group's evaluations (the service does this on shutdown).
    public func stop() async { await manager.stopAll() }

    /// The lifecycle service running the ruler: deliveries, the store poll and every owned group's evaluations.
    public var service: some Service { RulerService(ruler: self) }

    // MARK: The rule API's operations

    /// `GET /loki/api/v1/rules[/{namespace}]`: the tenant's namespaces (one when `namespace` is given).
    public func list(tenant: String, namespace: String? = nil) throws(ServiceError) -> [RuleNamespace] {
        var namespaces = store.namespaces(tenant: tenant)
        if let namespace { namespaces = namespaces.filter { $0.name == namespace } }
        namespaces = namespaces.filter { !$0.groups.isEmpty }
        guard !namespaces.isEmpty else { throw ServiceError.noRuleGroups }
        return namespaces
    }

    /// `GET /loki/api/v1/rules/{namespace}/{group}`.
    public func group(tenant: String, namespace: String, name: String) throws(ServiceError) -> RuleGroup {
        guard let group = store.namespaces(tenant: tenant).first(where: { $0.name == namespace })?
            .groups.first(where: { $0.name == name }) else {
            throw ServiceError.notFound("group does not exist")
        }
        return group
    }

    /// `POST /loki/api/v1/rules/{namespace}` with one group's YAML.
    public func set(tenant: String, namespace: String, yaml: String) async throws(ServiceError) {
        let group: RuleGroup
        do {
            group = try RuleFileParser.parseGroup(yaml)
        } catch {
            throw ServiceError.badRequest(error.apiMessage)
        }
        try storeCall { () throws(RuleStoreError) in try store.setGroup(tenant: tenant, namespace: namespace, group: group) }
        await manager.sync()
    }

    /// `DELETE /loki/api/v1/rules/{namespace}/{group}`.
    public func delete(tenant: String, namespace: String, group: String) async throws(ServiceError) {
        try storeCall { () throws(RuleStoreError) in try store.deleteGroup(tenant: tenant, namespace: namespace, group: group) }
        await manager.sync()
    }

    /// `DELETE /loki/api/v1/rules/{namespace}`.
    public func delete(tenant: String, namespace: String) async throws(ServiceError) {
        try storeCall { () throws(RuleStoreError) in try store.deleteNamespace(tenant: tenant, namespace: namespace) }
        await manager.sync()
    }

    /// `GET /prometheus/api/v1/rules`: JSON.
    public func prometheusRules(tenant: String, filter: PrometheusRulesFilter) async -> [UInt8] {
        RulerAPIEncoding.rules(await manager.states(tenant: tenant), filter: filter)
    }

    /// `GET /prometheus/api/v1/alerts`: JSON.
    public func alerts(tenant: String) async -> [UInt8] {
        RulerAPIEncoding.alerts(await manager.states(tenant: tenant))
    }

    private func storeCall(_ body: () throws(RuleStoreError) -> Void) throws(ServiceError) {
        do {
            try body()
        } catch {
            switch error.kind {
            case .groupNotFound, .namespaceNotFound: throw ServiceError.notFound(error.message)
            case .invalidName, .invalidFile: throw ServiceError.badRequest(error.message)
            case .io: throw ServiceError.internalError(error.message)
            }
        }
    }
}

/// A ruler setting that cannot be used (bad URL), reported at start-up.
public struct RulerConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs the ruler until graceful shutdown: the Alertmanager and remote-write senders, a first sync of the rule store
/// and one every `poll_interval`; on shutdown every group stops.
struct RulerService: Service {
    let ruler: Ruler

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            if let notifier = ruler.notifier { group.addTask { await notifier.run() } }
            if let writer = ruler.writer { group.addTask { await writer.run() } }
            group.addTask {
                await ruler.sync()
                let interval = ruler.pollIntervalNanos
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(nanoseconds: UInt64(interval))
                    } catch {
                        return
                    }
                    await ruler.sync()
                }
            }
            try? await gracefulShutdown()
            await ruler.manager.stopAll()
            ruler.notifier?.stop()
            ruler.writer?.stop()
            group.cancelAll()
        }
    }
}
