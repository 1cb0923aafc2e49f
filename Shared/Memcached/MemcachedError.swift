/// Why a memcached call failed. Callers of a cache treat every failure as a miss.
public struct MemcachedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// No connection could be made (or the server is in its back-off period after failing).
        case unavailable
        /// The server did not answer within the timeout.
        case timeout
        /// The server answered with `ERROR`, `CLIENT_ERROR …` or `SERVER_ERROR …` (e.g. a value over its item size).
        case server
        /// The answer did not follow the protocol.
        case protocolViolation
        /// A key or value the client refuses to send (bad key characters, value over `max_item_size`).
        case invalidRequest
        /// The connection closed with the request in flight.
        case connectionClosed
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "memcached \(code): \(message)" }
}
