import FjordConformanceKit
import FjordEngine
import FjordModel
import FjordQueryFrontend
import FjordServiceAPI
import Foundation
import Testing

/// The frontend's promise: for any query, range, step, split interval and cache state, the split and cached answer
/// is exactly the unsplit, uncached engine answer (floats by bit pattern), or the same error.
///
/// Each data set gets its own frontend and cache, shared by all of its combinations, so entries written by one
/// query (other ranges, other steps, other clocks) meet later ones. Before each checked query, 0–3 warm-up queries
/// of the same expression run at other ranges and clock times, leaving partial extents and fresh/stale cutoffs.
/// `FJORD_FRONTEND_SEED=<seed>` replays one data set.
@Suite struct SplitCachePropertyTests {
    static let combinationsPerSeed = 110
    static let seeds: [UInt64] = {
        if let text = ProcessInfo.processInfo.environment["FJORD_FRONTEND_SEED"], let seed = UInt64(text) { return [seed] }
        return [11, 23, 37, 41, 53]
    }()

    @Test(arguments: seeds)
    func splitAndCachedEqualsUnsplit(seed: UInt64) async throws {
        let source = GeneratedData.source(seed: seed)
        var random = SeededRandom(seed: seed &* 7919)
        let clock = TestClock(GeneratedData.base + GeneratedData.span)
        let seriesLimit = [500, 500, 4].randomElement(using: &random) ?? 500
        let engineLimits = QueryLimits(maxQuerySeries: seriesLimit)
        let frontendLimits = LimitsBox()
        let cacheBytes = [64 << 20, 64 << 20, 24 << 10].randomElement(using: &random) ?? (64 << 20)
        let cache = InMemoryResultsCache(maxBytes: cacheBytes, ttl: 0, now: { clock.now })
        let calls = CallCounter()
        let frontend = QueryFrontend(
            downstream: EngineTarget(source: source, limits: engineLimits,
                                     parallelism: Int.random(in: 1...3, using: &random), calls: calls),
            cache: cache, limits: { _ in frontendLimits.value }, now: { clock.now })
        var checked = 0
        var cachedServed = 0
        for combination in 0..<Self.combinationsPerSeed {
            let state = random
            let isLog = Int.random(in: 0..<5, using: &random) == 0
            let isInstant = !isLog && Int.random(in: 0..<8, using: &random) == 0
            let query = isLog ? QueryGenerator.log(using: &random) : QueryGenerator.metric(using: &random)
            let interval = ([0, 5, 15, 30, 60, 60, 120, 1440] as [Int64]).randomElement(using: &random)! * 60_000_000_000
            frontendLimits.value = FrontendLimits(
                splitInterval: interval, maxQueryParallelism: Int.random(in: 1...8, using: &random),
                maxQuerySeries: seriesLimit, maxCacheFreshness: 600_000_000_000)
            let request = Self.randomRequest(query: query, isLog: isLog, isInstant: isInstant, using: &random)

            // Warm the cache with the same expression elsewhere (other ranges, sometimes the same step).
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                var warm = Self.randomRequest(query: query, isLog: isLog, isInstant: isInstant, using: &random)
                if Bool.random(using: &random) { warm.step = request.step }
                clock.set(Self.randomNow(using: &random))
                _ = try? await frontend.query(warm)
            }
            clock.set(Self.randomNow(using: &random))
            var asked = request
            asked.bypassCache = Int.random(in: 0..<10, using: &random) == 0
            let got: Result<QueryResult, ServiceError>
            do {
                got = .success(try await frontend.query(asked))
            } catch {
                got = .failure(error)
            }
            let expected: Result<QueryResult, ServiceError>
            do {
                expected = .success(try await EngineTarget.evaluate(
                    request, source: source, limits: engineLimits, parallelism: Int.random(in: 1...3, using: &random)))
            } catch {
                expected = .failure(error)
            }
            if case .success(let result) = got, result.statistics.resultCache.entriesFound > 0 { cachedServed += 1 }
            if let difference = ResultComparison.difference(got, expected) {
                Issue.record("""
                    seed \(seed) combination \(combination) (generator state \(state.state)): \(difference)
                    query: \(query) instant: \(isInstant) start: \(request.start) end: \(request.end) step: \(request.step) \
                    limit: \(request.limit) direction: \(request.direction) interval: \(interval) now: \(clock.now) \
                    bypass: \(asked.bypassCache)
                    """)
                return
            }
            checked += 1
        }
        #expect(checked == Self.combinationsPerSeed)
        // The cache was really exercised.
        #expect(cachedServed > 0, "seed \(seed): no query was served from the cache")
        #expect(calls.value > 0)
    }

    static func randomRequest(query: String, isLog: Bool, isInstant: Bool, using random: inout SeededRandom)
        -> QueryRequest
    {
        let minute: Int64 = 60_000_000_000
        let start = GeneratedData.base + Int64.random(in: -60...(6 * 60), using: &random) * minute
            + Int64.random(in: 0..<60_000, using: &random) * 1_000_000
        if isInstant {
            return QueryRequest(tenants: ["fake"], query: query, start: start, end: start, step: 0, isInstant: true)
        }
        let length = Int64.random(in: 1...(8 * 60), using: &random) * minute
            + Int64.random(in: 0..<60, using: &random) * 1_000_000_000
        let steps: [Int64] = [7, 15, 17, 30, 60, 60, 300, 780, 3600, 7200]
        var step = (steps.randomElement(using: &random) ?? 60) * 1_000_000_000
        while length / step > 400 { step *= 2 }
        if Int.random(in: 0..<20, using: &random) == 0 { step += 500_000 }  // not whole milliseconds: never cached
        return QueryRequest(
            tenants: ["fake"], query: query, start: start, end: start + length, step: step,
            limit: [1, 3, 20, 100, 1000].randomElement(using: &random) ?? 100,
            direction: Bool.random(using: &random) ? .backward : .forward)
    }

    /// A clock inside, at the end of, or after the data (so the freshness cutoff lands anywhere).
    static func randomNow(using random: inout SeededRandom) -> Int64 {
        GeneratedData.base + Int64.random(in: 0...(8 * 3600), using: &random) * 1_000_000_000
    }
}

import Synchronization

/// Limits the test changes between queries.
final class LimitsBox: Sendable {
    private let stored = Mutex(FrontendLimits())
    var value: FrontendLimits {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
