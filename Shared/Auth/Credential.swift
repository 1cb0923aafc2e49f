/// An authenticated identity: a user (HTTP basic auth) or a bearer token, with the tenants it may use and what it may
/// do on each. Tenant `*` in ``grants`` stands for every tenant.
public struct Credential: Sendable, Hashable {
    /// Whether the credential is a user with a password or a bearer token.
    public enum Kind: String, Sendable, Hashable {
        case user, token
    }

    /// The wildcard tenant key: rights on every tenant.
    public static let anyTenant = "*"

    /// User name or token name (shown in audit logs; never a secret).
    public var name: String
    public var kind: Kind
    /// Rights per tenant.
    public var grants: [String: Set<AccessRight>]
    /// May use the operational endpoints (`/metrics`, `/config`, `/services`, `/flush`).
    public var admin: Bool

    public init(name: String, kind: Kind, grants: [String: Set<AccessRight>], admin: Bool = false) {
        self.name = name
        self.kind = kind
        self.grants = grants
        self.admin = admin
    }

    /// Whether the credential holds `right` on `tenant` (directly or through `*`).
    public func may(_ right: AccessRight, on tenant: String) -> Bool {
        grants[tenant]?.contains(right) == true || grants[Credential.anyTenant]?.contains(right) == true
    }

    /// The tenant a request that names none acts for: the only tenant on which the credential holds `right`.
    /// Nil when there is none, several, or a wildcard grant.
    public func impliedTenant(for right: AccessRight) -> String? {
        let tenants = grants.filter { $0.value.contains(right) }.map(\.key)
        guard tenants.count == 1, let only = tenants.first, only != Credential.anyTenant else { return nil }
        return only
    }

    /// Whether any tenant grants `right`.
    public func holdsAnywhere(_ right: AccessRight) -> Bool {
        grants.values.contains { $0.contains(right) }
    }

    /// How the audit log names it: `user alice`, `token ci-push`.
    public var auditName: String { "\(kind.rawValue) \(name)" }
}
