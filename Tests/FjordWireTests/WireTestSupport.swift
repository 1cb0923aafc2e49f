import FjordModel
import FjordServiceAPI
import FjordStorage
import FjordWire
import Synchronization

/// A ``WireHandler`` for tests: records pushes, answers from fixed data, and can be told to fail or stall.
/// The role interfaces' index statistics (FjordStorage has its own `IndexStats`).
typealias ServiceIndexStats = FjordServiceAPI.IndexStats

final class RecordingHandler: WireHandler {
    struct Behaviour: Sendable {
        var pushError: ServiceError?
        /// Handlers sleep this long before answering (for deadline tests).
        var delay: Duration?
        /// Pushes wait, ignoring cancellation (like an ingester's flush writing chunks), until ``releasePushes()``.
        var holdPushes = false
        var streams: [StreamData] = []
        var queryResult = QueryResult(data: .streams([]))
        var names: [String] = []
        var labelSets: [Labels] = []
        var stats = ServiceIndexStats()
        var notReady: String?
    }

    let behaviour: Mutex<Behaviour>
    let pushes = Mutex<[(String, [PushStream])]>([])
    let flushes = Atomic<Int>(0)
    let cancelledHandlers = Atomic<Int>(0)
    let inFlight = Atomic<Int>(0)
    let maxInFlight = Atomic<Int>(0)
    /// Pushes held by `holdPushes` that have been released.
    let releasedPushes = Atomic<Int>(0)
    private let heldPushes = Mutex<(released: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    /// Lets held pushes (and later ones) continue.
    func releasePushes() {
        let waiting = heldPushes.withLock { state in
            state.released = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }

    init(_ behaviour: Behaviour = Behaviour()) { self.behaviour = Mutex(behaviour) }

    private func pause() async throws {
        guard let delay = behaviour.withLock({ $0.delay }) else { return }
        let now = inFlight.add(1, ordering: .relaxed).newValue
        maxInFlight.max(now, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        do {
            try await Task.sleep(for: delay)
        } catch {
            cancelledHandlers.add(1, ordering: .relaxed)
            throw error
        }
    }

    func push(tenant: String, streams: [PushStream]) async throws {
        if behaviour.withLock({ $0.holdPushes }) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let released = heldPushes.withLock { state in
                    if !state.released { state.waiting.append(continuation) }
                    return state.released
                }
                if released { continuation.resume() }
            }
            releasedPushes.add(1, ordering: .relaxed)
        }
        try await pause()
        if let error = behaviour.withLock({ $0.pushError }) { throw error }
        pushes.withLock { $0.append((tenant, streams)) }
    }

    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        try await pause()
        return behaviour.withLock { $0.streams }.filter { $0.labels.matches(matchers) }
    }

    func query(_ request: QueryRequest) async throws -> QueryResult {
        try await pause()
        if request.query == "bad" { throw ServiceError.badRequest("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER") }
        return behaviour.withLock { $0.queryResult }
    }

    func labelNames(_ request: MetadataRequest) async throws -> [String] { behaviour.withLock { $0.names } }

    func labelValues(name: String, _ request: MetadataRequest) async throws -> [String] {
        behaviour.withLock { $0.names }.map { "\(name)=\($0)" }
    }

    func series(_ request: SeriesRequest) async throws -> [Labels] { behaviour.withLock { $0.labelSets } }

    func indexStats(_ request: MetadataRequest) async throws -> ServiceIndexStats { behaviour.withLock { $0.stats } }

    func flush() async throws { flushes.add(1, ordering: .relaxed) }

    func notReadyReason() async -> String? { behaviour.withLock { $0.notReady } }
}

/// Builders of test data.
enum Sample {
    static func batch(count: Int, start: Int64 = 1_000, step: Int64 = 10, prefix: String = "line",
                      metadataEvery: Int = 0) -> EntryBatch {
        var batch = EntryBatch()
        for index in 0..<count {
            let metadata = metadataEvery > 0 && index % metadataEvery == 0
                ? Labels([LabelPair("trace_id", "t\(index)")]) : Labels()
            batch.append(timestamp: start + Int64(index) * step, line: Array("\(prefix) \(index) level=info msg=\"hello\"".utf8),
                         metadata: metadata)
        }
        return batch
    }

    static func labels(_ app: String, _ extra: String = "x") -> Labels {
        Labels([LabelPair("app", app), LabelPair("env", extra)])
    }

    /// Collects a stream's blocks into one forward batch, as a query would read them.
    static func read(_ stream: StreamData, start: Int64 = .min, end: Int64 = .max) async throws -> EntryBatch {
        var cursor = StreamCursor(blocks: stream.blocks, start: start, end: end, direction: .forward)
        return try await cursor.collect()
    }

    static func lines(_ batch: EntryBatch) -> [String] { (0..<batch.count).map { batch.lineString($0) } }
}

extension EntryBatch {
    /// Equal columns (for tests).
    func sameEntries(as other: EntryBatch) -> Bool {
        timestamps == other.timestamps && lineStarts == other.lineStarts && lineBytes == other.lineBytes
            && (0..<count).allSatisfy { metadata($0) == other.metadata($0) }
    }
}
