import FjordRing
import Foundation

/// Generates malformed HTTP requests for the public API from a seed: broken request lines and framing, hostile
/// headers, garbage `Authorization` and `X-Scope-OrgID` values, and bodies that are almost (or not at all) push
/// bodies, forms or queries. A share of requests carry valid credentials so the fuzzing reaches the handlers.
struct HTTPFuzzPlan {
    /// One request: its bytes, and whether it is well framed (the connection may stay open for the next one).
    struct Request {
        /// The generator and its variant (`framing: bad content-length`, `body #8`, ...), for reports.
        var kind: String
        var bytes: [UInt8]
        var wellFramed: Bool
    }

    private var random: SplitMix64
    /// Valid `Authorization` values (users and tokens of the test's credentials file).
    let validAuthorizations: [String]
    let tenants: [String]

    init(seed: UInt64, validAuthorizations: [String], tenants: [String]) {
        random = SplitMix64(seed: seed)
        self.validAuthorizations = validAuthorizations
        self.tenants = tenants
    }

    static let paths = [
        "/loki/api/v1/push", "/api/prom/push", "/loki/api/v1/query", "/loki/api/v1/query_range", "/loki/api/v1/labels",
        "/loki/api/v1/label/app/values", "/loki/api/v1/series", "/loki/api/v1/index/stats", "/loki/api/v1/format_query",
        "/loki/api/v1/rules", "/loki/api/v1/rules/ns", "/prometheus/api/v1/rules", "/loki/api/v1/status/buildinfo",
        "/metrics", "/config", "/services", "/flush", "/ready", "/nope", "/loki/api/v1/tail", "/loki/api/v1/delete",
    ]
    static let contentTypes = [
        "application/json", "application/x-protobuf", "application/x-www-form-urlencoded", "application/yaml",
        "text/plain", "", "application/json; charset=\u{0}", "multipart/form-data; boundary=x",
    ]

    mutating func next() -> Request {
        switch int(100) {
        case 0..<8: return brokenFraming()
        case 8..<30: return hostileAuthorization()
        case 30..<45: return hostileTenant()
        case 45..<75: return hostileBody()
        case 75..<90: return hostileQuery()
        default: return hostileHeaders()
        }
    }

    // MARK: Kinds

    static let framingVariants = ["garbage line", "bad method", "bad version", "bad content-length",
                                  "duplicate content-length", "bad chunk size", "90 kB URI", "1,100 headers"]

    private mutating func brokenFraming() -> Request {
        let line: String
        let variant = int(8)
        switch variant {
        // At least one byte: blank lines alone are no request (servers skip them and wait for one, as Go does).
        case 0: line = String(decoding: bytes(1 + int(200)).map { $0 == 13 || $0 == 10 ? 32 : $0 }, as: UTF8.self) + "\r\n\r\n"
        case 1: line = "\(pick(["GETT", "G E T", "", "POST\u{1}", "BREW"])) /ready HTTP/1.1\r\nHost: x\r\n\r\n"
        case 2: line = "GET /ready HTTP/\(pick(["9.9", "1", "x.y", "1.1.1", ""]))\r\nHost: x\r\n\r\n"
        case 3: line = "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: \(pick(["-1", "abc", "1e3", "99999999999999999999", "1, 2"]))\r\n\r\n"
        case 4: line = "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"
        case 5: line = "POST /loki/api/v1/push HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(pick(["zz", "-5", "ffffffffffffffff"]))\r\nabc\r\n0\r\n\r\n"
        case 6: line = "GET /\(String(repeating: "a", count: 90_000)) HTTP/1.1\r\nHost: x\r\n\r\n"
        default: line = "GET /ready HTTP/1.1\r\n" + (0..<1_100).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        }
        return Request(kind: "framing: " + Self.framingVariants[variant], bytes: Array(line.utf8), wellFramed: false)
    }

    private mutating func hostileAuthorization() -> Request {
        let value: String
        let variant = int(10)
        switch variant {
        case 0: value = "Basic " + Data(bytes(int(60))).base64EncodedString()
        case 1: value = "Basic " + printable(int(80))
        case 2: value = "Bearer " + printable(int(120))
        case 3: value = "Bearer fjord_" + printable(43)
        case 4: value = pick(["basic", "bearer", "Basic ", "Bearer", "Digest x", "Negotiate abc", ":", ""]) + printable(int(5))
        case 5: value = "Basic " + Data("\(pick(["alice", "fuzz", "", ":", "ü"])):\(printable(int(20)))".utf8).base64EncodedString()
        case 6: value = "Basic " + String(repeating: "QUFB", count: int(2_000))
        case 7: value = "Basic " + Data("fuzz:\(printable(int(30)))".utf8).base64EncodedString()
        case 8: value = pick(validAuthorizations) + printable(int(3))
        default: value = String(decoding: bytes(int(40)).filter { $0 != 13 && $0 != 10 }, as: UTF8.self)
        }
        return wellFramed("auth #\(variant)", method: pick(["GET", "POST"]), path: pick(Self.paths) + "?query=%7Bapp%3D%22x%22%7D",
                          headers: [("Authorization", value), ("X-Scope-OrgID", pick(tenants))], body: [])
    }

    private mutating func hostileTenant() -> Request {
        let tenant: String
        let variant = int(8)
        switch variant {
        case 0: tenant = printable(int(30))
        case 1: tenant = (0..<int(6)).map { _ in pick(tenants + ["zzz", "", "*", ".."]) }.joined(separator: "|")
        case 2: tenant = String(repeating: "a", count: 140 + int(40))
        case 3: tenant = pick(tenants) + ":" + printable(int(10))
        case 4: tenant = pick(["|", "||", ".", "..", " ", "a|", "|a", "a||b", "fake"])
        case 5: tenant = String(decoding: bytes(int(20)).filter { $0 != 13 && $0 != 10 && $0 != 0 }, as: UTF8.self)
        default: tenant = pick(tenants) + "|" + pick(tenants)
        }
        let path = pick(Self.paths)
        let body = path.hasSuffix("push") ? Array(#"{"streams":[{"stream":{"app":"fuzz"},"values":[["\#(now())","x"]]}]}"#.utf8) : []
        return wellFramed("tenant #\(variant)", method: path.hasSuffix("push") ? "POST" : "GET", path: path,
                          headers: [("Authorization", pick(validAuthorizations)), ("X-Scope-OrgID", tenant),
                                    ("Content-Type", "application/json")], body: body)
    }

    private mutating func hostileBody() -> Request {
        var body: [UInt8]
        let valid = #"{"streams":[{"stream":{"app":"fuzz","level":"info"},"values":[["\#(now())","line \#(int(1000))"]]}]}"#
        let variant = int(10)
        switch variant {
        case 0: body = bytes(int(3000))
        case 1: body = mutate(Array(valid.utf8))
        case 2: body = Array(valid.utf8.prefix(int(valid.utf8.count)))
        case 3: body = Array((String(repeating: "[", count: int(5000)) + String(repeating: "]", count: int(5000))).utf8)
        case 4: body = Array(#"{"streams":[{"stream":{"\#(printable(int(20)))":"\#(printable(int(20)))"},"values":[["\#(printable(int(25)))","\#(printable(int(50)))",{"\#(printable(5))":"x"}]]}]}"#.utf8)
        case 5: body = [0x1f, 0x8b, 0x08, 0x00] + bytes(int(500))
        case 6: body = bytes(int(40)) + Array(valid.utf8)
        case 7: body = Array("query=\(printable(int(100)))&start=\(printable(5))&%zz=%&&=".utf8)
        case 8: body = Array(#"{"streams":[{"stream":{"app":"fuzz"},"values":[["\#(now())","\#(String(repeating: "x", count: int(300_000)))"]]}]}"#.utf8)
        default: body = Array("name: \(printable(10))\nrules:\n  - record: \(printable(8))\n    expr: \(printable(30))\n".utf8)
        }
        let path = pick(["/loki/api/v1/push", "/api/prom/push", "/loki/api/v1/query_range", "/loki/api/v1/rules/ns",
                         "/loki/api/v1/series", "/loki/api/v1/labels"])
        var headers: [(String, String)] = [("Authorization", pick(validAuthorizations)), ("X-Scope-OrgID", pick(tenants)),
                                           ("Content-Type", pick(Self.contentTypes))]
        if int(4) == 0 { headers.append(("Content-Encoding", pick(["gzip", "deflate", "snappy", "zstd", "br", "x"]))) }
        return wellFramed("body #\(variant)", method: "POST", path: path, headers: headers, body: body)
    }

    private mutating func hostileQuery() -> Request {
        let queries = ["{app=\"fuzz\"}", "sum(rate({app=\"fuzz\"}[1m]))", "{app=~\"(\"}", "{", "}}}", "{app=\"x\"} | json | line_format \"{{.\"",
                       "topk(99999999999, count_over_time({app=\"fuzz\"}[1h]))", "{app=\"fuzz\"} |~ \"\(printable(10))\"", printable(int(60))]
        var parameters = ["query=" + escape(pick(queries))]
        for name in ["start", "end", "step", "limit", "direction", "time", "interval", "match[]"] where int(2) == 0 {
            parameters.append("\(name)=" + escape(pick(["0", "-1", "1e30", "NaN", "inf", "now", "2024-13-45T99:99:99Z",
                                                           "99999999999999999999999", "backward", "sideways", printable(int(12))])))
        }
        let path = pick(["/loki/api/v1/query", "/loki/api/v1/query_range", "/loki/api/v1/series", "/loki/api/v1/labels",
                         "/loki/api/v1/label/\(escape(printable(int(8))))/values", "/loki/api/v1/index/stats",
                         "/loki/api/v1/format_query", "/prometheus/api/v1/rules"])
        return wellFramed("query", method: "GET", path: path + "?" + parameters.joined(separator: "&"),
                          headers: [("Authorization", pick(validAuthorizations)), ("X-Scope-OrgID", pick(tenants))], body: [])
    }

    private mutating func hostileHeaders() -> Request {
        var headers: [(String, String)] = [("Authorization", pick(validAuthorizations)), ("X-Scope-OrgID", pick(tenants))]
        for _ in 0..<int(6) {
            headers.append((pick(["X-Loki-Backfill-Shard", "X-Loki-Response-Encoding-Flags", "Content-Encoding", "Accept-Encoding",
                                  "Cache-Control", "Content-Type", "X-Query-Tags", "Expect", "Connection", "X-" + printable(8)]),
                            printable(int(200))))
        }
        if int(10) == 0 { headers.append(("X-Big", String(repeating: "b", count: 70_000 + int(20_000)))) }
        return wellFramed("headers", method: pick(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]),
                          path: pick(Self.paths), headers: headers, body: int(2) == 0 ? bytes(int(100)) : [])
    }

    // MARK: Helpers

    private func wellFramed(_ kind: String, method: String, path: String, headers: [(String, String)], body: [UInt8]) -> Request {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers {
            head += "\(name): \(value.filter { $0 != "\r" && $0 != "\n" })\r\n"
        }
        head += "Content-Length: \(body.count)\r\n\r\n"
        // Header values with bytes HTTP forbids make the request ill-framed: the server may close.
        let clean = headers.allSatisfy { $0.1.unicodeScalars.allSatisfy { ($0.value >= 0x20 && $0.value < 0x7f) || $0 == "\t" } }
        let big = headers.contains { $0.1.utf8.count > 60_000 }
        return Request(kind: kind, bytes: Array(head.utf8) + body, wellFramed: clean && !big)
    }

    private mutating func int(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(random.next() % UInt64(bound)) }
    private mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    private mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
    private mutating func printable(_ count: Int) -> String {
        String(decoding: (0..<count).map { _ in UInt8(0x21 + int(94)) }, as: UTF8.self)
    }
    private mutating func mutate(_ input: [UInt8]) -> [UInt8] {
        var output = input
        for _ in 0..<(1 + int(8)) where !output.isEmpty {
            let index = int(output.count)
            switch int(3) {
            case 0: output[index] = UInt8(truncatingIfNeeded: random.next())
            case 1: output.remove(at: index)
            default: output.insert(UInt8(truncatingIfNeeded: random.next()), at: index)
            }
        }
        return output
    }
    private func escape(_ text: String) -> String { HTTP.escape(text) }
    private func now() -> String { String(Int64(Date().timeIntervalSince1970) * 1_000_000_000) }
}
