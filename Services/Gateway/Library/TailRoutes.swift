import FjordLogQL
import FjordLokiAPI
import FjordModel
import FjordRuntime
import FjordServiceAPI
import FjordTail
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore

/// A live tail request checked before the WebSocket upgrade: Loki answers these problems with HTTP 400.
struct TailPlan: Sendable {
    var tenant: String
    var request: FjordLokiAPI.TailRequest
    var selector: LogSelectorExpr
    /// The query as sent to the history query (with a legacy `regexp` appended).
    var query: String
    var legacy: Bool
    var flags: EncodingFlags
}

/// `/loki/api/v1/tail` and `/api/prom/tail`: the WebSocket route (authenticated like queries, with the `tail` right)
/// and the plain-HTTP route that answers requests which did not upgrade (parameter errors, or no upgrade headers).
enum TailRoutes {
    static let paths: [(path: String, legacy: Bool)] = [("/loki/api/v1/tail", false), ("/api/prom/tail", true)]

    /// The routes on the WebSocket router.
    static func registerWebSocket(on router: Router<APIRequestContext>, deps: GatewayDependencies,
                                  tenants: TenantResolver, limiter: TailLimiter) {
        let prefix = deps.config.server.pathPrefix
        for (path, legacy) in paths {
            router.ws(RouterPath(prefix + path)) { request, context in
                _ = try plan(request, context: context, tenants: tenants, legacy: legacy)
                return .upgrade([:])
            } onUpgrade: { inbound, outbound, wsContext in
                let request = wsContext.request
                let plan: TailPlan
                do {
                    plan = try TailRoutes.plan(request, context: wsContext.requestContext, tenants: tenants, legacy: legacy)
                } catch {
                    try await outbound.close(.unexpectedServerError, reason: "\(error)")
                    return
                }
                try await TailConnection(plan: plan, deps: deps, limiter: limiter, logger: wsContext.logger)
                    .run(inbound: inbound, outbound: outbound)
            }
        }
    }

    /// The same paths on the HTTP router, reached when a request does not upgrade: its parameter errors, or Loki's
    /// (gorilla's) answer to a request without the WebSocket handshake.
    static func registerHTTP(on api: RouterGroup<APIRequestContext>, tenants: TenantResolver) {
        for (path, legacy) in paths {
            api.get(RouterPath(path)) { request, context -> Response in
                _ = try plan(request, context: context, tenants: tenants, legacy: legacy)
                throw GatewayError(status: 400, message: "websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header")
            }
        }
    }

    /// Tenant (`tail` right), parameters and query; throws the 400/401/403 Loki would answer before upgrading.
    static func plan(_ request: Request, context: APIRequestContext, tenants: TenantResolver,
                     legacy: Bool) throws -> TailPlan {
        let ids = try tenants.readTenants(header: request.headers[.init("X-Scope-OrgID")!], credential: context.credential,
                                          right: .tail)
        guard ids.count == 1, let tenant = ids.first else {
            throw GatewayError(status: 400, message: "multi-tenant live tail is not supported")
        }
        let query = FormParameters.parseURLEncoded(Array((request.uri.query ?? "").utf8))
        if let error = query.error { throw GatewayError(error) }
        let parsed = try GatewayRoutes.apiCall { () throws(LokiAPIError) in
            try FjordLokiAPI.TailRequest.parse(query.parameters, now: WallClockNanos.now())
        }
        var text = parsed.query
        if !parsed.regexp.isEmpty { text += " |~ " + GoQuote.quote(parsed.regexp) }
        let expr = try GatewayRoutes.apiCall { () throws(LokiAPIError) in
            try FjordLokiAPI.TailRequest(query: text, start: parsed.start).parsedQuery()
        }
        guard case .log(let selector) = expr else {
            throw GatewayError(status: 400, message: "parse error : tail queries must be log queries")
        }
        let flags = EncodingFlags.parse(header: request.headers[.init(EncodingFlags.headerName)!])
        return TailPlan(tenant: tenant, request: parsed, selector: selector, query: text, legacy: legacy, flags: flags)
    }
}
