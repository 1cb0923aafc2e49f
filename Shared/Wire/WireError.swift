public import FjordServiceAPI

/// A failure of the wire protocol: a frame or body that cannot be decoded, a failed handshake, a lost connection,
/// a deadline, or an error the remote handler returned (``Code-swift.struct/service``, which carries the
/// ``ServiceError``'s status and text unchanged).
///
/// Codes travel in error frames; ``status`` is the HTTP status the failure maps to at the gateway.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why a wire operation failed. The raw value is the code in an error frame's body.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The remote handler failed with a ``ServiceError``: status and message are Loki's.
        public static let service = Code(rawValue: 1)
        /// The request ran past its deadline.
        public static let timeout = Code(rawValue: 2)
        /// The caller gave up on the request.
        public static let cancelled = Code(rawValue: 3)
        /// The peer cannot be reached, or the connection closed before the answer was complete.
        public static let unavailable = Code(rawValue: 4)
        /// The peer does not serve this request kind (wrong role, or a kind this version does not know).
        public static let unsupported = Code(rawValue: 5)
        /// Versions or roles do not match, or the peer broke the hello exchange.
        public static let handshake = Code(rawValue: 6)
        /// The input ended in the middle of a frame.
        public static let truncated = Code(rawValue: 10)
        /// A frame is larger than the receiver's maximum.
        public static let frameTooLarge = Code(rawValue: 11)
        /// A header does not start with the protocol's magic bytes.
        public static let badMagic = Code(rawValue: 12)
        /// A header carries another protocol version.
        public static let unsupportedVersion = Code(rawValue: 13)
        /// The CRC-32C does not match the frame's bytes.
        public static let checksumMismatch = Code(rawValue: 14)
        /// A header field is impossible (length below the header size, unknown flags, reserved bits set).
        public static let malformedFrame = Code(rawValue: 15)
        /// A body does not decode as its kind says.
        public static let malformedBody = Code(rawValue: 16)
        /// A message is valid but arrives where the protocol does not allow it (e.g. a second hello).
        public static let protocolViolation = Code(rawValue: 17)
        /// The server is shutting down and takes no new requests.
        public static let shuttingDown = Code(rawValue: 18)
        /// Anything else that failed on the remote side.
        public static let internalError = Code(rawValue: 19)

        public var description: String {
            switch self {
            case .service: "service"
            case .timeout: "timeout"
            case .cancelled: "cancelled"
            case .unavailable: "unavailable"
            case .unsupported: "unsupported"
            case .handshake: "handshake"
            case .truncated: "truncated"
            case .frameTooLarge: "frame too large"
            case .badMagic: "bad magic"
            case .unsupportedVersion: "unsupported version"
            case .checksumMismatch: "checksum mismatch"
            case .malformedFrame: "malformed frame"
            case .malformedBody: "malformed body"
            case .protocolViolation: "protocol violation"
            case .shuttingDown: "shutting down"
            case .internalError: "internal error"
            default: "code \(rawValue)"
            }
        }

        /// The HTTP status a failure with this code maps to when it is not a ``service`` error.
        var defaultStatus: Int {
            switch self {
            case .timeout: 504
            case .cancelled: 499
            case .unavailable, .shuttingDown: 503
            case .unsupported: 501
            default: 500
            }
        }
    }

    public var code: Code
    /// HTTP status semantics (400...599).
    public var status: Int
    public var message: String

    public init(_ code: Code, status: Int? = nil, _ message: String) {
        let resolved = status ?? code.defaultStatus
        self.code = code
        self.status = (400...599).contains(resolved) ? resolved : 500
        self.message = message
    }

    /// A remote ``ServiceError``, kept exactly.
    public init(_ error: ServiceError) {
        self.init(.service, status: error.status, error.message)
    }

    public var description: String { "wire \(code) (\(status)): \(message)" }

    /// The error as the roles' interfaces report it: a remote service error unchanged, a timeout or cancellation
    /// as Loki's 504 / 499, anything else with its status and a message naming the peer when known.
    public func serviceError(peer: String? = nil) -> ServiceError {
        switch code {
        case .service: return ServiceError(status: status, message: message)
        case .timeout: return .timeout
        case .cancelled: return .cancelled
        default:
            let prefix = peer.map { "\($0): " } ?? ""
            return ServiceError(status: status, message: prefix + message)
        }
    }

    static func malformed(_ what: String, _ detail: String) -> WireError {
        WireError(.malformedBody, "malformed \(what): \(detail)")
    }
}
