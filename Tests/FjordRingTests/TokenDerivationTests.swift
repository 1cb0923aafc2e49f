import FjordRing
import Testing

@Suite("Token derivation from instance ids")
struct TokenDerivationTests {
    @Test("SplitMix64 matches the reference generator (seed 0)")
    func splitMixReference() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xe220_a839_7b1d_cdaf)
        #expect(generator.next() == 0x6e78_9e6a_a1b9_65f4)
    }

    @Test("version 1 tokens are pinned: changing them would move every stream of every cluster")
    func pinnedTokens() {
        #expect(TokenDerivation.seed(forInstanceID: "ingester-1") == 0xc372_d680_50f9_0bf7)
        #expect(TokenDerivation.tokens(forInstanceID: "ingester-1", count: 5)
            == [3_791_911_703, 1_182_989_914, 427_656_876, 407_647_120, 3_899_410_851])
        #expect(TokenDerivation.tokens(forInstanceID: "ingester-2", count: 3) == [3_370_304_127, 783_765_900, 1_820_192_746])
    }

    @Test("tokens are distinct, deterministic and a longer list extends a shorter one")
    func distinctAndStable() {
        let many = TokenDerivation.tokens(forInstanceID: "ingester-7", count: 4096)
        #expect(Set(many).count == 4096)
        #expect(TokenDerivation.tokens(forInstanceID: "ingester-7", count: 4096) == many)
        #expect(Array(many.prefix(128)) == TokenDerivation.tokens(forInstanceID: "ingester-7", count: 128))
        #expect(TokenDerivation.tokens(forInstanceID: "ingester-8", count: 128) != Array(many.prefix(128)))
    }

    @Test("a member without listed tokens gets derived ones; listed tokens win")
    func memberTokens() throws {
        let address = try MemberAddress(parsing: "127.0.0.1:9095")
        let derived = Member(id: "a", address: address)
        #expect(derived.tokens(derivedCount: 16) == TokenDerivation.tokens(forInstanceID: "a", count: 16))
        let listed = Member(id: "a", address: address, listedTokens: [5, 1])
        #expect(listed.tokens(derivedCount: 16) == [5, 1])
    }
}
