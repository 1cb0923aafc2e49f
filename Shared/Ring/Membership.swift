/// The roles a membership file lists. Adding a role is adding a case: the file key is the plural of the raw value.
public enum MemberRole: String, CaseIterable, Sendable, Hashable {
    /// Holds recent data; placed on the hash ring (zone and tokens allowed).
    case ingester
    /// Runs LogQL over ingesters and the store.
    case querier
    /// Compacts the index and applies retention.
    case compactor
    /// Serves the external HTTP API and distributes pushes.
    case gateway
    /// Evaluates rule groups; rulers share the groups through a ring of their own (tokens derived from their ids).
    case ruler

    /// The top-level key in the membership file: `ingesters`, `queriers`, `compactors`, `gateways`, `rulers`.
    public var fileKey: String { rawValue + "s" }

    /// Whether members of this role sit on the hash ring (and so may list `tokens`).
    public var isOnRing: Bool { self == .ingester }
}

/// One process listed in the membership file.
public struct Member: Sendable, Hashable {
    /// Unique within its role; ingester tokens are derived from it when not listed.
    public var id: String
    public var address: MemberAddress
    /// Availability zone; when ingesters have zones, replicas of a stream go to distinct zones.
    public var zone: String?
    /// Ring tokens written in the file (ingesters only), or nil to derive them from `id`.
    public var listedTokens: [UInt32]?

    public init(id: String, address: MemberAddress, zone: String? = nil, listedTokens: [UInt32]? = nil) {
        self.id = id
        self.address = address
        self.zone = zone
        self.listedTokens = listedTokens
    }

    /// The member's ring tokens: the listed ones, or `count` tokens derived from its id (``TokenDerivation``).
    public func tokens(derivedCount count: Int) -> [UInt32] {
        listedTokens ?? TokenDerivation.tokens(forInstanceID: id, count: count)
    }
}

/// The cluster's members as read from the static membership file: which processes exist, where they listen, and
/// (for ingesters) where they sit on the ring. Every role reads the same file, so they agree on the ring.
public struct Membership: Sendable, Hashable {
    /// Loki's `num_tokens` default.
    public static let defaultTokensPerIngester = 128

    /// How many tokens an ingester without a `tokens` list gets (`tokens_per_ingester`, default 128).
    public var tokensPerIngester: Int
    /// Members per role, each list in file order.
    public private(set) var membersByRole: [MemberRole: [Member]]

    public init(tokensPerIngester: Int = Membership.defaultTokensPerIngester, members: [MemberRole: [Member]]) {
        self.tokensPerIngester = tokensPerIngester
        self.membersByRole = members
    }

    /// The members of `role`, in file order.
    public func members(_ role: MemberRole) -> [Member] { membersByRole[role] ?? [] }

    public var ingesters: [Member] { members(.ingester) }
    public var queriers: [Member] { members(.querier) }
    public var compactors: [Member] { members(.compactor) }
    public var gateways: [Member] { members(.gateway) }
    public var rulers: [Member] { members(.ruler) }

    /// True when ingesters carry zones (the parser requires all or none to have one).
    public var isZoneAware: Bool { ingesters.contains { $0.zone != nil } }

    /// A copy with `member` added to `role` (tests and tools).
    public func adding(_ member: Member, as role: MemberRole) -> Membership {
        var copy = self
        copy.membersByRole[role, default: []].append(member)
        return copy
    }
}
