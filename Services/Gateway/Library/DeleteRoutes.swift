import FjordConfig
import FjordLogQL
import FjordLokiAPI
import FjordModel
import FjordRuntime
import FjordServiceAPI
import Hummingbird

/// `/loki/api/v1/delete` (Loki's compactor `request_handler.go`): create (POST/PUT), list (GET), cancel (DELETE)
/// log deletion requests, with Loki's parameters, status codes and error texts. The requests go to a
/// ``DeleteRequestTarget``: the compactor in process (all-in-one) or over the wire (cluster).
enum DeleteRoutes {
    static func register(on api: RouterGroup<APIRequestContext>, deps: GatewayDependencies, tenants: TenantResolver) {
        for method in [HTTPRequest.Method.post, .put] {
            api.on("/loki/api/v1/delete", method: method) { request, context in
                let (target, tenant, params) = try await prepare(request, context: context, deps: deps, tenants: tenants)
                let parsed = try DeleteRequestParameters.parse(params, now: WallClockNanos.now())
                let created = try await GatewayRoutes.service {
                    try await target.addDeleteRequest(tenant: tenant, query: parsed.query, start: parsed.start, end: parsed.end)
                }
                var headers = HTTPFields()
                headers[.init("X-Delete-Request-ID")!] = created.requestID
                return Response(status: .noContent, headers: headers)
            }
        }
        api.get("/loki/api/v1/delete") { request, context in
            let (target, tenant, params) = try await prepare(request, context: context, deps: deps, tenants: tenants)
            var requests = try await GatewayRoutes.service { try await target.deleteRequests(tenant: tenant) }
            if !params.first("start").isEmpty || !params.first("end").isEmpty {
                let start = try DeleteRequestParameters.time(params.first("start"), name: "start") ?? .min
                let end = try DeleteRequestParameters.time(params.first("end"), name: "end") ?? .max
                requests = requests.filter { $0.start <= end && $0.end >= start }
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(bytes: DeleteRequestParameters.encodeList(requests))))
        }
        api.delete("/loki/api/v1/delete") { request, context in
            let (target, tenant, params) = try await prepare(request, context: context, deps: deps, tenants: tenants)
            let id = params.first("request_id")
            guard !id.isEmpty else { throw GatewayError(status: 400, message: "could not find delete request with given id") }
            let force = params.first("force").lowercased() == "true"
            try await GatewayRoutes.service { try await target.cancelDeleteRequest(tenant: tenant, requestID: id, force: force) }
            return Response(status: .noContent)
        }
    }

    private static func prepare(_ request: Request, context: APIRequestContext, deps: GatewayDependencies,
                                tenants: TenantResolver) async throws -> (any DeleteRequestTarget, String, FormParameters) {
        var request = request
        let tenant = try tenants.writeTenant(header: request.headers[.init("X-Scope-OrgID")!], credential: context.credential,
                                             right: .delete)
        guard let target = deps.deletes, deps.config.compactor.retentionEnabled,
              deps.config.limits.deletionMode != "disabled" else {
            throw GatewayError(status: 400, message: "Retention is not enabled")
        }
        return (target, tenant, try await GatewayRoutes.parameters(&request))
    }
}

/// The parameters of a new delete request, checked like Loki's `request_handler.go`. Pure.
enum DeleteRequestParameters {
    struct Parsed: Equatable {
        var query: String
        var start: Int64
        var end: Int64
    }

    static func parse(_ params: FormParameters, now: Int64) throws(GatewayError) -> Parsed {
        let query = params.first("query")
        guard !query.isEmpty else { throw GatewayError(status: 400, message: "query not set") }
        do {
            _ = try LogQLParser.parseLogSelector(query, validate: true)
        } catch {
            throw GatewayError(status: 400, message: "\(error)")
        }
        guard let start = try time(params.first("start"), name: "start") else {
            throw GatewayError(status: 400, message: "start time not set")
        }
        let end = try time(params.first("end"), name: "end") ?? now
        if end > now { throw GatewayError(status: 400, message: "deletes in the future are not allowed") }
        if start >= end { throw GatewayError(status: 400, message: "start time can't be greater than or equal to end time") }
        return Parsed(query: query, start: start, end: end)
    }

    /// RFC 3339 or exactly 10 digits of Unix seconds; nil when empty.
    static func time(_ text: String, name: String) throws(GatewayError) -> Int64? {
        if text.isEmpty { return nil }
        if text.utf8.count == 10, text.utf8.allSatisfy({ (48...57).contains($0) }), let seconds = Int64(text) {
            return seconds * 1_000_000_000
        }
        if let nanos = GoTime.parseRFC3339(text) { return nanos }
        throw GatewayError(status: 400, message: "invalid \(name) time: require unix seconds or RFC3339 format")
    }

    /// Loki's list answer: times as Prometheus `model.Time` (seconds with a millisecond fraction).
    static func encodeList(_ requests: [DeleteRequest]) -> [UInt8] {
        func seconds(_ nanos: Int64) -> String {
            let millis = nanos / 1_000_000
            let whole = millis / 1000
            let fraction = abs(millis % 1000)
            guard fraction != 0 else { return String(whole) }
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            return "\(whole).\(digits)"
        }
        var json = JSONBuffer()
        json.append("[")
        for (index, request) in requests.enumerated() {
            if index > 0 { json.append(",") }
            json.append("{\"request_id\":")
            json.append(string: request.requestID, .goStandard)
            json.append(unescaped: ",\"start_time\":\(seconds(request.start)),\"end_time\":\(seconds(request.end)),\"query\":")
            json.append(string: request.query, .goStandard)
            json.append(unescaped: ",\"status\":\"\(request.status.rawValue)\",\"created_at\":\(seconds(request.createdAt)),\"user_id\":\"\"}")
        }
        json.append("]")
        return json.bytes
    }
}
