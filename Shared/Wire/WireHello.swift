/// The first frame each side sends (client first, server answers): who is speaking and what it accepts.
///
/// Body: `[string role][string node][u32 maxFrameBytes]`; the protocol version is the header's. A server answers
/// a hello whose version or role it does not accept with an error frame (code `handshake` or
/// `unsupportedVersion`) and closes; a client closes when the server's role is not the one it dialled.
public struct WireHello: Hashable, Sendable {
    /// The sender's role: `gateway`, `ingester`, `querier`, `compactor`, …
    public var role: String
    /// The sender's instance id (for logs and error texts).
    public var node: String
    /// The largest frame the sender accepts; the peer keeps its frames below it.
    public var maxFrameBytes: Int

    public init(role: String, node: String, maxFrameBytes: Int = WireProtocol.defaultMaxFrameBytes) {
        self.role = role
        self.node = node
        self.maxFrameBytes = maxFrameBytes
    }

    public func encode() -> [UInt8] {
        var writer = WireWriter(capacity: 32)
        writer.string(role)
        writer.string(node)
        writer.fixed(UInt32(clamping: maxFrameBytes))
        return writer.take()
    }

    public static func decode(_ body: [UInt8]) throws(WireError) -> WireHello {
        var reader = WireReader(body, message: "hello")
        let role = try reader.string()
        let node = try reader.string()
        let maxFrameBytes = Int(try reader.fixed(UInt32.self))
        try reader.expectEnd()
        guard maxFrameBytes >= WireProtocol.minimumMaxFrameBytes else {
            throw WireError(.handshake, "peer accepts frames of only \(maxFrameBytes) bytes")
        }
        return WireHello(role: role, node: node, maxFrameBytes: maxFrameBytes)
    }
}

/// Body of an error frame: `[u16 code][u16 status][string message]`.
enum WireErrorBody {
    static func encode(_ error: WireError) -> [UInt8] {
        var writer = WireWriter(capacity: 8 + error.message.utf8.count)
        writer.fixed(error.code.rawValue)
        writer.fixed(UInt16(clamping: error.status))
        writer.string(error.message)
        return writer.take()
    }

    static func decode(_ body: [UInt8]) throws(WireError) -> WireError {
        var reader = WireReader(body, message: "error")
        let code = WireError.Code(rawValue: try reader.fixed(UInt16.self))
        let status = Int(try reader.fixed(UInt16.self))
        let message = try reader.string()
        try reader.expectEnd()
        return WireError(code, status: status, message)
    }
}
