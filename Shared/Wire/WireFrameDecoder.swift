public import NIOCore

/// SwiftNIO decoder: bytes → ``WireFrame``s through ``WireFrameCodec``. Oversized, wrong-magic and wrong-version
/// frames are refused as soon as their first bytes arrive; a stream that ends inside a frame fails as truncated.
public struct WireFrameDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = WireFrame

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = WireProtocol.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try next(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while let frame = try next(&buffer) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        if buffer.readableBytes > 0 {
            let pending = buffer.readableBytes
            buffer.moveReaderIndex(forwardBy: pending)
            throw WireError(.truncated, "connection ended \(pending) bytes into a frame")
        }
        return .needMoreData
    }

    /// The next whole frame at the front of `buffer`, consuming it; nil when more bytes are needed.
    public func next(_ buffer: inout ByteBuffer) throws(WireError) -> WireFrame? {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(WireError) -> WireFrameCodec.Decoded in
                try WireFrameCodec.decode(bytes, maxFrameBytes: maxFrameBytes)
            }
        }
        switch try result.get() {
        case .frame(let frame, let consumed):
            buffer.moveReaderIndex(forwardBy: consumed)
            return frame
        case .incomplete:
            return nil
        }
    }
}

/// SwiftNIO encoder: ``WireFrame`` → bytes (length prefix, header, CRC-32C, body).
public struct WireFrameEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = WireFrame

    public init() {}

    public func encode(data frame: WireFrame, out: inout ByteBuffer) throws {
        let prefix = frame.body.withUnsafeBytes { WireFrameCodec.prefix(frame.header, body: $0) }
        out.reserveCapacity(minimumWritableBytes: prefix.count + frame.body.count)
        out.writeBytes(prefix)
        out.writeBytes(frame.body)
    }
}
