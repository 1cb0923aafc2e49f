public import FjordConfig
import FjordModel

/// Decides which tenant(s) a request acts for, like Loki: with `auth_enabled` the `X-Scope-OrgID` header is required
/// (`401 no org id`); without it every request is tenant `fake` and the header is ignored.
public struct TenantResolver: Sendable {
    public var authEnabled: Bool
    public var multiTenantQueriesEnabled: Bool

    public init(config: FjordConfiguration) {
        authEnabled = config.authEnabled
        multiTenantQueriesEnabled = config.querier.multiTenantQueriesEnabled
    }

    /// Tenants for a read request. Several only when multi-tenant queries are enabled.
    public func readTenants(header: String?) throws(GatewayError) -> [String] {
        guard authEnabled else { return [TenantID.noAuthTenant] }
        let tenants = try parse(header)
        if tenants.count > 1 && !multiTenantQueriesEnabled {
            throw GatewayError(status: 400, message: "multiple org IDs present")
        }
        return tenants
    }

    /// The single tenant of a write (or delete) request.
    public func writeTenant(header: String?) throws(GatewayError) -> String {
        guard authEnabled else { return TenantID.noAuthTenant }
        let tenants = try parse(header)
        guard tenants.count == 1, let tenant = tenants.first else {
            throw GatewayError(status: 400, message: "multiple org IDs present")
        }
        return tenant
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
