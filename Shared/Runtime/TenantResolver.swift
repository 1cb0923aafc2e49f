public import FjordAuth
public import FjordConfig
import FjordModel

/// Decides which tenant(s) a request acts for.
/// - Without a credentials file, like Loki: with `auth_enabled` the `X-Scope-OrgID` header is required
///   (`401 no org id`) and taken as given (`auth.trust_org_id_header`); without it every request is tenant `fake`.
/// - With a credentials file, the request's credential decides (``TenantAccess``): named tenants must each grant the
///   right, an absent header means the credential's only tenant for that right; with `auth_enabled: false` the
///   tenant is `fake`, which the credential must grant.
public struct TenantResolver: Sendable {
    public var authEnabled: Bool
    public var multiTenantQueriesEnabled: Bool
    /// Whether requests carry credentials (a credentials file is configured).
    public var credentialsRequired: Bool

    /// `authenticated` says whether requests pass an authenticator (default: a credentials file is configured).
    public init(config: FjordConfiguration, authenticated: Bool? = nil) {
        authEnabled = config.authEnabled
        multiTenantQueriesEnabled = config.querier.multiTenantQueriesEnabled
        credentialsRequired = authenticated ?? !config.auth.credentialsFile.isEmpty
    }

    /// Tenants for a read request. Several only when multi-tenant queries are enabled.
    public func readTenants(header: String?, credential: Credential?, right: AccessRight = .query) throws(GatewayError) -> [String] {
        let tenants = try resolve(header: header, credential: credential, right: right)
        if tenants.count > 1 && !multiTenantQueriesEnabled {
            throw GatewayError(status: 400, message: "multiple org IDs present")
        }
        return tenants
    }

    /// The single tenant of a write (or delete) request.
    public func writeTenant(header: String?, credential: Credential?, right: AccessRight = .push) throws(GatewayError) -> String {
        let tenants = try resolve(header: header, credential: credential, right: right)
        guard tenants.count == 1, let tenant = tenants.first else {
            throw GatewayError(status: 400, message: "multiple org IDs present")
        }
        return tenant
    }

    /// Operational endpoints (`/metrics`, `/config`, `/services`, `/flush`) need an admin credential when requests
    /// are authenticated.
    public func requireAdmin(_ credential: Credential?) throws(GatewayError) {
        guard credentialsRequired else { return }
        guard let credential, credential.admin else {
            throw GatewayError(status: 403, message: "forbidden: this endpoint needs an admin credential")
        }
    }

    private func resolve(header: String?, credential: Credential?, right: AccessRight) throws(GatewayError) -> [String] {
        guard credentialsRequired else {
            guard authEnabled else { return [TenantID.noAuthTenant] }
            return try parse(header)
        }
        guard let credential else {
            // The middleware authenticates every route that resolves tenants; reaching here is a wiring bug.
            throw GatewayError(status: 401, message: AuthenticationFailure.missing.clientMessage)
        }
        let decision: Result<[String], AccessDenial>
        if authEnabled {
            let requested: [String]? = if let header, !header.isEmpty { try parse(header) } else { nil }
            decision = TenantAccess.tenants(for: credential, requested: requested, right: right)
        } else {
            decision = TenantAccess.singleTenant(TenantID.noAuthTenant, for: credential, right: right)
        }
        switch decision {
        case .success(let tenants): return tenants
        case .failure(let denial): throw GatewayError(status: denial.status, message: denial.message)
        }
    }

    private func parse(_ header: String?) throws(GatewayError) -> [String] {
        guard let header, !header.isEmpty else { throw GatewayError(status: 401, message: TenantError.noOrgID.message) }
        do {
            return try TenantID.parseHeader(header)
        } catch {
            let status = error == TenantError.noOrgID ? 401 : 400
            throw GatewayError(status: status, message: error.message)
        }
    }
}
