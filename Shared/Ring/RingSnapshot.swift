/// One immutable view of the cluster: the parsed membership and the ring built from it. Readers take a snapshot and
/// use it for a whole request, so a reload never changes the ring under a push.
public struct RingSnapshot: Sendable {
    public let membership: Membership
    public let ring: Ring
    /// 1 for the first load, +1 for every accepted change.
    public let generation: Int

    public init(membership: Membership, ring: Ring, generation: Int) {
        self.membership = membership
        self.ring = ring
        self.generation = generation
    }

    /// Parses a membership file's bytes and builds its ring (pure).
    public static func load(bytes: [UInt8], source: String, replicationFactor: Int,
                            generation: Int) throws(MembershipError) -> RingSnapshot {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw MembershipError("\(source): the file is not valid UTF-8")
        }
        let membership = try MembershipParser.parse(yaml: text, source: source)
        do {
            let ring = try Ring(membership: membership, replicationFactor: replicationFactor)
            return RingSnapshot(membership: membership, ring: ring, generation: generation)
        } catch {
            throw MembershipError("\(source): \(error.message)")
        }
    }
}
