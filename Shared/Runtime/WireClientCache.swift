public import FjordRing
public import FjordWire
import Synchronization

/// One ``WireClient`` (connection pool) per member address, created on first use and closed when the member leaves
/// the membership file.
public final class WireClientCache: Sendable {
    private let configuration: WireClientConfiguration
    private let clients = Mutex<[MemberAddress: WireClient]>([:])

    public init(configuration: WireClientConfiguration) { self.configuration = configuration }

    /// The client for `address`. Throws when the client cannot be set up (unreadable TLS files).
    public func client(for address: MemberAddress) throws -> WireClient {
        let configuration = self.configuration
        let result: Result<WireClient, any Error> = clients.withLock { clients in
            if let existing = clients[address] { return .success(existing) }
            do {
                let client = try WireClient(host: address.host, port: address.port, configuration: configuration)
                clients[address] = client
                return .success(client)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Closes and forgets the clients of addresses not in `addresses`.
    public func retain(only addresses: Set<MemberAddress>) async {
        let removed = clients.withLock { clients -> [WireClient] in
            let gone = clients.keys.filter { !addresses.contains($0) }
            return gone.compactMap { clients.removeValue(forKey: $0) }
        }
        for client in removed { await client.shutdown() }
    }
}

extension WireError {
    /// How a failed call counts for the member's health.
    public var healthObservation: HealthObservation {
        switch code {
        case .service: return status < 500 ? .rejected : .unavailable
        case .timeout: return .timeout
        case .unavailable, .handshake, .truncated, .badMagic, .unsupportedVersion, .checksumMismatch, .malformedFrame:
            return .unreachable
        case .shuttingDown: return .unavailable
        default: return .rejected
        }
    }
}
