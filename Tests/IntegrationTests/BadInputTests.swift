import FjordCompression
import FjordModel
import FjordPush
import Foundation
import Testing

/// Malformed requests get Loki's status and a clear message; the server stays up and stored data stays intact.
@Suite(.serialized) struct BadInputTests {
    @Test func badRequestsAreRejectedAndDataSurvives() async throws {
        let directory = try FjordProcess.makeDataDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fjord = try FjordProcess(dataDirectory: directory)
        try await fjord.start()
        defer { fjord.stop() }
        let now = Int64(Date().timeIntervalSince1970) * 1_000_000_000
        let json = ["Content-Type": "application/json", "X-Scope-OrgID": "bad"]
        let proto = ["Content-Type": "application/x-protobuf", "X-Scope-OrgID": "bad"]

        // Good data first.
        let good = #"{"streams":[{"stream":{"app":"good"},"values":[["\#(now)","keep me"]]}]}"#
        var (status, body) = try await HTTP.request("POST", fjord.baseURL + "/loki/api/v1/push", headers: json, body: Data(good.utf8))
        #expect(status == 204)

        struct Case {
            var name: String
            var method = "POST"
            var path = "/loki/api/v1/push"
            var headers: [String: String]
            var body: Data?
            var status: Int
            var message: String
        }
        let longLine = String(repeating: "y", count: 10 * 1024 * 1024)
        let cases = [
            Case(name: "malformed JSON", headers: json, body: Data(#"{"streams":[{"stream":{"app":"x"},"values":[["1","#.utf8),
                 status: 400, message: "invalid push request JSON"),
            Case(name: "JSON number timestamp", headers: json,
                 body: Data(#"{"streams":[{"stream":{"app":"x"},"values":[[1,"line"]]}]}"#.utf8), status: 400,
                 message: "the timestamp must be a string"),
            Case(name: "malformed protobuf", headers: proto, body: Data(Snappy.compress([0x0a, 0xff, 0xff, 0x01, 0x02])),
                 status: 400, message: "unexpected EOF"),
            Case(name: "bad snappy", headers: proto, body: Data([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x01]), status: 400,
                 message: "snappy"),
            Case(name: "bad label syntax", headers: proto,
                 body: Data(PushProtobufEncoder.encodeSnappy([PushStreamContent(labels: "{app=\"x\"", entries: [
                     PushEntryContent(timestamp: now, line: "l")])])),
                 status: 400, message: "couldn't parse labels: "),
            Case(name: "10 MB line", headers: json,
                 body: Data(#"{"streams":[{"stream":{"app":"big"},"values":[["\#(now)","\#(longLine)"]]}]}"#.utf8), status: 400,
                 message: "max entry size '262144' bytes exceeded for stream '{app=\"big\", service_name=\"big\"}' while adding an entry with length '10485760' bytes"),
            Case(name: "missing tenant", headers: ["Content-Type": "application/json"], body: Data(good.utf8), status: 401,
                 message: "no org id"),
            Case(name: "no streams", headers: json, body: Data(#"{"streams":[]}"#.utf8), status: 422,
                 message: "error at least one valid stream is required for ingestion"),
            Case(name: "unsupported encoding", headers: json.merging(["Content-Encoding": "br"]) { $1 }, body: Data(good.utf8),
                 status: 400, message: "Content-Encoding \"br\" not supported"),
            Case(name: "unknown endpoint", method: "GET", path: "/loki/api/v1/nope", headers: [:], body: nil, status: 404,
                 message: "404 page not found"),
            Case(name: "bad LogQL", method: "GET", path: "/loki/api/v1/query_range?query=%7Bapp%3D%22good%22", headers: ["X-Scope-OrgID": "bad"],
                 body: nil, status: 400, message: "parse error"),
            Case(name: "bad start", method: "GET", path: "/loki/api/v1/query_range?query=%7Bapp%3D%22good%22%7D&start=yesterday",
                 headers: ["X-Scope-OrgID": "bad"], body: nil, status: 400, message: "could not parse 'start' parameter"),
        ]
        for testCase in cases {
            (status, body) = try await HTTP.request(testCase.method, fjord.baseURL + testCase.path, headers: testCase.headers,
                                                     body: testCase.body)
            let text = String(decoding: body, as: UTF8.self)
            #expect(status == testCase.status, "\(testCase.name): got \(status) \(text.prefix(300))")
            #expect(text.contains(testCase.message), "\(testCase.name): \(text.prefix(300))")
            #expect(!text.isEmpty, "\(testCase.name): empty error body")
        }

        // Still up, good data intact, nothing from the bad requests stored.
        (status, _) = try await HTTP.request("GET", fjord.baseURL + "/ready")
        #expect(status == 200)
        (status, body) = try await HTTP.get(fjord.baseURL, "/loki/api/v1/query_range",
                                            [("query", "{app=~\".+\"}"), ("start", String(now - 60_000_000_000)),
                                             ("end", String(now + 60_000_000_000))], tenant: "bad")
        let result = (try HTTP.json(body)["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        let lines = result.flatMap { ($0["values"] as? [[Any]] ?? []).compactMap { $0[1] as? String } }
        #expect(lines == ["keep me"])
    }
}
