/// Why a request's credentials were not accepted. Clients see only ``clientMessage`` (the same for every wrong
/// credential, so it does not tell which users exist); the audit log gets ``auditReason``.
public enum AuthenticationFailure: Error, Hashable, Sendable {
    /// No `Authorization` header.
    case missing
    /// An `Authorization` header that is not `Basic <base64 user:password>` or `Bearer <token>`.
    case malformed(String)
    case unknownUser(String)
    case wrongPassword(String)
    case unknownToken
    /// Too many password checks are queued; the client should retry.
    case busy

    /// HTTP status: 429 for ``busy``, 401 otherwise.
    public var status: Int { self == .busy ? 429 : 401 }

    /// The text returned to the client.
    public var clientMessage: String {
        switch self {
        case .missing: return "authentication required: send HTTP basic auth or a bearer token"
        case .malformed: return "invalid Authorization header: expected Basic or Bearer credentials"
        case .unknownUser, .wrongPassword, .unknownToken: return "invalid credentials"
        case .busy: return "too many authentication attempts in progress, retry later"
        }
    }

    /// The reason written to the audit log (names the user, never a secret).
    public var auditReason: String {
        switch self {
        case .missing: return "no credentials"
        case .malformed(let why): return "malformed Authorization header: \(why)"
        case .unknownUser: return "unknown user"
        case .wrongPassword: return "wrong password"
        case .unknownToken: return "unknown bearer token"
        case .busy: return "password verification queue full"
        }
    }

    /// The user the client claimed to be, when it named one.
    public var claimedUser: String? {
        switch self {
        case .unknownUser(let name), .wrongPassword(let name): return name
        default: return nil
        }
    }
}
