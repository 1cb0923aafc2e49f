import Foundation
import NIOCore

/// One benchmark query: a range query over the data set's whole 3 hours.
struct BenchQuery: Sendable {
    let id: String
    let query: String
    /// `limit` for log queries, nil for metric queries.
    let limit: Int?
    /// `step` for metric queries, e.g. "60s".
    let step: String?

    /// The reference set measured on Loki 3.7 (lokicompat's `bench`), `{needle}` replaced by the data set's request id.
    static func referenceSet(needle: String) -> [BenchQuery] {
        [
            BenchQuery(id: "traceback_filter", query: #"{job="docker-containers"} |= "Traceback""#, limit: 1000, step: nil),
            BenchQuery(id: "json_level_error", query: #"{job="docker-containers"} | json | level="error""#,
                       limit: 1000, step: nil),
            BenchQuery(id: "rate_errors_by_service",
                       query: #"sum by (service) (rate({job="docker-containers"} | json | __error__="" | level="error" [5m]))"#,
                       limit: nil, step: "60s"),
            BenchQuery(id: "slow_requests_line_format",
                       query: #"{service="api"} | json | latency_ms > 1000 | line_format "{{.event}} latency={{.latency_ms}}ms tenant={{.tenant_id}}""#,
                       limit: 1000, step: nil),
            BenchQuery(id: "topk_events",
                       query: #"topk(10, sum by (event) (count_over_time({job="docker-containers"} | json | __error__="" [1h])))"#,
                       limit: nil, step: "300s"),
            BenchQuery(id: "avg_unwrap_duration",
                       query: #"avg_over_time({app="oneiric"} | json | event="swap-complete" | unwrap duration_ms [5m]) by (domain)"#,
                       limit: nil, step: "60s"),
            BenchQuery(id: "count_all_1m", query: #"sum(count_over_time({job="docker-containers"}[1m]))"#,
                       limit: nil, step: "60s"),
            BenchQuery(id: "needle_request_id", query: #"{job="docker-containers"} |= ""# + needle + #"""#, limit: 100,
                       step: nil),
        ]
    }
}

/// The shape of a query answer: streams and entries, or series and points.
struct ResultSize: Sendable, Codable, CustomStringConvertible {
    var resultType: String
    var streamsOrSeries: Int
    var entriesOrPoints: Int

    var description: String {
        resultType == "streams" ? "\(streamsOrSeries) streams, \(entriesOrPoints) entries"
            : "\(streamsOrSeries) series × \(streamsOrSeries == 0 ? 0 : entriesOrPoints / streamsOrSeries) points"
    }
}

/// Timings of one benchmark query.
struct QueryTiming: Sendable, Codable {
    var id: String
    var query: String
    var status: Int
    var runsMilliseconds: [Double]
    var medianMilliseconds: Double
    var minMilliseconds: Double
    var maxMilliseconds: Double
    var result: ResultSize?
    /// The server's error text when it did not answer 200 (the query is then reported as skipped).
    var error: String?
    /// A cheap correctness note (e.g. every returned line contains the filter text).
    var check: String?
    /// Server CPU (user + system) per timed run: less sensitive to other load on the machine than wall time.
    var serverCPUMillisecondsPerRun: Double?
}

/// Runs range queries against the server's `query_range` endpoint and parses the answers with Foundation (off the
/// measured path: parsing happens after the timer stops).
struct QueryRunner {
    let address: ServerAddress
    let group: any EventLoopGroup
    var timeout: TimeAmount = .seconds(600)
    private var connection: HTTPConnection?

    init(address: ServerAddress, group: any EventLoopGroup) {
        self.address = address
        self.group = group
    }

    /// Sends a GET with URL-encoded parameters; reconnects once if the keep-alive connection was closed.
    mutating func get(_ path: String, _ parameters: [(String, String)], headers: [(String, String)] = [])
        async throws -> (BenchResponse, Double)
    {
        let uri = address.pathPrefix + path + (parameters.isEmpty ? "" : "?" + URLQuery.encode(parameters))
        return try await send(BenchRequest(method: .GET, uri: uri, headers: address.tenantHeaders + headers))
    }

    mutating func post(_ path: String) async throws -> BenchResponse {
        try await send(BenchRequest(method: .POST, uri: address.pathPrefix + path, headers: address.tenantHeaders)).0
    }

    private mutating func send(_ request: BenchRequest) async throws -> (BenchResponse, Double) {
        var lastError: (any Error)?
        for _ in 0..<2 {
            do {
                if connection == nil || connection?.isActive == false {
                    connection = try await HTTPConnection.connect(group: group, host: address.host, port: address.port)
                }
                guard let live = connection else { continue }
                let clock = ContinuousClock()
                let started = clock.now
                let response = try await live.send(request, timeout: timeout)
                return (response, (clock.now - started).seconds * 1000)
            } catch {
                lastError = error
                connection = nil
            }
        }
        throw lastError ?? HTTPConnectionError(message: "no connection")
    }

    mutating func close() async {
        await connection?.close()
        connection = nil
    }

    /// Runs `query` over [start, end] `repeats` times.
    mutating func time(_ query: BenchQuery, start: Int64, end: Int64, repeats: Int) async -> QueryTiming {
        var parameters = [("query", query.query), ("start", String(start)), ("end", String(end))]
        if let limit = query.limit { parameters.append(("limit", String(limit))) }
        if let step = query.step { parameters.append(("step", step)) }
        var runs: [Double] = []
        var status = 0
        var firstBody: [UInt8] = []
        var error: String?
        for run in 0..<max(1, repeats) {
            do {
                let (response, milliseconds) = try await get("/loki/api/v1/query_range", parameters)
                status = response.status
                if run == 0 { firstBody = response.body }
                guard response.status == 200 else {
                    error = "HTTP \(response.status): \(response.text.prefix(300))"
                    break
                }
                runs.append(milliseconds)
            } catch let failure {
                error = "\(failure)"
                break
            }
        }
        let sorted = runs.sorted()
        var timing = QueryTiming(
            id: query.id, query: query.query, status: status, runsMilliseconds: runs,
            medianMilliseconds: Self.median(sorted), minMilliseconds: sorted.first ?? 0,
            maxMilliseconds: sorted.last ?? 0, result: nil, error: error, check: nil)
        if error == nil, let answer = QueryAnswer.parse(firstBody) {
            timing.result = answer.size
            timing.check = answer.lines.isEmpty ? nil : "\(answer.lines.count) lines returned"
        }
        return timing
    }

    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}

/// A parsed `query_range`/`query` answer: its size, the log lines (streams) and the sample values (matrix/vector).
struct QueryAnswer {
    var size: ResultSize
    var lines: [String] = []
    var values: [Double] = []

    static func parse(_ body: [UInt8]) -> QueryAnswer? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let data = object["data"] as? [String: Any], let type = data["resultType"] as? String else { return nil }
        let result = data["result"] as? [[String: Any]] ?? []
        var answer = QueryAnswer(size: ResultSize(resultType: type, streamsOrSeries: result.count, entriesOrPoints: 0))
        for item in result {
            if type == "streams" {
                let values = item["values"] as? [[Any]] ?? []
                answer.size.entriesOrPoints += values.count
                answer.lines += values.compactMap { $0.count > 1 ? $0[1] as? String : nil }
            } else if let values = item["values"] as? [[Any]] {
                answer.size.entriesOrPoints += values.count
                answer.values += values.compactMap { $0.count > 1 ? ($0[1] as? String).flatMap(Double.init) : nil }
            } else if let value = item["value"] as? [Any], value.count > 1 {
                answer.size.entriesOrPoints += 1
                answer.values += [(value[1] as? String).flatMap(Double.init)].compactMap { $0 }
            }
        }
        return answer
    }
}

/// `application/x-www-form-urlencoded` query strings (everything but unreserved characters percent-encoded).
enum URLQuery {
    static func encode(_ parameters: [(String, String)]) -> String {
        parameters.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
