/// A credentials file (or credential text) that cannot be used, with the file, the line and the reason.
public struct CredentialsError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
