import Foundation

/// A credentials file made with the real `fjord credentials` command (low iteration count so tests stay fast), and
/// the secrets a test client uses.
struct CredentialsFixture {
    /// One entry to create: a user with a password or a token, with `--tenant` grants.
    struct Entry {
        var name: String
        var token: Bool
        var grants: [String]
        var admin = false

        static func user(_ name: String, _ grants: [String], admin: Bool = false) -> Entry {
            Entry(name: name, token: false, grants: grants, admin: admin)
        }

        static func token(_ name: String, _ grants: [String], admin: Bool = false) -> Entry {
            Entry(name: name, token: true, grants: grants, admin: admin)
        }
    }

    let path: URL
    /// `Authorization` header value per entry name.
    private(set) var authorization: [String: String] = [:]
    /// Passwords and tokens, to check they never appear in logs.
    private(set) var secrets: [String] = []

    init(directory: URL, entries: [Entry], create: Bool = false) throws {
        if create { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        path = directory.appendingPathComponent("credentials.yaml")
        var users: [String] = []
        var tokens: [String] = []
        for entry in entries {
            var arguments = entry.grants.flatMap { ["--tenant", $0] } + (entry.admin ? ["--admin"] : [])
            if entry.token {
                arguments = ["credentials", "mint-token", "--name", entry.name] + arguments
                let (yaml, stderr) = try CredentialsFixture.fjord(arguments)
                guard let token = stderr.split(separator: "\n").last.map(String.init), token.hasPrefix("fjord_") else {
                    throw FjordTestError("mint-token printed no token: \(stderr)")
                }
                authorization[entry.name] = "Bearer \(token)"
                secrets.append(token)
                tokens.append(yaml)
            } else {
                let password = "pw-\(entry.name)-\(UUID().uuidString.prefix(8))"
                arguments = ["credentials", "hash-password", "--user", entry.name, "--iterations", "1000"] + arguments
                let (yaml, _) = try CredentialsFixture.fjord(arguments, stdin: password + "\n")
                authorization[entry.name] = "Basic " + Data("\(entry.name):\(password)".utf8).base64EncodedString()
                secrets.append(password)
                users.append(yaml)
            }
        }
        func indent(_ entries: [String]) -> String {
            entries.joined().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        let text = "users:\n" + (users.isEmpty ? "" : indent(users)) + "tokens:\n" + (tokens.isEmpty ? "" : indent(tokens))
        try text.write(to: path, atomically: true, encoding: .utf8)
    }

    /// Headers for a request as `name`, optionally naming tenants in `X-Scope-OrgID`.
    func headers(_ name: String?, tenant: String? = nil) -> [String: String] {
        var headers: [String: String] = [:]
        if let name, let value = authorization[name] { headers["Authorization"] = value }
        if let tenant { headers["X-Scope-OrgID"] = tenant }
        return headers
    }

    /// Runs `fjord` with `arguments`; whether it exited 0 and what it printed (both streams).
    static func run(_ arguments: [String]) throws -> (Bool, String) {
        do {
            let (out, err) = try fjord(arguments)
            return (true, out + err)
        } catch let error as FjordTestError {
            return (false, error.description)
        }
    }

    /// Runs `fjord` with `arguments`, returning standard output and standard error.
    static func fjord(_ arguments: [String], stdin: String? = nil) throws -> (String, String) {
        let (code, out, err) = try Subprocess.run(FjordProcess.binary.path, arguments, stdin: stdin.map { Data($0.utf8) })
        guard code == 0 else { throw FjordTestError("fjord \(arguments.joined(separator: " ")) failed: \(err)") }
        return (out, err)
    }
}
