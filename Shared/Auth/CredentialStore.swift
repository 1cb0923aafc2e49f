import FjordModel
import Yams

/// The parsed credentials file: users with password hashes and bearer tokens (stored as SHA-256), each with its
/// tenants and rights.
///
/// ```yaml
/// users:
///   - name: alice
///     password_hash: $pbkdf2-sha256$600000$...$...   # fjord credentials hash-password
///     tenants:
///       team-a: [push, query, tail]
///       team-b: [query]
///     admin: false                                    # optional: /metrics, /config, /services, /flush
/// tokens:
///   - name: promtail-team-a
///     token_sha256: 9f86d081...                       # fjord credentials mint-token
///     tenants:
///       team-a: [push]
/// ```
public struct CredentialStore: Sendable {
    /// A user: password hash and credential.
    public struct User: Sendable {
        public var hash: PasswordHash
        public var credential: Credential
    }

    /// A token: SHA-256 of the token and credential.
    public struct Token: Sendable {
        public var digest: [UInt8]
        public var credential: Credential
    }

    public var users: [String: User]
    public var tokens: [Token]
    /// Users whose hash has fewer than ``PasswordHash/recommendedMinimumIterations`` (reported at load).
    public var weakHashUsers: [String]
    /// Verified instead of a missing user's hash, so an unknown name costs as much as a wrong password (the
    /// response time does not tell which users exist).
    public let decoyHash: PasswordHash

    public init(users: [String: User] = [:], tokens: [Token] = []) {
        self.users = users
        self.tokens = tokens
        weakHashUsers = users.filter { $0.value.hash.iterations < PasswordHash.recommendedMinimumIterations }.keys.sorted()
        let iterations = users.values.map(\.hash.iterations).max() ?? PasswordHash.minimumIterations
        decoyHash = PasswordHash(iterations: iterations, salt: Array(repeating: 0x5a, count: 16),
                                 hash: Array(repeating: 0, count: 32))
    }

    /// The token credential whose digest matches `digest`, comparing every entry in constant time.
    public func token(digest: [UInt8]) -> Credential? {
        var found: Credential?
        for token in tokens where ConstantTime.equals(token.digest, digest) { found = token.credential }
        return found
    }

    /// Parses a credentials file; `source` names it in errors.
    public static func parse(yaml: String, source: String = "credentials file") throws(CredentialsError) -> CredentialStore {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw CredentialsError("\(source): invalid YAML: \(error)")
        }
        guard let root else { return CredentialStore() }
        var parser = CredentialsParser(source: source)
        guard let mapping = root.mapping else { throw parser.error(root, "the top level must be a mapping") }
        for (keyNode, valueNode) in mapping {
            switch try parser.string(keyNode, what: "a key") {
            case "users": try parser.entries(valueNode, kind: .user)
            case "tokens": try parser.entries(valueNode, kind: .token)
            case let key: throw parser.error(keyNode, "unknown key \"\(key)\" (expected users, tokens)")
            }
        }
        return CredentialStore(users: parser.users, tokens: parser.tokens)
    }
}

/// Walks the YAML of a credentials file, strictly: unknown keys, wrong types, duplicates and unknown rights are
/// errors naming the line.
struct CredentialsParser {
    let source: String
    var users: [String: CredentialStore.User] = [:]
    var tokens: [CredentialStore.Token] = []
    private var lineByTokenName: [String: Int] = [:]

    init(source: String) { self.source = source }

    func error(_ node: Node, _ message: String) -> CredentialsError {
        CredentialsError("\(source): line \(node.mark?.line ?? 0): \(message)")
    }

    func string(_ node: Node, what: String) throws(CredentialsError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a string") }
        return scalar.string
    }

    mutating func entries(_ node: Node, kind: Credential.Kind) throws(CredentialsError) {
        if case .scalar(let scalar) = node, ["", "~", "null"].contains(scalar.string) { return }
        guard let sequence = node.sequence else { throw error(node, "\(kind.rawValue)s must be a list") }
        for item in sequence { try entry(item, kind: kind) }
    }

    private mutating func entry(_ node: Node, kind: Credential.Kind) throws(CredentialsError) {
        guard let mapping = node.mapping else { throw error(node, "each \(kind.rawValue) must be a mapping") }
        var name: String?
        var secret: (text: String, node: Node)?
        var grants: [String: Set<AccessRight>] = [:]
        var admin = false
        let secretKey = kind == .user ? "password_hash" : "token_sha256"
        for (keyNode, valueNode) in mapping {
            switch try string(keyNode, what: "a key") {
            case "name":
                let text = try string(valueNode, what: "name")
                guard !text.isEmpty, text.utf8.count <= 256, !text.contains(":"),
                      text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else {
                    throw error(valueNode, "name must be 1–256 characters without spaces, colons or control characters")
                }
                name = text
            case secretKey:
                secret = (try string(valueNode, what: secretKey), valueNode)
            case "tenants":
                grants = try tenants(valueNode)
            case "admin":
                let text = try string(valueNode, what: "admin")
                guard text == "true" || text == "false" else { throw error(valueNode, "admin must be true or false") }
                admin = text == "true"
            case let key:
                throw error(keyNode, "unknown key \"\(key)\" in \(kind.rawValue) (expected name, \(secretKey), tenants, admin)")
            }
        }
        guard let name else { throw error(node, "\(kind.rawValue) is missing \"name\"") }
        guard let secret else { throw error(node, "\(kind.rawValue) \"\(name)\" is missing \"\(secretKey)\"") }
        let credential = Credential(name: name, kind: kind, grants: grants, admin: admin)
        switch kind {
        case .user:
            if users[name] != nil { throw error(node, "duplicate user \"\(name)\"") }
            let hash: PasswordHash
            do {
                hash = try PasswordHash(parsing: secret.text)
            } catch {
                throw self.error(secret.node, "user \"\(name)\": \(error.message)")
            }
            users[name] = CredentialStore.User(hash: hash, credential: credential)
        case .token:
            if let first = lineByTokenName[name] { throw error(node, "duplicate token name \"\(name)\" (first on line \(first))") }
            guard let digest = BearerToken.unhex(secret.text), digest.count == 32 else {
                throw error(secret.node, "token \"\(name)\": token_sha256 must be 64 hex digits (made by `fjord credentials mint-token`)")
            }
            if tokens.contains(where: { $0.digest == digest }) {
                throw error(secret.node, "token \"\(name)\": the same token is listed twice")
            }
            lineByTokenName[name] = node.mark?.line ?? 0
            tokens.append(CredentialStore.Token(digest: digest, credential: credential))
        }
    }

    private func tenants(_ node: Node) throws(CredentialsError) -> [String: Set<AccessRight>] {
        if case .scalar(let scalar) = node, ["", "~", "null", "{}"].contains(scalar.string) { return [:] }
        guard let mapping = node.mapping else {
            throw error(node, "tenants must map each tenant to its rights, e.g. {team-a: [push, query]}")
        }
        var grants: [String: Set<AccessRight>] = [:]
        for (keyNode, valueNode) in mapping {
            let tenant = try string(keyNode, what: "a tenant")
            if tenant != Credential.anyTenant {
                do {
                    try TenantID.validate(tenant)
                } catch {
                    throw self.error(keyNode, "invalid tenant: \(error.message)")
                }
            }
            guard let sequence = valueNode.sequence else {
                throw error(valueNode, "rights of tenant \"\(tenant)\" must be a list (\(AccessRight.names))")
            }
            var rights = Set<AccessRight>()
            for item in sequence {
                let text = try string(item, what: "a right")
                guard let right = AccessRight(rawValue: text) else {
                    throw error(item, "unknown right \"\(text)\" (expected \(AccessRight.names))")
                }
                rights.insert(right)
            }
            grants[tenant] = rights
        }
        return grants
    }
}
