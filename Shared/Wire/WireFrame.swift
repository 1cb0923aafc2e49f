/// The fixed header of a frame, without the length prefix and the checksum (which the codec computes).
public struct WireFrameHeader: Hashable, Sendable {
    public var kind: WireMessageKind
    public var flags: WireFrameFlags
    /// Chosen by the client, unique among its requests in flight on one connection; the answer's frames repeat
    /// it. 0 is reserved for frames about the connection itself (hello, connection errors).
    public var requestID: UInt64
    /// Milliseconds the sender still allows for the request when the frame left it; 0 = no deadline. Relative, so
    /// peers need no synchronised clocks; the receiver adds it to its own clock on arrival.
    public var deadlineMillis: UInt32
    /// Protocol version of the frame (the sender's ``WireProtocol/version`` when encoding).
    public var version: UInt8

    public init(kind: WireMessageKind, flags: WireFrameFlags = [], requestID: UInt64, deadlineMillis: UInt32 = 0,
                version: UInt8 = WireProtocol.version) {
        self.kind = kind
        self.flags = flags
        self.requestID = requestID
        self.deadlineMillis = deadlineMillis
        self.version = version
    }
}

/// One frame: a header and its body bytes (still compressed when the header says so; see ``uncompressedBody(limit:)``).
public struct WireFrame: Sendable, Equatable {
    public var header: WireFrameHeader
    public var body: [UInt8]

    public init(header: WireFrameHeader, body: [UInt8] = []) {
        self.header = header
        self.body = body
    }

    public init(kind: WireMessageKind, requestID: UInt64, flags: WireFrameFlags = [], deadlineMillis: UInt32 = 0,
                body: [UInt8] = []) {
        self.init(header: WireFrameHeader(kind: kind, flags: flags, requestID: requestID, deadlineMillis: deadlineMillis),
                  body: body)
    }

    public var kind: WireMessageKind { header.kind }
    public var requestID: UInt64 { header.requestID }
    public var isEndOfStream: Bool { header.flags.contains(.endOfStream) || header.kind == .error }

    /// Bytes this frame takes on the wire.
    public var encodedSize: Int { WireProtocol.frameOverhead + body.count }

    /// The body, decompressed when the frame is flagged compressed. `limit` caps the decompressed size.
    public func uncompressedBody(limit: Int) throws(WireError) -> [UInt8] {
        guard header.flags.contains(.compressed) else { return body }
        return try WireCompression.decompress(body, limit: limit)
    }
}
