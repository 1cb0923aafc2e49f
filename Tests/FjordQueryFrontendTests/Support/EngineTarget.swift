import FjordEngine
import FjordLogQL
import FjordModel
import FjordServiceAPI

/// A querier over an in-memory source, as the frontend sees one: parses, evaluates with the engine (steps aligned
/// like the querier's), maps engine errors to service errors. Counts the queries it answers.
struct EngineTarget: QueryTarget {
    let source: any LogSource
    let limits: QueryLimits
    let parallelism: Int
    let calls: CallCounter

    init(source: any LogSource, limits: QueryLimits = QueryLimits(), parallelism: Int = 1,
         calls: CallCounter = CallCounter()) {
        self.source = source
        self.limits = limits
        self.parallelism = parallelism
        self.calls = calls
    }

    /// The engine's answer to `request` run whole (the reference the frontend must match).
    static func evaluate(_ request: QueryRequest, source: any LogSource, limits: QueryLimits, parallelism: Int)
        async throws(ServiceError) -> QueryResult
    {
        let expression: Expr
        do {
            expression = try LogQLParser.parse(request.query)
        } catch {
            throw .badRequest(error.message)
        }
        let parameters: QueryParameters = request.isInstant
            ? .instant(tenants: request.tenants, time: request.end, limit: request.limit, direction: request.direction)
            : .range(tenants: request.tenants, start: request.start, end: request.end, step: request.step,
                     interval: request.interval, limit: request.limit, direction: request.direction)
        let engine = QueryEngine(source: source, limits: limits, parallelism: parallelism)
        do {
            return try await engine.execute(expression, parameters)
        } catch {
            throw ServiceError(status: error.status, message: error.message)
        }
    }

    func query(_ request: QueryRequest) async throws(ServiceError) -> QueryResult {
        calls.increment()
        return try await Self.evaluate(request, source: source, limits: limits, parallelism: parallelism)
    }

    func labelNames(_ request: MetadataRequest) async throws(ServiceError) -> [String] { [] }
    func labelValues(name: String, _ request: MetadataRequest) async throws(ServiceError) -> [String] { [] }
    func series(_ request: SeriesRequest) async throws(ServiceError) -> [Labels] { [] }
    func indexStats(_ request: MetadataRequest) async throws(ServiceError) -> IndexStats { IndexStats() }
}

import Synchronization

/// Counts calls across tasks.
final class CallCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A clock the test sets.
final class TestClock: Sendable {
    private let nanos: Atomic<Int64>
    init(_ nanos: Int64) { self.nanos = Atomic(nanos) }
    func set(_ value: Int64) { nanos.store(value, ordering: .relaxed) }
    var now: Int64 { nanos.load(ordering: .relaxed) }
}

/// SplitMix64: a small seeded generator (reproducible runs).
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
