import FjordConformanceKit
import Foundation
import Testing

extension ConformanceCase: CustomTestStringConvertible {
    public var testDescription: String { id }
}

/// Every engine-level conformance case (`Tests/Fixtures/conformance/cases.json`) against real Loki's recorded answer,
/// one test per case named by its id. Cases that need the HTTP layer (metadata endpoints, raw parameters, parameter
/// validation errors) run in `IntegrationTests/ConformanceHTTPTests` instead.
@Suite struct ConformanceTests {
    static func engineCases() throws -> [ConformanceCase] {
        try ConformanceCase.loadAll().filter { try ConformanceRunner.httpOnlyReason($0) == nil }
    }

    /// The engine runs here, off Swift's cooperative pool, so its CPU-bound evaluation does not starve suites that
    /// wait for I/O and timers (loopback servers) while the unit tests run in parallel.
    static let executor = OffPoolExecutor(label: "fjord.conformance.engine")

    /// One case at a time, like the single test this replaced.
    @Test(.serialized, arguments: try engineCases())
    func engineAnswersLikeLoki(_ testCase: ConformanceCase) async throws {
        let runner = ConformanceRunner(dataset: try await ConformanceDataset.shared.value)
        let differences = try await withTaskExecutorPreference(Self.executor) {
            try await runner.differences(testCase)
        }
        #expect(differences.isEmpty, "\(testCase.id): \(testCase.query)\n    \(differences.joined(separator: "\n    "))")
    }

    /// Every case is either run here or named as HTTP-only with a reason, so none silently disappears.
    @Test func everyCaseIsAccountedFor() throws {
        let cases = try ConformanceCase.loadAll()
        let engineCases = try Self.engineCases()
        #expect(cases.count >= 181)
        var httpOnly: [String] = []
        for testCase in cases {
            if let reason = try ConformanceRunner.httpOnlyReason(testCase) { httpOnly.append("\(testCase.id): \(reason)") }
        }
        #expect(engineCases.count + httpOnly.count == cases.count)
        #expect(engineCases.count >= 170, "engine cases: \(engineCases.count); HTTP only:\n\(httpOnly.joined(separator: "\n"))")
        #expect(Set(cases.map(\.id)).count == cases.count, "case ids are unique")
    }
}
