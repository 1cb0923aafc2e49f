import FjordCompression
@testable import FjordWire
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@Suite struct WireFrameCodecTests {
    static let limit = 1 << 20

    static func frame(_ kind: WireMessageKind = .push, id: UInt64 = 7, flags: WireFrameFlags = .endOfStream,
                      deadline: UInt32 = 1500, body: [UInt8] = Array("hello".utf8)) -> WireFrame {
        WireFrame(kind: kind, requestID: id, flags: flags, deadlineMillis: deadline, body: body)
    }

    /// Re-computes the CRC of an encoded frame after a test changed its header.
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        let crc = CRC32C.checksum(Array(out[28...]), continuing: CRC32C.checksum(Array(out[0..<24])))
        for index in 0..<4 { out[24 + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * index)) }
        return out
    }

    static func decodeError(_ bytes: [UInt8], limit: Int = limit) -> WireError? {
        do {
            _ = try WireFrameCodec.decodeAll(bytes, maxFrameBytes: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test func roundTripKeepsEveryHeaderField() throws {
        let original = Self.frame(.select, id: .max, flags: [.endOfStream, .compressed], deadline: .max,
                                  body: (0..<1000).map { UInt8($0 % 251) })
        let bytes = WireFrameCodec.encode(original)
        #expect(bytes.count == original.encodedSize)
        #expect(bytes.count == 28 + 1000)
        #expect(Array(bytes[4..<6]) == [0x46, 0x57])
        let decoded = try WireFrameCodec.decodeAll(bytes, maxFrameBytes: Self.limit)
        #expect(decoded == [original])
    }

    @Test func emptyBodyFrameIsTwentyEightBytes() throws {
        let frame = Self.frame(.ok, body: [])
        let bytes = WireFrameCodec.encode(frame)
        #expect(bytes.count == WireProtocol.frameOverhead)
        #expect(try WireFrameCodec.decodeAll(bytes, maxFrameBytes: Self.limit) == [frame])
    }

    @Test func incompleteInputAsksForTheWholeFrame() throws {
        let bytes = WireFrameCodec.encode(Self.frame())
        for cut in 0..<bytes.count {
            let result = try Array(bytes[0..<cut]).withUnsafeBytes { buffer throws(WireError) in
                try WireFrameCodec.decode(buffer, maxFrameBytes: Self.limit)
            }
            guard case .incomplete(let needed) = result else {
                Issue.record("decoded a frame from \(cut) of \(bytes.count) bytes")
                continue
            }
            #expect(needed > cut)
        }
        #expect(Self.decodeError(Array(bytes.dropLast()))?.code == .truncated)
    }

    @Test func oversizedFrameIsRefusedFromItsLengthAlone() {
        let bytes = WireFrameCodec.encode(Self.frame(body: [UInt8](repeating: 1, count: 5000)))
        #expect(Self.decodeError(Array(bytes[0..<4]), limit: 4096)?.code == .frameTooLarge)
        #expect(Self.decodeError(bytes, limit: 4096)?.code == .frameTooLarge)
    }

    @Test func lengthShorterThanTheHeaderIsMalformed() {
        #expect(Self.decodeError([0, 0, 0, 23, 0x46, 0x57, 1])?.code == .malformedFrame)
    }

    @Test func wrongMagicAndVersionAreRefusedEarly() {
        var bytes = WireFrameCodec.encode(Self.frame(body: [UInt8](repeating: 0, count: 100)))
        var magic = bytes
        magic[5] = 0x58
        #expect(Self.decodeError(Array(magic[0..<8]))?.code == .badMagic)
        bytes[6] = 2
        let error = Self.decodeError(Array(bytes[0..<8]))
        #expect(error?.code == .unsupportedVersion)
        #expect(error?.message.contains("version 2") == true)
    }

    @Test(arguments: [8, 9, 12, 19, 20, 23, 24, 27, 28, 32])
    func anyFlippedByteFailsTheChecksum(position: Int) {
        var bytes = WireFrameCodec.encode(Self.frame(body: Array("some body bytes".utf8)))
        bytes[position] ^= 0x10
        #expect(Self.decodeError(bytes)?.code == .checksumMismatch)
    }

    @Test func reservedFieldAndUnknownFlagsAreMalformed() {
        var reserved = WireFrameCodec.encode(Self.frame())
        reserved[11] = 1
        #expect(Self.decodeError(Self.resealed(reserved))?.code == .malformedFrame)
        var flags = WireFrameCodec.encode(Self.frame())
        flags[8] = 0x80
        #expect(Self.decodeError(Self.resealed(flags))?.code == .malformedFrame)
    }

    @Test func compressedBodiesRoundTripAndRefuseBombs() throws {
        let raw = [UInt8](repeating: 0x61, count: 100_000)
        let packed = try #require(WireCompression.compressIfUseful(raw, minimumBytes: 1024))
        #expect(packed.count < 1000)
        let frame = WireFrame(kind: .push, requestID: 1, flags: [.endOfStream, .compressed], body: packed)
        #expect(try frame.uncompressedBody(limit: 200_000) == raw)
        #expect(throws: WireError.self) { try frame.uncompressedBody(limit: 50_000) }
        let junk = WireFrame(kind: .push, requestID: 1, flags: [.compressed], body: [0, 0, 0, 9, 1, 2, 3])
        #expect(throws: WireError.self) { try junk.uncompressedBody(limit: 100) }
        #expect(WireCompression.compressIfUseful(Array(0..<255), minimumBytes: 64) == nil)
    }

    /// A size field the zstd frame does not confirm is refused before the claimed size is allocated (a live
    /// ingester fed 64 such requests at once spent seconds zero-filling 200 MiB buffers per request).
    @Test func compressedBodiesWhoseSizeTheFrameDoesNotConfirmAreRefusedUpFront() throws {
        let raw = Array("some body worth compressing ".utf8) + [UInt8](repeating: 7, count: 20_000)
        let packed = try #require(WireCompression.compressIfUseful(raw, minimumBytes: 1024))
        let claims: [[UInt8]] = [
            [0x0c, 0x80, 0x00, 0x00] + Array("garbage, no zstd frame at all".utf8),  // 200 MiB of garbage
            [0x0c, 0x80, 0x00, 0x00] + packed.dropFirst(4),                          // a real frame, size inflated
            [0x00, 0x00, 0x4e, 0x00] + packed.dropFirst(4),                          // a real frame, size too small
            [0x00, 0x00, 0x00, 0x00],                                                // nothing after the size
        ]
        for body in claims {
            let frame = WireFrame(kind: .push, requestID: 1, flags: [.endOfStream, .compressed], body: body)
            let error = try #require(Self.bodyError(frame, limit: 256 << 20))
            #expect(error.code == .malformedBody)
            #expect(error.message.contains("size field says"), "\(error)")
        }
        let good = WireFrame(kind: .push, requestID: 1, flags: [.endOfStream, .compressed], body: packed)
        #expect(try good.uncompressedBody(limit: 256 << 20) == raw)
    }

    static func bodyError(_ frame: WireFrame, limit: Int) -> WireError? {
        do {
            _ = try frame.uncompressedBody(limit: limit)
            return nil
        } catch {
            return error
        }
    }

    @Test func nioDecoderPassesDripFeedAndBatchVerification() throws {
        let frames = [Self.frame(id: 1), Self.frame(.streams, id: 2, flags: [], body: []),
                      Self.frame(.error, id: 3, body: (0..<300).map { UInt8($0 & 0xff) })]
        let pairs = frames.map { frame -> (ByteBuffer, [WireFrame]) in
            (ByteBuffer(bytes: WireFrameCodec.encode(frame)), [frame])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            WireFrameDecoder(maxFrameBytes: Self.limit)
        }
    }

    @Test func nioDecoderReportsTruncationAtEndOfStream() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(WireFrameDecoder(maxFrameBytes: Self.limit)))
        let bytes = WireFrameCodec.encode(Self.frame())
        try channel.writeInbound(ByteBuffer(bytes: bytes + bytes.prefix(10)))
        #expect(try channel.readInbound(as: WireFrame.self) == Self.frame())
        #expect(throws: WireError.self) { _ = try channel.finish() }
    }

    @Test func nioEncoderMatchesThePureCodec() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(WireFrameEncoder()))
        let frame = Self.frame(body: Array(repeating: 9, count: 77))
        try channel.writeOutbound(frame)
        let buffer = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(buffer.readableBytesView) == WireFrameCodec.encode(frame))
        _ = try channel.finish()
    }
}
