import Foundation

/// The credentials carried by an `Authorization` header.
public enum AuthorizationHeader: Hashable, Sendable {
    case basic(user: String, password: [UInt8])
    case bearer(token: [UInt8])

    /// Longest header accepted; longer ones are malformed (a token is 49 bytes, a basic pair rarely above 200).
    public static let maxLength = 4096

    /// Parses `Basic <base64(user:password)>` or `Bearer <token>` (scheme case-insensitive, as RFC 9110 says).
    public static func parse(_ header: String) throws(AuthenticationFailure) -> AuthorizationHeader {
        let bytes = Array(header.utf8)
        guard bytes.count <= maxLength else { throw .malformed("longer than \(maxLength) bytes") }
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")) else { throw .malformed("no scheme") }
        let scheme = String(decoding: bytes[..<space], as: UTF8.self).lowercased()
        var value = bytes[(space + 1)...]
        while value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        while value.last == UInt8(ascii: " ") { value = value.dropLast() }
        guard !value.isEmpty else { throw .malformed("empty credentials") }
        switch scheme {
        case "basic":
            guard let decoded = Data(base64Encoded: Data(value)) else { throw .malformed("basic credentials are not base64") }
            let pair = Array(decoded)
            guard let colon = pair.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("basic credentials have no colon") }
            guard let user = String(validating: pair[..<colon], as: UTF8.self), !user.isEmpty else {
                throw .malformed("basic credentials have an empty or non-UTF-8 user name")
            }
            return .basic(user: user, password: Array(pair[(colon + 1)...]))
        case "bearer":
            return .bearer(token: Array(value))
        default:
            throw .malformed("unsupported scheme")
        }
    }
}
