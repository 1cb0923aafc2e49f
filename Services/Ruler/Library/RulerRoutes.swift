public import FjordConfig
import FjordLokiAPI
import FjordAuth
import FjordModel
import FjordRules
import FjordRuntime
import FjordServiceAPI
import Foundation
public import Hummingbird
import NIOCore

/// The ruler's HTTP API in Loki's shapes (`pkg/ruler/base/api.go`), added to a router: the all-in-one adds it to the
/// gateway's router, `fjord-ruler` to its own HTTP server. Nothing is added when `ruler.enable_api` is false.
///
/// | route | answer |
/// |---|---|
/// | `GET /loki/api/v1/rules` | YAML `namespace: [groups]`; 404 `no rule groups found` |
/// | `GET /loki/api/v1/rules/{namespace}` | the same for one namespace |
/// | `GET /loki/api/v1/rules/{namespace}/{group}` | one group's YAML; 404 `group does not exist` |
/// | `POST /loki/api/v1/rules/{namespace}` | YAML group body → 202 `{"status":"success",...}`; 400 with the reasons |
/// | `DELETE /loki/api/v1/rules/{namespace}[/{group}]` | 202; 404 when missing |
/// | `GET /prometheus/api/v1/rules`, `/prometheus/api/v1/alerts` | JSON with state |
///
/// `/api/prom/rules...` and `/api/prom/api/v1/{rules,alerts}` are aliases.
public enum RulerRoutes {
    public static func register(on router: Router<APIRequestContext>, ruler: Ruler, config: FjordConfiguration) {
        guard config.ruler.enableAPI else { return }
        let prefix = config.server.pathPrefix
        let api = prefix.isEmpty ? router.group() : router.group(RouterPath(prefix))
        let tenants = RulerTenants(resolver: TenantResolver(config: config))

        for base in ["/loki/api/v1/rules", "/api/prom/rules"] {
            api.get(RouterPath(base)) { request, context in
                let tenant = try tenants.tenant(request, context, .query)
                return yaml(RuleYAML.namespaces(try call { () throws(ServiceError) in try ruler.list(tenant: tenant) }))
            }
            api.get(RouterPath(base + "/:namespace")) { request, context in
                let tenant = try tenants.tenant(request, context, .query)
                let namespace = try parameter(context, "namespace")
                return yaml(RuleYAML.namespaces(try call { () throws(ServiceError) in
                    try ruler.list(tenant: tenant, namespace: namespace)
                }))
            }
            api.get(RouterPath(base + "/:namespace/:group")) { request, context in
                let tenant = try tenants.tenant(request, context, .query)
                let namespace = try parameter(context, "namespace")
                let name = try parameter(context, "group")
                return yaml(RuleYAML.group(try call { () throws(ServiceError) in
                    try ruler.group(tenant: tenant, namespace: namespace, name: name)
                }))
            }
            api.post(RouterPath(base + "/:namespace")) { request, context in
                var request = request
                let tenant = try tenants.tenant(request, context, .rules)
                let namespace = try parameter(context, "namespace")
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: 1 << 20)
                } catch {
                    throw RulerHTTPError(status: 413, message: "request body too large")
                }
                try await callAsync { () async throws(ServiceError) in
                    try await ruler.set(tenant: tenant, namespace: namespace, yaml: String(decoding: Array(buffer: body), as: UTF8.self))
                }
                return json(RulerAPIEncoding.accepted, status: .accepted)
            }
            api.delete(RouterPath(base + "/:namespace")) { request, context in
                let tenant = try tenants.tenant(request, context, .rules)
                let namespace = try parameter(context, "namespace")
                try await callAsync { () async throws(ServiceError) in try await ruler.delete(tenant: tenant, namespace: namespace) }
                return json(RulerAPIEncoding.accepted, status: .accepted)
            }
            api.delete(RouterPath(base + "/:namespace/:group")) { request, context in
                let tenant = try tenants.tenant(request, context, .rules)
                let namespace = try parameter(context, "namespace")
                let group = try parameter(context, "group")
                try await callAsync { () async throws(ServiceError) in
                    try await ruler.delete(tenant: tenant, namespace: namespace, group: group)
                }
                return json(RulerAPIEncoding.accepted, status: .accepted)
            }
        }

        for base in ["/prometheus/api/v1", "/api/prom/api/v1"] {
            api.get(RouterPath(base + "/rules")) { request, context in
                let tenant = try tenants.tenant(request, context, .query)
                let query = FormParameters.parseURLEncoded(Array((request.uri.query ?? "").utf8)).parameters
                let filter: PrometheusRulesFilter
                do {
                    filter = try PrometheusRulesFilter.parse(
                        type: query.first("type"), files: query.all("file[]"), groups: query.all("rule_group[]"),
                        ruleNames: query.all("rule_name[]"))
                } catch let error as RuleEvaluationError {
                    return json(RulerAPIEncoding.badData(error.message), status: .badRequest)
                }
                return json(await ruler.prometheusRules(tenant: tenant, filter: filter))
            }
            api.get(RouterPath(base + "/alerts")) { request, context in
                json(await ruler.alerts(tenant: try tenants.tenant(request, context, .query)))
            }
        }
    }

    private static func parameter(_ context: APIRequestContext, _ name: String) throws(RulerHTTPError) -> String {
        guard let raw = context.parameters.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw RulerHTTPError(status: 400, message: name == "group" ? "a matching group name must be provided in the request"
                                                                     : "a namespace must be provided in the request")
        }
        return decoded
    }

    private static func call<T>(_ body: () throws(ServiceError) -> T) throws(RulerHTTPError) -> T {
        do {
            return try body()
        } catch {
            throw RulerHTTPError(status: error.status, message: error.message)
        }
    }

    private static func callAsync(_ body: () async throws(ServiceError) -> Void) async throws(RulerHTTPError) {
        do {
            try await body()
        } catch {
            throw RulerHTTPError(status: error.status, message: error.message)
        }
    }

    private static func yaml(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The tenant of a rule API request: one tenant, decided like every public API request (``TenantResolver``: the
/// credential's tenants and rights, or `X-Scope-OrgID` as sent, or `fake`). Refusals keep Go's `http.Error` shape
/// (trailing newline) but are thrown as ``GatewayError`` when they are 401/403 so the audit log records them.
struct RulerTenants: Sendable {
    let resolver: TenantResolver

    func tenant(_ request: Request, _ context: APIRequestContext, _ right: AccessRight) throws -> String {
        do {
            return try resolver.writeTenant(header: request.headers[.init("X-Scope-OrgID")!], credential: context.credential,
                                            right: right)
        } catch where error.status.code == 401 || error.status.code == 403 {
            throw GatewayError(status: Int(error.status.code), message: error.message + "\n")
        } catch {
            throw RulerHTTPError(status: Int(error.status.code), message: error.message)
        }
    }
}

/// An error answered as Go's `http.Error` does: plain text with a trailing newline and `nosniff`.
struct RulerHTTPError: HTTPResponseError, Sendable {
    let status: HTTPResponse.Status
    let message: String

    init(status: Int, message: String) {
        self.status = HTTPResponse.Status(code: status)
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
