/// A request refused after authentication: 403 (not allowed) or 400 (the request must name a tenant). The message
/// names only what the client sent, so it is the same whether a tenant exists or not.
public struct AccessDenial: Error, Hashable, Sendable {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}

/// Decides which tenants an authenticated request acts for.
public enum TenantAccess {
    /// The tenants for `right`: those the client named in `X-Scope-OrgID` (`requested`, already parsed and
    /// validated), each of which the credential must hold `right` on; or, when it named none, the only tenant on which
    /// the credential holds `right`.
    public static func tenants(for credential: Credential, requested: [String]?, right: AccessRight)
        -> Result<[String], AccessDenial>
    {
        guard let requested, !requested.isEmpty else {
            if let implied = credential.impliedTenant(for: right) { return .success([implied]) }
            if credential.holdsAnywhere(right) {
                return .failure(AccessDenial(status: 400, message: "no org id: this credential may \(right.phrase) several tenants; name one in the X-Scope-OrgID header"))
            }
            return .failure(forbidden(credential, right, nil))
        }
        if let refused = requested.first(where: { !credential.may(right, on: $0) }) {
            return .failure(forbidden(credential, right, refused))
        }
        return .success(requested)
    }

    /// The tenants when authentication is off (`auth_enabled: false`): always `fake`, which the credential must
    /// hold `right` on.
    public static func singleTenant(_ tenant: String, for credential: Credential, right: AccessRight) -> Result<[String], AccessDenial> {
        credential.may(right, on: tenant) ? .success([tenant]) : .failure(forbidden(credential, right, tenant))
    }

    private static func forbidden(_ credential: Credential, _ right: AccessRight, _ tenant: String?) -> AccessDenial {
        let target = tenant.map { "tenant \"\($0)\"" } ?? "any tenant"
        return AccessDenial(status: 403, message: "forbidden: \(credential.kind.rawValue) \"\(credential.name)\" may not \(right.phrase) \(target)")
    }
}
