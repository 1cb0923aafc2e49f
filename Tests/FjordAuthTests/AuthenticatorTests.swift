@testable import FjordAuth
import Foundation
import Testing

@Suite struct AuthenticatorTests {
    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    static func authenticator() throws -> (Authenticator, String) {
        let token = BearerToken.mint()
        let store = try CredentialStore.parse(yaml: """
            users:
              - name: alice
                password_hash: "\(try PasswordHash.make(password: "pw:with:colons", iterations: 1000).encoded)"
                tenants: {team-a: [push, query]}
            tokens:
              - name: ci
                token_sha256: \(BearerToken.hex(BearerToken.digest(Array(token.utf8))))
                tenants: {team-a: [push]}
            """)
        return (Authenticator(store: store), token)
    }

    @Test func acceptsBasicAndBearer() async throws {
        let (auth, token) = try Self.authenticator()
        #expect(try await auth.authenticate(Self.basic("alice", "pw:with:colons")).get().name == "alice")
        // The second check is answered from the cache and must give the same answer.
        #expect(try await auth.authenticate(Self.basic("alice", "pw:with:colons")).get().name == "alice")
        #expect(try await auth.authenticate("Bearer \(token)").get().name == "ci")
        #expect(try await auth.authenticate("bearer  \(token) ").get().name == "ci")
    }

    @Test func refusesWrongCredentials() async throws {
        let (auth, token) = try Self.authenticator()
        #expect(await auth.authenticate(nil) == .failure(.missing))
        #expect(await auth.authenticate(Self.basic("alice", "wrong")) == .failure(.wrongPassword("alice")))
        #expect(await auth.authenticate(Self.basic("mallory", "pw:with:colons")) == .failure(.unknownUser("mallory")))
        #expect(await auth.authenticate("Bearer \(token)x") == .failure(.unknownToken))
        for header in ["Basic", "Basic !!!", "Basic " + Data("nocolon".utf8).base64EncodedString(), "Digest abc",
                       "Basic " + Data(":empty-user".utf8).base64EncodedString(), String(repeating: "a", count: 5000)] {
            guard case .failure(.malformed) = await auth.authenticate(header) else {
                Issue.record("\(header.prefix(40)) was not malformed")
                continue
            }
        }
    }

    @Test func aReplacedStoreForgetsCachedPasswords() async throws {
        let (auth, _) = try Self.authenticator()
        #expect(try await auth.authenticate(Self.basic("alice", "pw:with:colons")).get().name == "alice")
        auth.replace(CredentialStore())
        #expect(await auth.authenticate(Self.basic("alice", "pw:with:colons")) == .failure(.unknownUser("alice")))
    }

    @Test func everyFailureSaysTheSameToTheClient() {
        let failures: [AuthenticationFailure] = [.unknownUser("a"), .wrongPassword("a"), .unknownToken]
        #expect(Set(failures.map(\.clientMessage)).count == 1)
        #expect(failures.allSatisfy { $0.status == 401 })
    }
}

@Suite struct TenantAccessTests {
    let alice = Credential(name: "alice", kind: .user, grants: ["a": [.push, .query], "b": [.query]])
    let ops = Credential(name: "ops", kind: .user, grants: ["*": [.query]])

    @Test func impliesTheOnlyTenantWithTheRight() throws {
        #expect(try TenantAccess.tenants(for: alice, requested: nil, right: .push).get() == ["a"])
        #expect(throws: AccessDenial.self) { try TenantAccess.tenants(for: alice, requested: nil, right: .query).get() }
        #expect(throws: AccessDenial.self) { try TenantAccess.tenants(for: alice, requested: nil, right: .tail).get() }
        #expect(throws: AccessDenial.self) { try TenantAccess.tenants(for: ops, requested: nil, right: .query).get() }
    }

    @Test func everyNamedTenantNeedsTheRight() throws {
        #expect(try TenantAccess.tenants(for: alice, requested: ["a", "b"], right: .query).get() == ["a", "b"])
        let denied = TenantAccess.tenants(for: alice, requested: ["a", "b"], right: .push)
        #expect(denied == .failure(AccessDenial(status: 403, message: "forbidden: user \"alice\" may not push to tenant \"b\"")))
        #expect(throws: AccessDenial.self) { try TenantAccess.tenants(for: alice, requested: ["a", "c"], right: .query).get() }
        #expect(try TenantAccess.tenants(for: ops, requested: ["x", "y"], right: .query).get() == ["x", "y"])
        #expect(throws: AccessDenial.self) { try TenantAccess.tenants(for: ops, requested: ["x"], right: .push).get() }
    }

    @Test func unknownAndForeignTenantsGetTheSameAnswer() {
        // "b" is a tenant alice may query; "zzz" exists nowhere. Pushing to either is refused the same way.
        let existing = TenantAccess.tenants(for: alice, requested: ["b"], right: .push)
        let missing = TenantAccess.tenants(for: alice, requested: ["zzz"], right: .push)
        guard case .failure(let one) = existing, case .failure(let two) = missing else {
            Issue.record("not refused")
            return
        }
        #expect(one.status == two.status)
        #expect(one.message.replacingOccurrences(of: "\"b\"", with: "\"zzz\"") == two.message)
    }
}
