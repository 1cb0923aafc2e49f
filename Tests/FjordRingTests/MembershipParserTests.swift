import FjordRing
import Testing

@Suite("Membership file parsing")
struct MembershipParserTests {
    static let example = """
        # Fjord cluster membership
        tokens_per_ingester: 64
        ingesters:
          - id: ingester-1
            address: 10.0.0.1:9095
            zone: zone-a
          - id: ingester-2
            address: 10.0.0.2:9095
            zone: zone-b
            tokens: [100, 200, 4294967295]
        queriers:
          - id: querier-1
            address: "[fd00::5]:9095"
        compactors:
          - {id: compactor, address: 10.0.0.9:9095}
        gateways: []
        """

    @Test("a full file: roles, zones, listed and derived tokens")
    func fullFile() throws {
        let membership = try MembershipParser.parse(yaml: Self.example, source: "members.yaml")
        #expect(membership.tokensPerIngester == 64)
        #expect(membership.ingesters.map(\.id) == ["ingester-1", "ingester-2"])
        #expect(membership.ingesters[0].address == MemberAddress(host: "10.0.0.1", port: 9095))
        #expect(membership.ingesters[0].zone == "zone-a")
        #expect(membership.ingesters[0].listedTokens == nil)
        #expect(membership.ingesters[1].listedTokens == [100, 200, 4_294_967_295])
        #expect(membership.queriers.map(\.address.description) == ["[fd00::5]:9095"])
        #expect(membership.compactors.map(\.id) == ["compactor"])
        #expect(membership.gateways.isEmpty)
        #expect(membership.isZoneAware)
        let ring = try Ring(membership: membership)
        #expect(ring.instances[0].tokens.count == 64)
        #expect(ring.instances[1].tokens == [100, 200, 4_294_967_295])
        #expect(ring.zones == ["zone-a", "zone-b"])
    }

    @Test("defaults: 128 tokens, no zones, roles may be absent")
    func minimalFile() throws {
        let membership = try MembershipParser.parse(yaml: "ingesters:\n  - id: i1\n    address: localhost:9095\n")
        #expect(membership.tokensPerIngester == 128)
        #expect(!membership.isZoneAware)
        #expect(membership.queriers.isEmpty)
        #expect(try Ring(membership: membership).tokenCount == 128)
    }

    @Test("errors name the file and line", arguments: [
        ("ingesters:\n  - id: a\n    address: h:1\nqueriers: []\nfoo: 1\n",
         "m.yaml: line 5: unknown key \"foo\" (expected one of: tokens_per_ingester, ingesters, queriers, compactors, gateways, rulers)"),
        ("ingesters:\n  - id: a\n    address: h:1\n    port: 2\n",
         "m.yaml: line 4: unknown key \"port\" in ingester (expected one of: id, address, zone, tokens)"),
        ("ingesters:\n  - id: a\n    address: h:1\nqueriers:\n  - id: q\n    address: h:2\n    tokens: [1]\n",
         "m.yaml: line 7: unknown key \"tokens\" in querier (expected one of: id, address, zone)"),
        ("ingesters:\n  - id: a\n    address: h:1\n  - id: a\n    address: h:2\n",
         "m.yaml: line 4: duplicate ingester id \"a\" (first listed on line 2)"),
        ("ingesters:\n  - id: a\n    address: h:1\n  - id: b\n    address: h:1\n",
         "m.yaml: line 4: duplicate ingester address h:1 (first listed on line 2)"),
        ("ingesters:\n  - id: a\n    address: h\n",
         "m.yaml: line 3: bad address \"h\": missing ':port'"),
        ("ingesters:\n  - id: a\n    address: h:1\n    tokens: [1, 2]\n  - id: b\n    address: h:2\n    tokens:\n      - 3\n      - 2\n",
         "m.yaml: line 9: duplicate token 2 (already listed on line 4)"),
        ("ingesters:\n  - id: a\n    address: h:1\n    tokens: [4294967296]\n",
         "m.yaml: line 4: token must be a number from 0 to 4294967295"),
        ("ingesters:\n  - id: a\n    address: h:1\n    tokens: []\n",
         "m.yaml: line 4: tokens must be a non-empty list of numbers from 0 to 4294967295"),
        ("ingesters:\n  - id: a\n    address: h:1\n    zone: z1\n  - id: b\n    address: h:2\n",
         "m.yaml: line 5: ingester \"a\" has a zone but \"b\" has none; give every ingester a zone or none"),
        ("ingesters:\n  - address: h:1\n", "m.yaml: line 2: ingester is missing \"id\""),
        ("ingesters:\n  - id: a\n", "m.yaml: line 2: ingester \"a\" is missing \"address\""),
        ("ingesters:\n  - id: a b\n    address: h:1\n",
         "m.yaml: line 2: id must be 1–253 characters without spaces or control characters"),
        ("ingesters: a\n", "m.yaml: line 1: ingesters must be a list of members"),
        ("ingesters:\n  - a\n", "m.yaml: line 2: each ingester must be a mapping with id and address"),
        ("tokens_per_ingester: 0\ningesters:\n  - id: a\n    address: h:1\n",
         "m.yaml: line 1: tokens_per_ingester must be between 1 and 65536, got 0"),
        ("tokens_per_ingester: many\n", "m.yaml: line 1: tokens_per_ingester must be a whole number"),
        ("queriers: []\n", "m.yaml: no ingesters listed; the ring needs at least one"),
        ("", "m.yaml: the file is empty; it must list at least one ingester"),
        ("- a\n", "m.yaml: line 1: the top level must be a mapping"),
        ("ingesters: []\ningesters: []\n", "m.yaml: invalid YAML: line 1: duplicate key \"ingesters\""),
    ])
    func errors(yaml: String, message: String) {
        #expect(throws: MembershipError.self) { try MembershipParser.parse(yaml: yaml, source: "m.yaml") }
        do {
            _ = try MembershipParser.parse(yaml: yaml, source: "m.yaml")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("broken YAML reports the line")
    func brokenYAML() {
        do {
            _ = try MembershipParser.parse(yaml: "ingesters:\n  - id: a\n    address: [h:1\n", source: "m.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("m.yaml: invalid YAML: line "))
            #expect(error.line != nil)
        }
    }
}
