import FjordModel
import FjordRing
import FjordRuntime
public import FjordServiceAPI
import FjordWire
import Logging
import Metrics

/// The distributor in cluster mode: sends each stream of a push to the replicas the ring assigns it and succeeds
/// when every stream reached its quorum (`RF/2+1`), with Loki's semantics and error texts. Ingesters that fail are
/// marked unhealthy and skipped until they answer again.
public final class RingDistributor: PushTarget, Sendable {
    let watcher: MembershipWatcher
    let health: HealthMonitor
    let clients: WireClientCache
    let logger: Logger
    /// Loki's `ingester_client.remote_timeout`.
    let timeout: Duration

    public init(watcher: MembershipWatcher, health: HealthMonitor, clients: WireClientCache, logger: Logger,
                timeout: Duration = .seconds(5)) {
        self.watcher = watcher
        self.health = health
        self.clients = clients
        self.logger = logger
        self.timeout = timeout
    }

    public func push(tenant: String, streams: [PushStream]) async throws(ServiceError) {
        let ring = watcher.snapshot.ring
        let keys = streams.map { Ring.token(tenant: tenant, labels: $0.canonicalLabels ?? $0.labels.canonicalString) }
        var tracker: WriteQuorumTracker<ServiceError>
        do {
            tracker = WriteQuorumTracker(replicationSets: try ring.replicationSets(for: keys, healthy: health.healthyInstances(in: ring)))
        } catch {
            throw ServiceError(status: 500, message: error.description)
        }
        let batches = tracker.streamsByInstance
        let outcomes = await withTaskGroup(of: (Int, ReplicaOutcome<ServiceError>).self) { group in
            for batch in batches {
                let instance = ring.instances[batch.instance]
                let subset = batch.streams.map { streams[$0] }
                group.addTask { [clients, health, timeout] in
                    do {
                        let client = try clients.client(for: instance.address)
                        try await client.push(tenant: tenant, streams: subset, timeout: timeout)
                        health.record(.success, for: instance.address)
                        return (batch.instance, .success)
                    } catch let error as WireError {
                        health.record(error.healthObservation, for: instance.address)
                        let failure = error.serviceError(peer: instance.id)
                        return (batch.instance, .failure(failure, isClientError: error.code == .service && error.status < 500))
                    } catch {
                        health.record(.unreachable, for: instance.address)
                        return (batch.instance, .failure(ServiceError(status: 500, message: "\(instance.id): \(error)"),
                                                         isClientError: false))
                    }
                }
            }
            var collected: [(Int, ReplicaOutcome<ServiceError>)] = []
            for await outcome in group { collected.append(outcome) }
            return collected
        }
        var decision: QuorumDecision<ServiceError> = .pending
        for (instance, outcome) in outcomes where !decision.isFinal {
            decision = tracker.record(instance: instance, outcome: outcome)
        }
        switch decision {
        case .succeeded:
            return
        case .failed(let instance, let failure):
            Counter(label: "fjord_distributor_push_failures_total").increment()
            logger.debug("push failed quorum", metadata: ["ingester": "\(ring.instances[instance].id)", "error": "\(failure)"])
            throw failure
        case .pending:
            throw ServiceError(status: 500, message: "push did not reach a decision (no replicas answered)")
        }
    }
}
