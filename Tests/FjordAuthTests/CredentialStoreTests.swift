@testable import FjordAuth
import Foundation
import Testing

@Suite struct CredentialStoreTests {
    static let hash = try! PasswordHash.make(password: "s3cret", iterations: 1000)
    static let token = BearerToken.mint()

    static var yaml: String {
        """
        users:
          - name: alice
            password_hash: "\(hash.encoded)"
            tenants:
              team-a: [push, query, tail]
              team-b: [query]
          - name: ops
            password_hash: "\(hash.encoded)"
            admin: true
        tokens:
          - name: ci
            token_sha256: \(BearerToken.hex(BearerToken.digest(Array(token.utf8))))
            tenants: {team-a: [push]}
        """
    }

    @Test func parsesUsersTokensAndGrants() throws {
        let store = try CredentialStore.parse(yaml: Self.yaml)
        let alice = try #require(store.users["alice"])
        #expect(alice.credential.grants == ["team-a": [.push, .query, .tail], "team-b": [.query]])
        #expect(alice.hash.verify(Array("s3cret".utf8)))
        #expect(!alice.hash.verify(Array("s3cret!".utf8)))
        #expect(store.users["ops"]?.credential.admin == true)
        #expect(store.token(digest: BearerToken.digest(Array(Self.token.utf8)))?.name == "ci")
        #expect(store.token(digest: BearerToken.digest(Array("fjord_wrong".utf8))) == nil)
        #expect(store.weakHashUsers == ["alice", "ops"])
    }

    @Test(arguments: [
        ("users: [{name: bob}]", "line 1: user \"bob\" is missing \"password_hash\""),
        ("users:\n  - name: bob\n    password_hash: x", "line 3: user \"bob\": password_hash must look like"),
        ("users:\n  - name: bob\n    password: x", "line 3: unknown key \"password\" in user"),
        ("tokens:\n  - name: t\n    token_sha256: abc", "line 3: token \"t\": token_sha256 must be 64 hex digits"),
        ("tokens:\n  - name: t\n    token_sha256: \(String(repeating: "a", count: 64))\n    tenants: {a: [read]}",
         "line 4: unknown right \"read\""),
        ("tokens:\n  - name: t\n    token_sha256: \(String(repeating: "a", count: 64))\n    tenants: {\"a b\": [push]}",
         "line 4: invalid tenant"),
        ("groups: []", "line 1: unknown key \"groups\""),
        ("users:\n  - name: \"a:b\"\n    password_hash: x", "line 2: name must be"),
    ])
    func rejectsBadFilesWithTheLine(yaml: String, expected: String) {
        #expect {
            _ = try CredentialStore.parse(yaml: yaml, source: "c.yaml")
        } throws: { error in
            "\(error)".hasPrefix("c.yaml: ") && "\(error)".contains(expected)
        }
    }

    @Test func rejectsDuplicateUsersAndTokens() {
        let digest = String(repeating: "b", count: 64)
        #expect(throws: CredentialsError.self) {
            try CredentialStore.parse(yaml: "tokens:\n  - {name: a, token_sha256: \(digest)}\n  - {name: b, token_sha256: \(digest)}")
        }
        let hash = Self.hash.encoded
        #expect(throws: CredentialsError.self) {
            try CredentialStore.parse(yaml: "users:\n  - {name: a, password_hash: \"\(hash)\"}\n  - {name: a, password_hash: \"\(hash)\"}")
        }
    }

    @Test func emptyFileHasNoCredentials() throws {
        let store = try CredentialStore.parse(yaml: "")
        #expect(store.users.isEmpty && store.tokens.isEmpty)
    }
}

@Suite struct PasswordHashTests {
    @Test func roundTripsThroughItsText() throws {
        let hash = try PasswordHash.make(password: "pässwörd", iterations: 1000)
        let parsed = try PasswordHash(parsing: hash.encoded)
        #expect(parsed == hash)
        #expect(parsed.verify(Array("pässwörd".utf8)))
        #expect(hash.encoded.hasPrefix("$pbkdf2-sha256$1000$"))
    }

    @Test func saltsDiffer() throws {
        let a = try PasswordHash.make(password: "x", iterations: 1000)
        let b = try PasswordHash.make(password: "x", iterations: 1000)
        #expect(a.salt != b.salt && a.hash != b.hash)
    }

    /// RFC 7914 section 11 / common PBKDF2-HMAC-SHA256 test vector: P="password", S="salt", c=4096, dkLen=32.
    @Test func matchesAKnownVector() {
        let derived = PasswordHash.derive(Array("password".utf8), salt: Array("salt".utf8), iterations: 4096)
        #expect(BearerToken.hex(derived) == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
    }

    @Test func refusesTooFewIterations() {
        #expect(throws: CredentialsError.self) { try PasswordHash.make(password: "x", iterations: 10) }
        #expect(throws: CredentialsError.self) { try PasswordHash(parsing: "$pbkdf2-sha256$10$c2FsdHNhbHQ=$" + String(repeating: "A", count: 43) + "=") }
    }

    @Test func tokensAreLongAndDistinct() {
        let a = BearerToken.mint()
        let b = BearerToken.mint()
        #expect(a != b && a.hasPrefix("fjord_") && a.count == 6 + 43)
        #expect(BearerToken.unhex(BearerToken.hex([0, 1, 0xab, 0xff])) == [0, 1, 0xab, 0xff])
        #expect(BearerToken.unhex("zz") == nil)
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
    }
}
