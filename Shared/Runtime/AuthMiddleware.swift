public import FjordAuth
public import Hummingbird

/// Authenticates every request except `/ready` when a credentials file is configured (401 for missing or wrong
/// credentials, with a `WWW-Authenticate: Bearer` challenge), stores the credential in the context for the routes' tenant checks, and
/// writes the audit line for every request denied with 401 or 403 — here or by a route.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    let authenticator: Authenticator?
    let audit: AuditLog

    public init(authenticator: Authenticator?, audit: AuditLog = AuditLog()) {
        self.authenticator = authenticator
        self.audit = audit
    }
    /// Paths answered without credentials (health checks of load balancers and orchestrators).
    static let publicPaths: Set<String> = ["/ready"]

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let authenticator, !AuthMiddleware.publicPaths.contains(request.uri.path) {
            switch await authenticator.authenticate(request.headers[.authorization]) {
            case .success(let credential):
                context.credential = credential
            case .failure(let failure):
                audit.denied(request, context: context, status: failure.status, who: failure.claimedUser.map { "user \($0)" },
                             reason: failure.auditReason)
                var error = GatewayError(status: failure.status, message: failure.clientMessage)
                // Only a Bearer challenge: clients send basic credentials unasked (Promtail, Alloy, Grafana do), and a
                // Basic challenge makes Foundation's URLSession on Linux hang instead of returning the 401.
                if failure.status == 401 { error.headers[.wwwAuthenticate] = "Bearer realm=\"fjord\"" }
                throw error
            }
        }
        do {
            return try await next(request, context)
        } catch let error as GatewayError where error.status.code == 401 || error.status.code == 403 {
            audit.denied(request, context: context, status: Int(error.status.code), who: context.credential?.auditName,
                         reason: error.message)
            throw error
        }
    }
}
