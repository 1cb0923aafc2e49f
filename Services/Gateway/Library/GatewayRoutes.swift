public import FjordAuth
public import FjordConfig
import FjordLogQL
import FjordLokiAPI
import FjordRuntime
import FjordModel
import Foundation
public import FjordServiceAPI
public import Hummingbird
import NIOCore

/// What the gateway's HTTP routes talk to.
public struct GatewayDependencies: Sendable {
    public var config: FjordConfiguration
    public var push: PushHandler
    public var query: any QueryTarget
    public var admin: any IngesterAdmin
    /// Renders `/metrics` (Prometheus text format).
    public var metricsText: @Sendable () -> [UInt8]
    /// Checks credentials; nil when requests are not authenticated (no credentials file).
    public var authenticator: Authenticator?
    public var audit: AuditLog
    /// Where `/loki/api/v1/delete` requests go (the compactor); nil answers 400 `Retention is not enabled`.
    public var deletes: (any DeleteRequestTarget)?
    /// Where live tails subscribe (the ingester in process, or the ring of ingesters); nil: tails are refused.
    public var tail: (any TailTarget)?

    public init(config: FjordConfiguration, push: PushHandler, query: any QueryTarget, admin: any IngesterAdmin,
                metricsText: @escaping @Sendable () -> [UInt8], authenticator: Authenticator? = nil,
                audit: AuditLog = AuditLog(), tail: (any TailTarget)? = nil) {
        self.tail = tail
        self.config = config
        self.push = push
        self.query = query
        self.admin = admin
        self.metricsText = metricsText
        self.authenticator = authenticator
        self.audit = audit
    }
}

/// Loki's HTTP API on a Hummingbird router: push, queries, metadata and operational endpoints.
public enum GatewayRoutes {
    public static func makeRouter(_ deps: GatewayDependencies) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: AuthMiddleware(authenticator: deps.authenticator, audit: deps.audit))
        let prefix = deps.config.server.pathPrefix
        let api = prefix.isEmpty ? router.group() : router.group(RouterPath(prefix))
        let tenants = TenantResolver(config: deps.config)

        // Push
        for (path, legacy) in [("/loki/api/v1/push", false), ("/api/prom/push", true)] {
            api.post(RouterPath(path)) { request, context in
                try await handlePush(request, context: context, deps: deps, tenants: tenants, legacy: legacy)
            }
        }

        // Queries
        for method in [HTTPRequest.Method.get, .post] {
            api.on("/loki/api/v1/query_range", method: method) { request, context in
                try await handleRangeQuery(request, context: context, deps: deps, tenants: tenants)
            }
            api.on("/loki/api/v1/query", method: method) { request, context in
                try await handleInstantQuery(request, context: context, deps: deps, tenants: tenants)
            }
            for path in ["/loki/api/v1/labels", "/loki/api/v1/label"] {
                api.on(RouterPath(path), method: method) { request, context in
                    let (ids, params, now) = try await readRequest(request, context: context, tenants: tenants)
                    let parsed = try apiCall { () throws(LokiAPIError) in try LabelsRequest.parse(params, now: now) }
                    let names = try await service {
                        try await deps.query.labelNames(MetadataRequest(tenants: ids, start: parsed.start, end: parsed.end, selector: parsed.query))
                    }
                    return respond(MetadataResponseEncoder.encodeLabelValues(names))
                }
            }
            api.on("/loki/api/v1/label/:name/values", method: method) { request, context in
                let name = context.parameters.get("name") ?? ""
                let (ids, params, now) = try await readRequest(request, context: context, tenants: tenants)
                let parsed = try apiCall { () throws(LokiAPIError) in try LabelValuesRequest.parse(name: name, params, now: now) }
                let values = try await service {
                    try await deps.query.labelValues(name: parsed.name, MetadataRequest(tenants: ids, start: parsed.start, end: parsed.end, selector: parsed.query))
                }
                return respond(MetadataResponseEncoder.encodeLabelValues(values))
            }
            api.on("/loki/api/v1/series", method: method) { request, context in
                let (ids, params, now) = try await readRequest(request, context: context, tenants: tenants)
                let parsed = try apiCall { () throws(LokiAPIError) in try FjordLokiAPI.SeriesRequest.parse(params, now: now) }
                let series = try await service {
                    try await deps.query.series(FjordServiceAPI.SeriesRequest(tenants: ids, start: parsed.start, end: parsed.end, selectors: parsed.groups))
                }
                return respond(MetadataResponseEncoder.encodeSeries(series))
            }
            api.on("/loki/api/v1/index/stats", method: method) { request, context in
                let (ids, params, now) = try await readRequest(request, context: context, tenants: tenants)
                let parsed = try apiCall { () throws(LokiAPIError) in try IndexStatsRequest.parse(params, now: now) }
                let stats = try await service {
                    try await deps.query.indexStats(MetadataRequest(tenants: ids, start: parsed.start, end: parsed.end, selector: parsed.query))
                }
                return respond(MetadataResponseEncoder.encodeIndexStats(
                    streams: stats.streams, chunks: stats.chunks, bytes: stats.bytes, entries: stats.entries))
            }
            api.on("/loki/api/v1/format_query", method: method) { request, _ in
                try await handleFormatQuery(request)
            }
            api.on("/flush", method: method) { _, context in
                try tenants.requireAdmin(context.credential)
                try await service { try await deps.admin.flushAll() }
                return Response(status: .noContent)
            }
        }

        DeleteRoutes.register(on: api, deps: deps, tenants: tenants)
        TailRoutes.registerHTTP(on: api, tenants: tenants)

        // Operations
        api.get("/loki/api/v1/status/buildinfo") { _, _ in
            respond(MetadataResponseEncoder.encodeBuildInfo(FjordVersion.buildInfo))
        }
        router.get("/ready") { _, _ in
            respond(MetadataResponseEncoder.encodeReady(notReadyReason: await deps.admin.notReadyReason()))
        }
        router.get("/metrics") { _, context in
            try tenants.requireAdmin(context.credential)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: deps.metricsText())))
        }
        router.get("/config") { request, context in
            try tenants.requireAdmin(context.credential)
            let diffs = request.uri.queryParameters["mode"] == "diffs"
            let text = ConfigLoader.render(deps.config, onlyChanged: diffs)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/services") { _, context in
            try tenants.requireAdmin(context.credential)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            let state = await deps.admin.notReadyReason() == nil ? "Running" : "Stopping"
            let text = ["server", "distributor", "ingester", "querier"].map { "\($0) => \(state)\n" }.joined()
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }

    /// The router the WebSocket upgrade consults (live tail), behind the same authentication.
    public static func makeWebSocketRouter(_ deps: GatewayDependencies) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AuthMiddleware(authenticator: deps.authenticator, audit: deps.audit))
        TailRoutes.registerWebSocket(on: router, deps: deps, tenants: TenantResolver(config: deps.config),
                                     limiter: TailLimiter())
        return router
    }

    // MARK: Handlers

    static func handlePush(_ request: Request, context: APIRequestContext, deps: GatewayDependencies,
                           tenants: TenantResolver, legacy: Bool) async throws -> Response {
        var request = request
        let tenant = try tenants.writeTenant(header: request.headers[.init("X-Scope-OrgID")!], credential: context.credential)
        let max = deps.push.maxBodyBytes
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: max)
        } catch {
            throw GatewayError(status: 413, message: "request body too large: message size too large than max (more than \(max) vs \(max))")
        }
        let bytes = Array(buffer: body)
        let message = try await deps.push.push(
            tenant: tenant, body: bytes, contentType: request.headers[.contentType],
            contentEncoding: request.headers[.contentEncoding], legacy: legacy,
            backfillShard: request.headers[.init("X-Loki-Backfill-Shard")!], now: WallClockNanos.now())
        if let message { throw GatewayError(status: 400, message: message) }
        return Response(status: .noContent)
    }

    static func handleRangeQuery(_ request: Request, context: APIRequestContext, deps: GatewayDependencies,
                                 tenants: TenantResolver) async throws -> Response {
        let (ids, params, now) = try await readRequest(request, context: context, tenants: tenants)
        let parsed = try apiCall { () throws(LokiAPIError) in try RangeQueryRequest.parse(params, now: now) }
        let result = try await service {
            try await deps.query.query(QueryRequest(
                tenants: ids, query: parsed.query, start: parsed.start, end: parsed.end, step: parsed.step,
                interval: parsed.interval, limit: parsed.limit, direction: parsed.direction,
                bypassCache: bypassesCache(request)))
        }
        let flags = EncodingFlags.parse(header: request.headers[.init(EncodingFlags.headerName)!])
        return respond(QueryResponseEncoder.encode(result, flags: flags, direction: parsed.direction))
    }

    static func handleInstantQuery(_ request: Request, context: APIRequestContext, deps: GatewayDependencies,
                                   tenants: TenantResolver) async throws -> Response {
        let (ids, params, now) = try await readRequest(request, context: context, tenants: tenants)
        let parsed = try apiCall { () throws(LokiAPIError) in try InstantQueryRequest.parse(params, now: now) }
        let result = try await service {
            try await deps.query.query(QueryRequest(
                tenants: ids, query: parsed.query, start: parsed.time, end: parsed.time, step: 0,
                limit: parsed.limit, direction: parsed.direction, isInstant: true,
                bypassCache: bypassesCache(request)))
        }
        let flags = EncodingFlags.parse(header: request.headers[.init(EncodingFlags.headerName)!])
        return respond(QueryResponseEncoder.encode(result, flags: flags, direction: parsed.direction))
    }

    static func handleFormatQuery(_ request: Request) async throws -> Response {
        var request = request
        let params = try await parameters(&request)
        let parsed = FormatQueryRequest.parse(params)
        let outcome: Result<Expr, LogQLParseError> = Result { () throws(LogQLParseError) in try LogQLParser.parse(parsed.query) }
        switch outcome {
        case .success(let expr):
            return respond(MetadataResponseEncoder.encodeFormatQuery(prettified: expr.prettified()))
        case .failure(let error):
            return respond(MetadataResponseEncoder.encodeFormatQueryError(error.message))
        }
    }

    // MARK: Helpers

    /// `Cache-Control: no-cache` (Loki's results-cache bypass).
    static func bypassesCache(_ request: Request) -> Bool {
        request.headers[values: .cacheControl].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "no-cache" }
        }
    }

    /// Tenants, parameters and arrival time of a read request.
    static func readRequest(_ request: Request, context: APIRequestContext,
                            tenants: TenantResolver) async throws -> ([String], FormParameters, Int64) {
        var request = request
        let ids = try tenants.readTenants(header: request.headers[.init("X-Scope-OrgID")!], credential: context.credential)
        let params = try await parameters(&request)
        return (ids, params, WallClockNanos.now())
    }

    /// URL parameters, plus form-body parameters for a form POST (Go's `ParseForm`).
    static func parameters(_ request: inout Request) async throws -> FormParameters {
        let query = FormParameters.parseURLEncoded(Array((request.uri.query ?? "").utf8))
        if let error = query.error { throw GatewayError(error) }
        guard request.method == .post,
              let type = request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded")
        else { return query.parameters }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 10 << 20)
        } catch {
            throw GatewayError(status: 413, message: "http: request body too large")
        }
        let form = FormParameters.parseURLEncoded(Array(buffer: body))
        if let error = form.error { throw GatewayError(error) }
        return FormParameters.merging(body: form.parameters, query: query.parameters)
    }

    static func apiCall<T>(_ body: () throws(LokiAPIError) -> T) throws(GatewayError) -> T {
        do {
            return try body()
        } catch {
            throw GatewayError(error)
        }
    }

    static func service<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ServiceError {
            throw GatewayError(error)
        }
    }

    static func respond(_ body: EncodedBody) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = body.contentType
        return Response(status: .init(code: body.status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }
}

/// Wall-clock time for the gateway shell.
enum WallClockNanos {
    static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
