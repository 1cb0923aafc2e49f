import FjordConformanceKit
import FjordEngine
import FjordLogQL
import FjordModel
import Foundation

/// Runs conformance cases through the parser and the engine and compares the normalised answers with Loki's.
struct ConformanceRunner {
    /// The oracle's limits (lokicompat README, "Oracle configuration").
    static let oracleLimits = QueryLimits(maxQuerySeries: 100_000, maxEntriesLimitPerQuery: 100_000)

    let dataset: ConformanceDataset
    let engine: QueryEngine

    init(dataset: ConformanceDataset) {
        self.dataset = dataset
        engine = QueryEngine(source: dataset.source, limits: Self.oracleLimits)
    }

    /// Errors produced by HTTP parameter validation, not by the engine.
    static let parameterErrors = [
        "end timestamp must not be before or equal to start time",
        "exceeded maximum resolution of 11,000 points per time series",
        "log queries are not supported as an instant query type",
        "could not parse",
        "invalid direction",
        "limit must be a positive value",
        "zero or negative query resolution step widths",
    ]

    /// Why a case cannot be answered by the engine alone (it needs the HTTP layer), or nil for an engine case.
    static func httpOnlyReason(_ testCase: ConformanceCase) throws -> String? {
        if ["labels", "label_values", "series"].contains(testCase.kind) {
            return "metadata endpoint: answered by the querier/HTTP layer, not the engine"
        }
        if testCase.hasRawParameters || testCase.method == "POST" {
            return "needs HTTP parameter handling (raw parameters or a POST form)"
        }
        if case .error(_, let text) = try ConformanceFixtures.expectedAnswer(testCase.id).body,
           parameterErrors.contains(where: { text.hasPrefix($0) }) {
            return "HTTP parameter validation error: \(text.prefix(60))"
        }
        return nil
    }

    /// The differences between Loki's answer and the engine's (empty: the case passes).
    func differences(_ testCase: ConformanceCase) async throws -> [String] {
        let expected = try ConformanceFixtures.expectedAnswer(testCase.id)
        let expression: Expr
        do {
            expression = try LogQLParser.parse(testCase.query)
        } catch {
            return expected.differences(from: NormalizedAnswer(status: 400, errorText: error.message))
        }
        let parameters = try testCase.parameters(base: dataset.base)
        let actual: NormalizedAnswer
        do {
            let result = try await engine.execute(expression, parameters)
            actual = NormalizedAnswer(result: result, base: dataset.base, valueSorted: Lcnorm.isValueSorted(testCase.query))
        } catch {
            actual = NormalizedAnswer(status: error.status, errorText: error.message)
        }
        return expected.differences(from: actual)
    }
}

extension ConformanceCase {
    /// The query parameters as Loki's HTTP layer would hand them to the engine. Times are offsets from `base`.
    func parameters(base: Int64) throws -> QueryParameters {
        let tenants = Array(Set((tenant ?? "fake").split(separator: "|").map(String.init))).sorted()
        let limit = Int(fields["limit"] ?? "100") ?? 100
        let direction: Direction = fields["direction"]?.lowercased() == "forward" ? .forward : .backward
        if kind == "instant" {
            let time = base + (try Self.offset(fields["time"] ?? "0s"))
            return .instant(tenants: tenants, time: time, limit: limit, direction: direction)
        }
        let start = base + (try Self.offset(fields["start"] ?? "0s"))
        let end = base + (try Self.offset(fields["end"] ?? "0s"))
        var step = max((end - start) / 250 / 1_000_000_000, 1) * 1_000_000_000
        if let text = fields["step"] { step = try Self.secondsOrDuration(text) }
        let interval = try fields["interval"].map(Self.secondsOrDuration) ?? 0
        return .range(tenants: tenants, start: start, end: end, step: step, interval: interval, limit: limit,
                      direction: direction)
    }
}
