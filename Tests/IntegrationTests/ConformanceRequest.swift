import FjordConformanceKit
import FjordModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A conformance case turned into the HTTP request lcrun (`/work/shared/lokicompat/lcrun.py`, `build_request`) sends.
struct ConformanceRequest: Equatable {
    var method: String
    var path: String
    /// Parameters in sending order (`match[]` may repeat).
    var parameters: [(String, String)]
    var headers: [String: String]

    static func == (lhs: ConformanceRequest, rhs: ConformanceRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.headers == rhs.headers
            && lhs.parameters.map { [$0.0, $0.1] } == rhs.parameters.map { [$0.0, $0.1] }
    }

    /// `build_request(case, base)`; `base` is BASE in Unix nanoseconds.
    init(_ testCase: ConformanceCase, base: Int64) throws {
        let style = testCase.fields["time_format"] ?? "ns"
        var parameters: [(String, String)] = []
        func time(_ name: String, _ key: String) throws {
            guard let offset = testCase.fields[key] else { return }
            parameters.append((name, Self.format(base + (try ConformanceCase.offset(offset)), style: style)))
        }
        func copy(_ key: String) {
            if let value = testCase.fields[key] { parameters.append((key, value)) }
        }
        switch testCase.kind {
        case "range":
            path = "/loki/api/v1/query_range"
            parameters.append(("query", testCase.query))
            try time("start", "start")
            try time("end", "end")
            for key in ["limit", "direction", "step", "interval"] { copy(key) }
        case "instant":
            path = "/loki/api/v1/query"
            parameters.append(("query", testCase.query))
            try time("time", "time")
            for key in ["limit", "direction"] { copy(key) }
        case "labels", "label_values":
            if testCase.kind == "labels" {
                path = "/loki/api/v1/labels"
            } else {
                path = "/loki/api/v1/label/\(Self.quote(testCase.name ?? "", plus: false))/values"
            }
            if !testCase.query.isEmpty { parameters.append(("query", testCase.query)) }
            try time("start", "start")
            try time("end", "end")
        case "series":
            path = "/loki/api/v1/series"
            for selector in testCase.match { parameters.append(("match[]", selector)) }
            try time("start", "start")
            try time("end", "end")
        default:
            throw FjordTestError("unknown kind \(testCase.kind) in case \(testCase.id)")
        }
        for (name, value) in testCase.rawParameters {
            parameters.removeAll { $0.0 == name }
            if let value { parameters.append((name, value)) }
        }
        self.parameters = parameters
        method = testCase.method
        headers = (testCase.tenant ?? "").isEmpty ? [:] : ["X-Scope-OrgID": testCase.tenant ?? ""]
    }

    /// `fmt_time`: `ns` (integer), `s` (seconds with milliseconds), `s10` (whole seconds), `rfc3339`.
    static func format(_ nanos: Int64, style: String) -> String {
        let seconds = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        let rest = nanos - seconds * 1_000_000_000
        switch style {
        case "s":
            let millis = String(rest / 1_000_000)
            return "\(seconds)." + String(repeating: "0", count: 3 - millis.count) + millis
        case "s10":
            return String(seconds)
        case "rfc3339":
            return GoTime.rfc3339Nano(nanos)
        default:
            return String(nanos)
        }
    }

    /// `urllib.parse.urlencode` of the parameters (`quote_plus`: space as `+`, everything but `A-Za-z0-9_.-~` escaped).
    var encodedParameters: String {
        parameters.map { Self.quote($0.0, plus: true) + "=" + Self.quote($0.1, plus: true) }.joined(separator: "&")
    }

    /// Python's `quote_plus` (`plus`) or `quote(safe="")`, on UTF-8 bytes.
    static func quote(_ text: String, plus: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"),
                 UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: " ") where plus:
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// The URL request against `baseURL` (`POST` sends the parameters as a form body, like Grafana).
    func urlRequest(baseURL: String, timeout: TimeInterval) throws -> URLRequest {
        var url = baseURL + path
        if method != "POST", !parameters.isEmpty { url += "?" + encodedParameters }
        guard let target = URL(string: url), target.host == "127.0.0.1" else {
            throw FjordTestError("tests only talk to 127.0.0.1: \(url)")
        }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if method == "POST" {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(encodedParameters.utf8)
        }
        return request
    }
}
