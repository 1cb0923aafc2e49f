import FjordConformanceKit
import FjordEngine
import FjordModel
import Testing

/// Checks of the conformance harness itself: the data set loads completely and the normaliser rewrites times the way
/// lcnorm does.
@Suite struct HarnessTests {
    @Test func datasetLoadsEveryUniqueEntry() async throws {
        let dataset = try await ConformanceDataset.shared.value
        #expect(dataset.base == 1_795_316_400 * 1_000_000_000)
        var total = 0
        for tenant in ["tenant-a", "tenant-b"] {
            let streams = try await dataset.source.select(tenant: tenant, matchers: [], start: .min, end: .max)
            total += streams.reduce(0) { sum, stream in sum + stream.blocks.reduce(0) { $0 + $1.entryCount } }
        }
        // dataset.json: 141,628 + 60,815 unique entries (exact duplicates are stored once, like Loki).
        #expect(total == 141_628 + 60_815)
    }

    @Test(arguments: [
        ("at 2026-11-22T05:54:37.164179Z done", "at <BASE+10477sT>.164179Z done"),
        ("2026-11-22 03:00:01 +0000 UTC", "<BASE+1s_> +0000 UTC"),
        ("ts=1795316401", "ts=<EPOCH+1s>"),
        ("ms=1795316401500", "ms=<EPOCH+1.500s>"),
        ("far 2020-01-01T00:00:00Z", "far 2020-01-01T00:00:00Z"),
        ("id 1234567890123", "id 1234567890123"),
    ])
    func timesAreRewrittenRelativeToBase(input: String, expected: String) {
        #expect(TimeNormalizer(baseSeconds: 1_795_316_400).text(input) == expected)
    }

    @Test func pipelineErrorSeriesIsNormalisedAway() {
        let text = QueryError.pipelineError(series: labels(["__error__": "JSONParserErr"])).message
        #expect(Lcnorm.normalizeError(text).hasPrefix("pipeline error: 'JSONParserErr' for series: '<series>'.\n"))
    }

    @Test func valueSortDetectionIgnoresStrings() {
        #expect(Lcnorm.isValueSorted("sort_desc(sum(x))"))
        #expect(Lcnorm.isValueSorted("SORT (x)"))
        #expect(!Lcnorm.isValueSorted(#"{a="sort(x)"}"#))
    }
}
