/// Settings of a ``WireServer``; every limit is named and has a default.
public struct WireServerConfiguration: Sendable {
    /// Address to listen on (`127.0.0.1`, `0.0.0.0`, …) and port (0 = any free port; see ``WireServer/localPort``).
    public var host: String
    public var port: Int
    /// This process's role and instance id, sent in the hello.
    public var role: String
    public var node: String
    /// Roles allowed to connect; nil accepts any.
    public var acceptedClientRoles: Set<String>?
    /// Largest frame accepted from clients (length prefix value: header plus body).
    public var maxFrameBytes: Int
    /// Largest body after decompression.
    public var maxBodyBytes: Int
    /// Requests served at once per connection; further requests wait in the socket (TCP back-pressure).
    public var maxConcurrentRequestsPerConnection: Int
    /// Target size of one frame of a streamed answer (select, query, lists).
    public var responsePartBytes: Int
    /// Answer bodies at least this large are zstd-compressed when that saves an eighth; 0 disables.
    public var compressionMinimumBytes: Int
    /// A connection that has not sent its hello by then is closed.
    public var handshakeTimeout: Duration
    /// Mutual TLS; nil = plain TCP.
    public var tls: WireTLSConfiguration?

    public init(host: String = "127.0.0.1", port: Int = 0, role: String, node: String,
                acceptedClientRoles: Set<String>? = nil,
                maxFrameBytes: Int = WireProtocol.defaultMaxFrameBytes, maxBodyBytes: Int = 256 << 20,
                maxConcurrentRequestsPerConnection: Int = 64, responsePartBytes: Int = 1 << 20,
                compressionMinimumBytes: Int = 8192, handshakeTimeout: Duration = .seconds(10),
                tls: WireTLSConfiguration? = nil) {
        precondition(maxFrameBytes >= WireProtocol.minimumMaxFrameBytes && maxFrameBytes <= Int(UInt32.max),
                     "WireServerConfiguration: maxFrameBytes \(maxFrameBytes) outside \(WireProtocol.minimumMaxFrameBytes)...\(UInt32.max)")
        precondition(maxConcurrentRequestsPerConnection > 0, "WireServerConfiguration: maxConcurrentRequestsPerConnection must be positive")
        precondition(responsePartBytes > 0, "WireServerConfiguration: responsePartBytes must be positive")
        self.host = host
        self.port = port
        self.role = role
        self.node = node
        self.acceptedClientRoles = acceptedClientRoles
        self.maxFrameBytes = maxFrameBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxConcurrentRequestsPerConnection = maxConcurrentRequestsPerConnection
        self.responsePartBytes = responsePartBytes
        self.compressionMinimumBytes = compressionMinimumBytes
        self.handshakeTimeout = handshakeTimeout
        self.tls = tls
    }
}

/// Settings of a ``WireClient``; every limit is named and has a default.
public struct WireClientConfiguration: Sendable {
    /// This process's role and instance id, sent in the hello.
    public var role: String
    public var node: String
    /// The role the server must announce (e.g. `ingester`); nil accepts any.
    public var expectedServerRole: String?
    /// Largest frame accepted from the server.
    public var maxFrameBytes: Int
    /// Largest body after decompression.
    public var maxBodyBytes: Int
    /// Largest answer of one request, counted as received (compressed bodies count compressed).
    public var maxResponseBytes: Int
    /// Connections kept to the address; requests are spread over them and multiplexed on each.
    public var connectionsPerAddress: Int
    /// TCP connect plus TLS and hello exchange.
    public var connectTimeout: Duration
    /// Deadline of a request whose call gives none; travels in the frame so the server stops too.
    public var requestTimeout: Duration
    /// After a failed connect the slot waits `initial × 2^(failures-1)`, at most `maximum`, before trying again;
    /// requests meanwhile fail at once as `unavailable`.
    public var reconnectBackoffInitial: Duration
    public var reconnectBackoffMaximum: Duration
    /// Request bodies at least this large are zstd-compressed when that saves an eighth; 0 disables.
    public var compressionMinimumBytes: Int
    /// Mutual TLS; nil = plain TCP.
    public var tls: WireTLSConfiguration?

    public init(role: String, node: String, expectedServerRole: String? = nil,
                maxFrameBytes: Int = WireProtocol.defaultMaxFrameBytes, maxBodyBytes: Int = 256 << 20,
                maxResponseBytes: Int = 1 << 30, connectionsPerAddress: Int = 2,
                connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(60),
                reconnectBackoffInitial: Duration = .milliseconds(100), reconnectBackoffMaximum: Duration = .seconds(5),
                compressionMinimumBytes: Int = 8192, tls: WireTLSConfiguration? = nil) {
        precondition(maxFrameBytes >= WireProtocol.minimumMaxFrameBytes && maxFrameBytes <= Int(UInt32.max),
                     "WireClientConfiguration: maxFrameBytes \(maxFrameBytes) outside \(WireProtocol.minimumMaxFrameBytes)...\(UInt32.max)")
        precondition(connectionsPerAddress > 0, "WireClientConfiguration: connectionsPerAddress must be positive")
        self.role = role
        self.node = node
        self.expectedServerRole = expectedServerRole
        self.maxFrameBytes = maxFrameBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxResponseBytes = maxResponseBytes
        self.connectionsPerAddress = connectionsPerAddress
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.reconnectBackoffInitial = reconnectBackoffInitial
        self.reconnectBackoffMaximum = reconnectBackoffMaximum
        self.compressionMinimumBytes = compressionMinimumBytes
        self.tls = tls
    }
}
