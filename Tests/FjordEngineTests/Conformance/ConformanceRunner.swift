import FjordEngine
import FjordLogQL
import Foundation

/// Runs conformance cases through a parser and the engine and compares the normalised answers with Loki's.
struct ConformanceRunner {
    enum Outcome {
        case pass
        case fail([String])
        case skip(String)
        /// A pipeline stage the case needs is not implemented yet (FjordPipeline reports so); not an engine failure.
        case pending(String)
    }

    /// Turns a query into an AST or into Loki's error (status, text).
    typealias Parse = (String) -> Result<Expr, ParseFailure>

    struct ParseFailure: Error {
        var status: Int
        var text: String
    }

    let dataset: ConformanceDataset
    let engine: QueryEngine
    let parse: Parse

    /// The oracle's limits (lokicompat README, "Oracle configuration").
    static let oracleLimits = QueryLimits(maxQuerySeries: 100_000, maxEntriesLimitPerQuery: 100_000)

    init(dataset: ConformanceDataset, parse: @escaping Parse) {
        self.dataset = dataset
        self.engine = QueryEngine(source: dataset.source, limits: Self.oracleLimits)
        self.parse = parse
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

    func run(_ testCase: ConformanceCase) async -> Outcome {
        if ["labels", "label_values", "series"].contains(testCase.kind) {
            return .skip("metadata endpoint: answered by the querier/HTTP layer, not the engine")
        }
        if testCase.hasRawParameters || testCase.method == "POST" {
            return .skip("needs HTTP parameter handling (raw parameters or a POST form)")
        }
        let expected: NormalizedAnswer
        do {
            expected = try Self.expected(testCase.id)
        } catch {
            return .fail(["cannot read expected/\(testCase.id).json: \(error)"])
        }
        if case .error(_, let text) = expected.body, Self.parameterErrors.contains(where: { text.hasPrefix($0) }) {
            return .skip("HTTP parameter validation error: \(text.prefix(60))")
        }
        let actual: NormalizedAnswer
        switch parse(testCase.query) {
        case .failure(let failure):
            actual = NormalizedAnswer(status: failure.status, errorText: failure.text)
        case .success(let expression):
            do {
                let parameters = try testCase.parameters(base: dataset.base)
                let result = try await engine.execute(expression, parameters)
                actual = NormalizedAnswer(result: result, base: dataset.base,
                                          valueSorted: Self.isValueSorted(testCase.query))
            } catch let error as QueryError {
                actual = NormalizedAnswer(error: error)
            } catch {
                return .fail(["bad case parameters: \(error)"])
            }
        }
        let differences = expected.differences(from: actual)
        if differences.isEmpty { return .pass }
        if case .error(_, let text) = actual.body, text.hasSuffix("is not implemented yet") { return .pending(text) }
        return .fail(differences)
    }

    static func expected(_ id: String) throws -> NormalizedAnswer {
        let url = ConformanceFixtures.directory.appendingPathComponent("expected/\(id).json")
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw CocoaError(.coderReadCorrupt)
        }
        return try NormalizedAnswer(expected: json)
    }

    /// lcnorm `query_is_value_sorted`: `sort(` or `sort_desc(` outside string literals.
    static func isValueSorted(_ query: String) -> Bool {
        let withoutStrings = query.replacingOccurrences(of: #""(?:[^"\\]|\\.)*"|`[^`]*`"#, with: "\"\"",
                                                        options: .regularExpression)
        return withoutStrings.range(of: #"\bsort(_desc)?\s*\("#, options: [.regularExpression, .caseInsensitive]) != nil
    }
}
