import Foundation
import Testing
@testable import FjordLogQL

/// Every query of the conformance suite parses, or fails with exactly the parse error Loki returned.
struct ConformanceParseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let id: String
        let query: String
        /// Loki's error text when Loki rejected the query at parse time.
        let parseError: String?
        var testDescription: String { id }
    }

    static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/conformance")

    static func loadCases() throws -> [Case] {
        let casesData = try Data(contentsOf: fixtures.appendingPathComponent("cases.json"))
        guard let root = try JSONSerialization.jsonObject(with: casesData) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else { return [] }
        var result: [Case] = []
        for entry in cases {
            guard let id = entry["id"] as? String, let query = entry["query"] as? String else { continue }
            let expectedURL = fixtures.appendingPathComponent("expected/\(id).json")
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: expectedURL)) as? [String: Any]
            var parseError: String?
            if let status = expected?["status"] as? Int, status == 400, let error = expected?["error"] as? String,
               error.hasPrefix("parse error") {
                parseError = error
            }
            result.append(Case(id: id, query: query, parseError: parseError))
        }
        return result
    }

    @Test func suiteIsComplete() throws {
        let cases = try Self.loadCases()
        #expect(cases.count >= 170)
        #expect(cases.filter { $0.parseError != nil }.count >= 10)
    }

    /// `/series` selectors (`match[]`), parsed like Loki's series endpoint: matchers only, no emptiness check.
    static func loadSeriesSelectors() throws -> [String] {
        let casesData = try Data(contentsOf: fixtures.appendingPathComponent("cases.json"))
        guard let root = try JSONSerialization.jsonObject(with: casesData) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else { return [] }
        return cases.flatMap { ($0["match"] as? [String]) ?? [] }
    }

    @Test func seriesSelectors() throws {
        let selectors = try Self.loadSeriesSelectors()
        #expect(selectors.count >= 5)
        for selector in selectors {
            #expect(throws: Never.self) { _ = try LogQLParser.parseMatchers(selector, validate: false) }
        }
    }

    @Test(arguments: try loadCases())
    func query(_ testCase: Case) {
        do {
            let expr = try LogQLParser.parse(testCase.query)
            try expr.validateStages()
            #expect(testCase.parseError == nil, "parsed, but Loki answered \(testCase.parseError ?? "")")
        } catch {
            #expect(error.message == testCase.parseError)
        }
    }
}
