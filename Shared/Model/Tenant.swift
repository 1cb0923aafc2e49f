/// Tenant IDs as carried in `X-Scope-OrgID`, with Loki's (dskit's) validation rules.
public enum TenantID {
    /// Longest accepted tenant ID in bytes.
    public static let maxLength = 150

    /// The tenant used for every request when authentication is disabled (`auth_enabled: false`).
    public static let noAuthTenant = "fake"

    /// Validates one tenant ID: ASCII letters, digits and `! - _ . * ' ( )`, at most 150 bytes, not `.` or `..`.
    public static func validate(_ id: String) throws(TenantError) {
        if id.isEmpty { throw TenantError.noOrgID }
        if id.utf8.count > maxLength { throw TenantError(message: "tenant ID is too long: max \(maxLength) characters") }
        if id == "." || id == ".." { throw TenantError(message: "tenant ID is '.' or '..'") }
        for scalar in id.unicodeScalars {
            let value = scalar.value
            let ok = (value >= 0x61 && value <= 0x7a) || (value >= 0x41 && value <= 0x5a) || (value >= 0x30 && value <= 0x39)
                || "!-_.*'()".unicodeScalars.contains(scalar)
            if !ok {
                throw TenantError(message: "tenant ID '\(id)' contains unsupported character '\(Character(scalar))'")
            }
        }
    }

    /// Parses an `X-Scope-OrgID` value: one ID or several joined by `|` (multi-tenant reads). The optional
    /// `:metadata` suffix of each ID is stripped. Returns the IDs sorted and de-duplicated.
    public static func parseHeader(_ header: String) throws(TenantError) -> [String] {
        let trimmed = header
        if trimmed.isEmpty { throw TenantError.noOrgID }
        var ids: [String] = []
        for part in trimmed.split(separator: "|", omittingEmptySubsequences: false) {
            var id = String(part)
            if let colon = id.firstIndex(of: ":") { id = String(id[..<colon]) }
            try validate(id)
            ids.append(id)
        }
        return Array(Set(ids)).sorted { Labels.nameLess($0, $1) }
    }
}

/// A missing or malformed tenant ID.
public struct TenantError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Loki's text, returned to clients as-is.
    public var message: String

    public init(message: String) { self.message = message }

    /// The request carried no `X-Scope-OrgID` although authentication is enabled (HTTP 401).
    public static let noOrgID = TenantError(message: "no org id")

    public var description: String { message }
}
