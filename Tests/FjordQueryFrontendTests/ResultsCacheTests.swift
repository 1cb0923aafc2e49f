import FjordModel
import FjordQueryFrontend
import Testing

@Suite struct ResultsCacheTests {
    static let ms: Int64 = 1_000_000
    static let step = 1000 * ms

    /// A series with a point at every given second.
    static func series(_ name: String, _ seconds: [Int64], value: Double = 1) -> Series {
        Series(labels: Labels(["s": name]),
               points: seconds.map { SamplePoint(timestampMillis: $0 * 1000, value: value + Double($0)) })
    }

    static func extent(_ from: Int64, _ through: Int64) -> MatrixExtent {
        MatrixExtent(start: from * step, end: through * step,
                     series: [series("a", Array(from...through)), series("b", Array(from...through).filter { $0 % 2 == 0 })])
    }

    @Test func planUsesCachedStepsAndComputesTheGaps() {
        let bookkeeping = ExtentBookkeeping(step: Self.step)
        let plan = bookkeeping.plan(start: 0, end: 20 * Self.step, extents: [Self.extent(5, 8), Self.extent(12, 30)])
        #expect(plan.missing.map { [$0.start / Self.step, $0.end / Self.step] } == [[0, 4], [9, 11]])
        var cachedSteps: [Int64] = []
        for piece in plan.pieces {
            if case .cached(let series) = piece {
                cachedSteps.append(contentsOf: series.first { $0.labels["s"] == "a" }?.points.map { $0.timestampMillis / 1000 } ?? [])
            }
        }
        #expect(cachedSteps == Array(5...8) + Array(12...20))
    }

    @Test func mergeJoinsOverlappingAndAdjacentExtents() {
        let bookkeeping = ExtentBookkeeping(step: Self.step)
        let merged = bookkeeping.merge([Self.extent(10, 15), Self.extent(0, 5), Self.extent(6, 9), Self.extent(14, 20),
                                        Self.extent(30, 31)])
        #expect(merged.map { [$0.start / Self.step, $0.end / Self.step] } == [[0, 20], [30, 31]])
        let a = merged[0].series.first { $0.labels["s"] == "a" }
        #expect(a?.points.map { $0.timestampMillis / 1000 } == Array(0...20))
    }

    @Test func onlyStepsOlderThanTheFreshnessCutoffAreCacheable() {
        let bookkeeping = ExtentBookkeeping(step: Self.step)
        let cut = bookkeeping.cacheable(Self.extent(0, 10), cutoff: 6 * Self.step + 500 * Self.ms)
        #expect(cut?.end == 6 * Self.step)
        #expect(cut?.series.first?.points.count == 7)
        #expect(bookkeeping.cacheable(Self.extent(7, 10), cutoff: 6 * Self.step) == nil)
        #expect(ExtentBookkeeping.canCache(step: 15 * Self.step))
        #expect(!ExtentBookkeeping.canCache(step: 15 * Self.step + 1))
    }

    @Test func emptyExtentsCoverAndJoin() {
        let empty = EmptyExtents().adding(start: 10, end: 20).adding(start: 30, end: 40).adding(start: 20, end: 30)
        #expect(empty.ranges == [10..<40])
        #expect(empty.covers(start: 12, end: 40))
        #expect(!empty.covers(start: 5, end: 15))
    }

    @Test func codecRoundTripsExactly() throws {
        let key = ResultsCacheKey.metricRange(tenants: ["a", "b"], query: "sum(rate({x=\"y\"}[5m]))", step: Self.step,
                                              interval: 3_600_000_000_000, bucket: 472_222)
        var special = Self.series("c", [1, 2, 3])
        special.points[0].value = .nan
        special.points[1].value = -0.0
        special.points[2].value = .infinity
        let value = CachedValue.matrixExtents([MatrixExtent(start: -5 * Self.step, end: 3 * Self.step, series: [special])])
        let bytes = CacheValueCodec.encode(value, key: key)
        guard case .matrixExtents(let extents)? = CacheValueCodec.decode(bytes, key: key) else {
            Issue.record("did not decode")
            return
        }
        #expect(extents[0].start == -5 * Self.step)
        #expect(extents[0].series[0].labels == special.labels)
        #expect(extents[0].series[0].points.map(\.value.bitPattern) == special.points.map(\.value.bitPattern))
        // Another key, a damaged value, a truncated value: misses.
        let other = ResultsCacheKey.instant(tenants: ["a"], query: "x", time: 1)
        #expect(CacheValueCodec.decode(bytes, key: other) == nil)
        #expect(CacheValueCodec.decode(Array(bytes.dropLast()), key: key) == nil)
        var damaged = bytes
        damaged[0] ^= 0xff
        #expect(CacheValueCodec.decode(damaged, key: key) == nil)

        let vector = CachedValue.vector([InstantSample(labels: Labels(["z": "1"]), timestampMillis: 9, value: 2.5)])
        guard case .vector(let samples)? = CacheValueCodec.decode(CacheValueCodec.encode(vector, key: other), key: other)
        else {
            Issue.record("vector did not decode")
            return
        }
        #expect(samples.first?.value == 2.5)
    }

    @Test func keysDifferForEveryPartAndHashToMemcachedKeys() {
        let base = ResultsCacheKey.metricRange(tenants: ["t"], query: "q", step: 1, interval: 2, bucket: 3)
        let others = [
            ResultsCacheKey.metricRange(tenants: ["u"], query: "q", step: 1, interval: 2, bucket: 3),
            ResultsCacheKey.metricRange(tenants: ["t"], query: "q2", step: 1, interval: 2, bucket: 3),
            ResultsCacheKey.metricRange(tenants: ["t"], query: "q", step: 10, interval: 2, bucket: 3),
            ResultsCacheKey.metricRange(tenants: ["t"], query: "q", step: 1, interval: 20, bucket: 3),
            ResultsCacheKey.metricRange(tenants: ["t"], query: "q", step: 1, interval: 2, bucket: 4),
            ResultsCacheKey.logEmpty(tenants: ["t"], query: "q", interval: 2, bucket: 3),
        ]
        for other in others {
            #expect(other != base)
            #expect(other.hashed != base.hashed)
        }
        #expect(base.hashed.utf8.count == 38)
        #expect(base.hashed.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f })
    }

    @Test func lruEvictsByBytesAndExpiresByTime() async {
        let clock = TestClock(0)
        let cache = InMemoryResultsCache(maxBytes: 100, ttl: 50, now: { clock.now })
        await cache.store([(key: "a", value: [UInt8](repeating: 1, count: 40)),
                           (key: "b", value: [UInt8](repeating: 2, count: 40))])
        #expect(cache.bytes == 82)
        _ = await cache.fetch(["a"])  // a is now the most recently used
        await cache.store([(key: "c", value: [UInt8](repeating: 3, count: 40))])
        let found = await cache.fetch(["a", "b", "c"])
        #expect(Set(found.keys) == ["a", "c"])
        #expect(cache.bytes <= 100)
        await cache.store([(key: "huge", value: [UInt8](repeating: 0, count: 200))])
        #expect(await cache.fetch(["huge"]).isEmpty)
        clock.set(60)
        #expect(await cache.fetch(["a", "c"]).isEmpty)
        #expect(cache.count == 0 && cache.bytes == 0)
    }
}
