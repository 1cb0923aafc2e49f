/// An error one role returns to another (in process or over the wire), carrying the HTTP status Loki would answer
/// with and Loki's message, so the gateway can pass both to the client unchanged.
public struct ServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// HTTP status code semantics (Loki's internal gRPC does the same through httpgrpc).
    public var status: Int
    /// The message for the client (plain text).
    public var message: String

    public init(status: Int, message: String) {
        precondition((400...599).contains(status), "ServiceError needs an error status, got \(status) for \(message)")
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> ServiceError { ServiceError(status: 400, message: message) }
    public static func unauthorized(_ message: String) -> ServiceError { ServiceError(status: 401, message: message) }
    public static func notFound(_ message: String) -> ServiceError { ServiceError(status: 404, message: message) }
    public static func tooManyRequests(_ message: String) -> ServiceError { ServiceError(status: 429, message: message) }
    public static func internalError(_ message: String) -> ServiceError { ServiceError(status: 500, message: message) }
    public static func unavailable(_ message: String) -> ServiceError { ServiceError(status: 503, message: message) }

    /// Loki's 504 text for a query that ran past its deadline.
    public static let timeout = ServiceError(
        status: 504,
        message: "request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed")
    /// Loki's 499 text for a request the client gave up on.
    public static let cancelled = ServiceError(status: 499, message: "the request was cancelled by the client")

    public var description: String { "\(status): \(message)" }
}
