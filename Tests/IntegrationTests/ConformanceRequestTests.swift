import FjordConformanceKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Requests are built exactly as lokicompat's lcrun builds them (`build_request`, `fmt_time`, `urlencode`).
@Suite struct ConformanceRequestTests {
    static let base: Int64 = 1_795_316_400 * 1_000_000_000

    func testCase(_ fields: [String: Any]) throws -> ConformanceCase {
        var raw: [String: Any] = ["id": "t", "family": "f", "kind": "range", "tenant": "tenant-a"]
        raw.merge(fields) { $1 }
        let data = try JSONSerialization.data(withJSONObject: ["cases": [raw]])
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("case-\(UUID().uuidString).json")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try #require(try ConformanceCase.load(from: url).first)
    }

    @Test func rangeQueryParameters() throws {
        let request = try ConformanceRequest(
            testCase(["query": "{a=\"b c\"}", "start": "1h", "end": "1h30m", "limit": 10, "step": "60s",
                      "direction": "forward"]), base: Self.base)
        #expect(request.method == "GET")
        #expect(request.path == "/loki/api/v1/query_range")
        #expect(request.headers == ["X-Scope-OrgID": "tenant-a"])
        #expect(request.encodedParameters == "query=%7Ba%3D%22b+c%22%7D&start=1795320000000000000"
            + "&end=1795321800000000000&limit=10&direction=forward&step=60s")
    }

    @Test(arguments: [
        ("ns", "1795320000500000000"), ("s", "1795320000.500"), ("s10", "1795320000"),
        ("rfc3339", "2026-11-22T04:00:00.5Z"),
    ])
    func timeFormats(style: String, text: String) {
        #expect(ConformanceRequest.format(Self.base + 3_600_500_000_000, style: style) == text)
    }

    @Test func metadataRequestsAndOverrides() throws {
        let values = try ConformanceRequest(testCase(["kind": "label_values", "name": "a/b", "start": "0s"]),
                                            base: Self.base)
        #expect(values.path == "/loki/api/v1/label/a%2Fb/values")
        #expect(values.parameters.map(\.0) == ["start"])
        let series = try ConformanceRequest(
            testCase(["kind": "series", "match": ["{a=\"1\"}", "{b=\"2\"}"], "method": "post", "tenant": "a|b",
                      "params": ["start": "yesterday", "end": NSNull()], "start": "0s", "end": "1h"]),
            base: Self.base)
        #expect(series.method == "POST")
        #expect(series.parameters.map(\.0) == ["match[]", "match[]", "start"])
        #expect(series.parameters.last?.1 == "yesterday")
        #expect(series.headers == ["X-Scope-OrgID": "a|b"])
        let request = try series.urlRequest(baseURL: "http://127.0.0.1:1", timeout: 5)
        #expect(request.value(forHTTPHeaderField: "Content-Type") == "application/x-www-form-urlencoded")
        #expect(request.url?.query == nil)
        #expect(request.httpBody.map { String(decoding: $0, as: UTF8.self) }
            == "match%5B%5D=%7Ba%3D%221%22%7D&match%5B%5D=%7Bb%3D%222%22%7D&start=yesterday")
    }
}
