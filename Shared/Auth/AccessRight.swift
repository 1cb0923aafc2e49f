/// What a credential may do on a tenant. Granted per tenant in the credentials file (see docs/security.md).
public enum AccessRight: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Write logs (`/loki/api/v1/push`, `/api/prom/push`).
    case push
    /// Read logs and metadata: queries, labels, series, index statistics and volume.
    case query
    /// Live tailing (`/loki/api/v1/tail`).
    case tail
    /// Log deletion requests (`/loki/api/v1/delete`).
    case delete
    /// Creating, replacing and deleting rule groups (the ruler API); reading them needs `query`.
    case rules

    /// The names, for messages: "push, query, tail, delete, rules".
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    public static func < (lhs: AccessRight, rhs: AccessRight) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The verb used in messages: "may not push to tenant ...".
    public var phrase: String {
        switch self {
        case .push: return "push to"
        case .query: return "query"
        case .tail: return "tail"
        case .delete: return "delete from"
        case .rules: return "change rules of"
        }
    }
}
