public import FjordModel
import FjordRing
public import FjordRuntime
import FjordServiceAPI
import FjordWire
import Logging

/// The querier's read path to ingesters in cluster mode: asks every healthy ingester of the ring (each holds some
/// replicas) for the matching streams, tolerating as many failures as the replication factor allows, and joins the
/// streams by labels. Replicas' identical entries are dropped later by the stream cursor's de-duplication.
public final class RingIngesterSource: LogSource, Sendable {
    let watcher: MembershipWatcher
    let health: HealthMonitor
    let clients: WireClientCache
    let logger: Logger

    public init(watcher: MembershipWatcher, health: HealthMonitor, clients: WireClientCache, logger: Logger) {
        self.watcher = watcher
        self.health = health
        self.clients = clients
        self.logger = logger
    }

    public func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        let ring = watcher.snapshot.ring
        let readSet: ReadSet
        do {
            readSet = try ring.readSet(healthy: health.healthyInstances(in: ring))
        } catch {
            throw ServiceError(status: 503, message: "\(error)")
        }
        let instances = readSet.instances.map { ring.instances[$0] }
        let answers = await withTaskGroup(of: (RingInstance, Result<[StreamData], any Error>).self) { group in
            for instance in instances {
                group.addTask { [clients, health] in
                    do {
                        let client = try clients.client(for: instance.address)
                        let streams = try await client.select(tenant: tenant, matchers: matchers, start: start, end: end)
                        health.record(.success, for: instance.address)
                        return (instance, .success(streams))
                    } catch let error as WireError {
                        health.record(error.healthObservation, for: instance.address)
                        return (instance, .failure(error))
                    } catch {
                        health.record(.unreachable, for: instance.address)
                        return (instance, .failure(error))
                    }
                }
            }
            var collected: [(RingInstance, Result<[StreamData], any Error>)] = []
            for await answer in group { collected.append(answer) }
            return collected
        }
        var failures: [(RingInstance, any Error)] = []
        var merged: [Labels: Int] = [:]
        var out: [StreamData] = []
        for (instance, result) in answers {
            switch result {
            case .success(let streams):
                for stream in streams {
                    if let index = merged[stream.labels] {
                        out[index].blocks.append(contentsOf: stream.blocks)
                    } else {
                        merged[stream.labels] = out.count
                        out.append(stream)
                    }
                }
            case .failure(let error):
                failures.append((instance, error))
            }
        }
        if failures.count > readSet.maxErrors, let (instance, error) = failures.first {
            logger.warning("too many ingesters failed a read", metadata: [
                "failed": "\(failures.count)", "tolerated": "\(readSet.maxErrors)", "first": "\(instance.id): \(error)",
            ])
            if let wire = error as? WireError { throw wire.serviceError(peer: instance.id) }
            throw ServiceError(status: 500, message: "\(instance.id): \(error)")
        }
        return out
    }
}
