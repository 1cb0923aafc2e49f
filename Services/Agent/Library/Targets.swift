import Logging

/// What `/targets` shows about one target.
public struct TargetInfo: Sendable {
    public var job: String
    /// `file`, `docker` or `journal`.
    public var kind: String
    /// The file path, container id or journal.
    public var name: String
    public var labels: [String: String]
    /// `ready`, `waiting` (the file is gone), `failed: …`.
    public var state: String
    public var details: [String: String] = [:]

    public init(job: String, kind: String, name: String, labels: [String: String], state: String) {
        self.job = job
        self.kind = kind
        self.name = name
        self.labels = labels
        self.state = state
    }
}

/// The live targets, by key (`file:<path>`, `docker:<id>`, `journal:<job>`): who runs, for `/targets` and for the
/// discovery loops to know what to start.
public actor TargetRegistry {
    private var targets: [String: TargetInfo] = [:]

    public init() {}

    public func isActive(_ key: String) -> Bool { targets[key] != nil }

    public func register(_ key: String, _ info: TargetInfo) { targets[key] = info }

    public func setState(_ key: String, _ state: String) { targets[key]?.state = state }

    public func unregister(_ key: String) { targets.removeValue(forKey: key) }

    public func snapshot() -> [TargetInfo] {
        targets.keys.sorted().compactMap { targets[$0] }
    }

    public var fileCount: Int { targets.values.filter { $0.kind == "file" }.count }
}

/// Hands a pipeline's output on: entries to every client, dropped ones counted and marked done for the positions.
public struct EntryRouter: Sendable {
    let clients: [PushClient]
    let positions: PositionsKeeper

    public init(clients: [PushClient], positions: PositionsKeeper) {
        self.clients = clients
        self.positions = positions
    }

    public func deliver(_ output: PipelineOutput) async {
        if !output.entries.isEmpty {
            for client in clients { await client.enqueue(output.entries) }
        }
        guard !output.dropped.isEmpty else { return }
        var byReason: [String: (Int, Int)] = [:]
        for (entry, reason) in output.dropped {
            byReason[reason, default: (0, 0)].0 += 1
            byReason[reason, default: (0, 0)].1 += entry.line.utf8.count
        }
        for (reason, counts) in byReason {
            AgentMetrics.dropped(reason: reason, entries: counts.0, bytes: counts.1)
        }
        await positions.acknowledge(output.dropped.compactMap(\.entry.ack), all: true)
    }
}

/// The settings every source loop needs.
public struct SourceContext: Sendable {
    public var router: EntryRouter
    public var positions: PositionsKeeper
    public var registry: TargetRegistry
    public var clock: @Sendable () -> Int64
    public var logger: Logger
    public var pollNanos: Int64
    public var partialLineTimeoutNanos: Int64

    public init(router: EntryRouter, positions: PositionsKeeper, registry: TargetRegistry,
                clock: @escaping @Sendable () -> Int64, logger: Logger, pollNanos: Int64, partialLineTimeoutNanos: Int64) {
        self.router = router
        self.positions = positions
        self.registry = registry
        self.clock = clock
        self.logger = logger
        self.pollNanos = pollNanos
        self.partialLineTimeoutNanos = partialLineTimeoutNanos
    }
}

/// Sleeps, returning false when the task was cancelled.
func pause(_ nanos: Int64) async -> Bool {
    do {
        try await Task.sleep(nanoseconds: UInt64(max(1_000_000, nanos)))
        return true
    } catch {
        return false
    }
}
