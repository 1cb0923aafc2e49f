import FjordAuth
import FjordModel
import Foundation

/// `fjord credentials …`: makes entries for the credentials file (docs/security.md).
///
///     fjord credentials hash-password --user alice --tenant team-a=push,query [--admin] [--iterations N]
///     fjord credentials mint-token --name promtail --tenant team-a=push [--admin]
///     fjord credentials check FILE
///
/// `hash-password` reads the password from standard input (asking twice, without echo, on a terminal). Both print a
/// YAML list entry to paste under `users:` or `tokens:`; `mint-token` prints the token itself once, on standard
/// error — only its SHA-256 goes into the file.
enum CredentialsCommand {
    static let usage = """
        usage: fjord credentials hash-password --user NAME [--tenant TENANT=RIGHT,...]... [--admin] [--iterations N]
               fjord credentials mint-token --name NAME [--tenant TENANT=RIGHT,...]... [--admin]
               fjord credentials check FILE
        rights: push, query, tail, delete, rules; TENANT may be * (every tenant). See docs/security.md.
        """

    static func run(_ arguments: [String]) -> Int32 {
        do {
            guard let verb = arguments.first else { throw CredentialsError(usage) }
            let options = try Options(Array(arguments.dropFirst()))
            switch verb {
            case "hash-password":
                guard let user = options.name else { throw CredentialsError("hash-password needs --user NAME\n\(usage)") }
                let password = try readPassword()
                let hash = try PasswordHash.make(password: password, iterations: options.iterations)
                print(entry(name: user, secretKey: "password_hash", secret: "\"\(hash.encoded)\"", options: options), terminator: "")
            case "mint-token":
                guard let name = options.name else { throw CredentialsError("mint-token needs --name NAME\n\(usage)") }
                let token = BearerToken.mint()
                let digest = BearerToken.hex(BearerToken.digest(Array(token.utf8)))
                FileHandle.standardError.write(Data("token for \"\(name)\" (shown only now; only its SHA-256 is stored):\n\(token)\n".utf8))
                print(entry(name: name, secretKey: "token_sha256", secret: digest, options: options), terminator: "")
            case "check":
                guard let path = options.positional.first else { throw CredentialsError("check needs a FILE\n\(usage)") }
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let store = try CredentialStore.parse(yaml: text, source: path)
                print("\(path): \(store.users.count) users, \(store.tokens.count) tokens")
                for user in store.weakHashUsers { print("warning: user \(user) has a weak password hash; hash it again") }
            default:
                throw CredentialsError("unknown credentials command \"\(verb)\"\n\(usage)")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("fjord credentials: \(error)\n".utf8))
            return 1
        }
    }

    /// The YAML list entry.
    static func entry(name: String, secretKey: String, secret: String, options: Options) -> String {
        var out = "- name: \(name)\n  \(secretKey): \(secret)\n"
        if options.grants.isEmpty {
            out += "  tenants: {}\n"
        } else {
            out += "  tenants:\n"
            for (tenant, rights) in options.grants.sorted(by: { $0.key < $1.key }) {
                let key = tenant == Credential.anyTenant ? "\"*\"" : tenant
                out += "    \(key): [\(rights.sorted().map(\.rawValue).joined(separator: ", "))]\n"
            }
        }
        if options.admin { out += "  admin: true\n" }
        return out
    }

    /// The password from standard input: asked twice without echo on a terminal, else the first line.
    static func readPassword() throws -> String {
        if isatty(STDIN_FILENO) != 0 {
            let first = try prompt("Password: ")
            let second = try prompt("Repeat password: ")
            guard first == second else { throw CredentialsError("the passwords differ") }
            guard !first.isEmpty else { throw CredentialsError("empty password") }
            return first
        }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var text = String(decoding: data, as: UTF8.self)
        if let newline = text.firstIndex(of: "\n") { text = String(text[..<newline]) }
        if text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw CredentialsError("empty password on standard input") }
        return text
    }

    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else { throw CredentialsError("no password given") }
        return line
    }

    /// Parsed options of a credentials command.
    struct Options {
        var name: String?
        var grants: [String: Set<AccessRight>] = [:]
        var admin = false
        var iterations = PasswordHash.defaultIterations
        var positional: [String] = []

        init(_ arguments: [String]) throws {
            var index = 0
            func value(_ flag: String) throws -> String {
                index += 1
                guard index < arguments.count else { throw CredentialsError("\(flag) needs a value") }
                return arguments[index]
            }
            while index < arguments.count {
                var argument = arguments[index]
                var inline: String?
                if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                    inline = String(argument[argument.index(after: equals)...])
                    argument = String(argument[..<equals])
                }
                let next = { (flag: String) throws -> String in try inline ?? value(flag) }
                switch argument {
                case "--user", "--name": name = try next(argument)
                case "--admin": admin = true
                case "--iterations":
                    let text = try next(argument)
                    guard let count = Int(text) else { throw CredentialsError("--iterations must be a number") }
                    iterations = count
                case "--tenant":
                    let (tenant, rights) = try Options.grant(try next(argument))
                    grants[tenant, default: []].formUnion(rights)
                default:
                    guard !argument.hasPrefix("-") else { throw CredentialsError("unknown option \(argument)\n\(usage)") }
                    positional.append(argument)
                }
                index += 1
            }
        }

        /// `team-a=push,query` → ("team-a", [push, query]).
        static func grant(_ text: String) throws -> (String, Set<AccessRight>) {
            guard let equals = text.firstIndex(of: "=") else {
                throw CredentialsError("--tenant must look like TENANT=RIGHT,... (e.g. team-a=push,query)")
            }
            let tenant = String(text[..<equals])
            if tenant != Credential.anyTenant {
                do {
                    try FjordModel.TenantID.validate(tenant)
                } catch {
                    throw CredentialsError("--tenant \(tenant): \(error.message)")
                }
            }
            var rights = Set<AccessRight>()
            for word in text[text.index(after: equals)...].split(separator: ",") {
                guard let right = AccessRight(rawValue: String(word)) else {
                    throw CredentialsError("--tenant \(tenant): unknown right \"\(word)\" (\(AccessRight.names))")
                }
                rights.insert(right)
            }
            guard !rights.isEmpty else { throw CredentialsError("--tenant \(tenant): no rights given") }
            return (tenant, rights)
        }
    }
}
