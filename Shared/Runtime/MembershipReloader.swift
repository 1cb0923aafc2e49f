public import FjordRing
public import Logging
public import ServiceLifecycle

/// Re-reads the membership file every poll interval; on a change, logs it and closes connections to members that
/// left. A bad file keeps the previous ring and logs the error.
public struct MembershipReloader: Service {
    let watcher: MembershipWatcher
    let clients: WireClientCache
    let logger: Logger

    public init(watcher: MembershipWatcher, clients: WireClientCache, logger: Logger) {
        self.watcher = watcher
        self.clients = clients
        self.logger = logger
    }

    public func run() async throws {
        let interval = watcher.pollInterval.components
        let nanos = interval.seconds * 1_000_000_000 + interval.attoseconds / 1_000_000_000
        try await PeriodicService(intervalNanos: nanos) { [watcher, clients, logger] in
            switch watcher.reload() {
            case .unchanged:
                break
            case .updated(let snapshot):
                let membership = snapshot.membership
                logger.info("membership file changed", metadata: [
                    "ingesters": "\(membership.ingesters.count)", "queriers": "\(membership.queriers.count)",
                    "rulers": "\(membership.rulers.count)",
                    "generation": "\(snapshot.generation)",
                ])
                let addresses = Set(MemberRole.allCases.flatMap { membership.members($0).map(\.address) })
                await clients.retain(only: addresses)
            case .rejected(let error):
                logger.error("membership file rejected; keeping the previous ring", metadata: ["error": "\(error)"])
            }
        }.run()
    }
}
