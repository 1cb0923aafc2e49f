import FjordRing

/// Builders shared by the ring tests.
enum RingFixtures {
    /// An ingester `id` on 127.0.0.1:`port` with explicit tokens (nil: derived) and an optional zone.
    static func ingester(_ id: String, port: Int, tokens: [UInt32]? = nil, zone: String? = nil) -> Member {
        Member(id: id, address: MemberAddress(host: "127.0.0.1", port: port), zone: zone, listedTokens: tokens)
    }

    /// a: 100, 400 · b: 200, 500 · c: 300, 600 (indexes 0, 1, 2).
    static func threeInstanceRing(replicationFactor: Int = 3) throws -> Ring {
        try Ring(ingesters: [
            ingester("a", port: 1, tokens: [400, 100]),
            ingester("b", port: 2, tokens: [200, 500]),
            ingester("c", port: 3, tokens: [300, 600]),
        ], replicationFactor: replicationFactor)
    }

    /// `count` ingesters `ingester-1…` with derived tokens.
    static func derivedRing(count: Int, replicationFactor: Int = 3, tokens: Int = 128) throws -> Ring {
        try Ring(ingesters: (1...count).map { ingester("ingester-\($0)", port: 9000 + $0) },
                 tokensPerIngester: tokens, replicationFactor: replicationFactor)
    }

}

/// Reference lookup, written independently of `Ring`: all (token, instance) pairs sorted, the first token strictly
/// greater than the key (wrapping), then a walk collecting distinct instances (one per zone when zoned).
struct ReferenceRing {
    let entries: [(token: UInt32, id: String)]
    let zoneOf: [String: String?]
    let zoneCount: Int
    let memberCount: Int

    init(members: [Member], tokensPerIngester: Int) {
        var entries: [(token: UInt32, id: String)] = []
        for member in members {
            for token in member.tokens(derivedCount: tokensPerIngester) { entries.append((token, member.id)) }
        }
        entries.sort { $0.token != $1.token ? $0.token < $1.token : $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        self.entries = entries
        zoneOf = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0.zone) })
        zoneCount = Set(members.compactMap(\.zone)).count
        memberCount = members.count
    }

    func replicas(of key: UInt32, count replicas: Int) -> [String] {
        let start = entries.firstIndex { $0.token > key } ?? 0
        var chosen: [String] = []
        var zonesUsed = Set<String>()
        for step in 0..<entries.count {
            if chosen.count == min(replicas, memberCount) || (zoneCount > 0 && zonesUsed.count == zoneCount) { break }
            let id = entries[(start + step) % entries.count].id
            if chosen.contains(id) { continue }
            if let zone = zoneOf[id] ?? nil {
                if zonesUsed.contains(zone) { continue }
                zonesUsed.insert(zone)
            }
            chosen.append(id)
        }
        return chosen
    }
}
