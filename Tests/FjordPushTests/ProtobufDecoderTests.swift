import FjordCompression
import FjordModel
@testable import FjordPush
import Testing

@Suite struct ProtobufDecoderTests {
    @Test(arguments: ["push-001", "push-002"])
    func decodesRealPromtailBodies(name: String) throws {
        let body = try Fixtures.bytes("promtail/\(name).bin")
        let request = try PushBodyDecoder.decode(body: body, contentType: "application/x-protobuf", contentEncoding: nil)
        #expect(request.content == (try Fixtures.expectedStreams(name)))
    }

    @Test(arguments: ["push-001", "push-002"])
    func encoderReproducesPromtailBytes(name: String) throws {
        let body = try Fixtures.bytes("promtail/\(name).bin")
        let plain = try body.withUnsafeBytes { try Snappy.decompress($0, maxLength: 1 << 20) }
        let request = try PushProtobufDecoder.decode(plain)
        #expect(PushProtobufEncoder.encode(request.content) == plain)
    }

    @Test func roundTripsEdgeValues() throws {
        let streams = [
            PushStreamContent(labels: #"{app="a"}"#, entries: [
                PushEntryContent(timestamp: 0, line: ""),
                PushEntryContent(timestamp: -1, line: "before epoch"),
                PushEntryContent(timestamp: 1_700_000_000_000_000_001, line: [0xFF, 0x00, 0x0A],
                                 metadata: [LabelPair("trace_id", "abc"), LabelPair("empty", "")]),
            ]),
            PushStreamContent(labels: "", entries: []),
            PushStreamContent(labels: #"{b="ü"}"#, entries: [
                PushEntryContent(timestamp: 5_000_000_000, line: String(repeating: "x", count: 70_000)),
            ]),
        ]
        let decoded = try PushProtobufDecoder.decode(PushProtobufEncoder.encode(streams))
        #expect(decoded.content == streams)
        let viaSnappy = try PushBodyDecoder.decode(body: PushProtobufEncoder.encodeSnappy(streams),
                                                   contentType: "application/x-protobuf", contentEncoding: "snappy")
        #expect(viaSnappy.content == streams)
    }

    @Test func skipsUnknownFieldsAndAcceptsAnyOrder() throws {
        var writer = ProtobufWriter()
        // Unknown varint, fixed64, fixed32 and group fields around a stream written entries-first.
        writer.key(9, ProtobufReader.varint); writer.varint(300)
        writer.key(10, ProtobufReader.fixed64); writer.bytes += [1, 2, 3, 4, 5, 6, 7, 8]
        var entry = ProtobufWriter()
        entry.lengthDelimited(2, Array("hello".utf8))
        entry.key(7, ProtobufReader.fixed32); entry.bytes += [0, 0, 0, 0]
        entry.key(12, ProtobufReader.startGroup); entry.key(1, ProtobufReader.varint); entry.varint(1)
        entry.key(12, ProtobufReader.endGroup)
        var timestamp = ProtobufWriter()
        timestamp.key(2, ProtobufReader.varint); timestamp.varint(7)
        timestamp.key(1, ProtobufReader.varint); timestamp.varint(3)
        entry.lengthDelimited(1, timestamp.bytes)
        var stream = ProtobufWriter()
        stream.lengthDelimited(2, entry.bytes)
        stream.key(3, ProtobufReader.varint); stream.varint(12345)
        stream.lengthDelimited(1, Array(#"{a="b"}"#.utf8))
        writer.lengthDelimited(1, stream.bytes)
        writer.lengthDelimited(2, Array("loki".utf8))
        let request = try PushProtobufDecoder.decode(writer.bytes)
        #expect(request.content == [PushStreamContent(labels: #"{a="b"}"#, entries: [
            PushEntryContent(timestamp: 3_000_000_007, line: "hello"),
        ])])
    }

    @Test func entryWithoutTimestampIsMarked() throws {
        var entry = ProtobufWriter()
        entry.lengthDelimited(2, Array("x".utf8))
        var stream = ProtobufWriter()
        stream.lengthDelimited(2, entry.bytes)
        var writer = ProtobufWriter()
        writer.lengthDelimited(1, stream.bytes)
        let request = try PushProtobufDecoder.decode(writer.bytes)
        #expect(request.entries.first?.timestamp == PushProtobufDecoder.missingTimestamp)
    }

    @Test(arguments: [
        ([0x0A], "unexpected EOF"),
        ([0x0A, 0x05, 0x0A], "unexpected EOF"),
        ([0x08, 0x01], "proto: wrong wireType = 0 for field Streams"),
        ([0x0C], "proto: PushRequest: wiretype end group for non-group"),
        ([0x00], "proto: PushRequest: illegal tag 0 (wire type 0)"),
        ([0x0A, 0x02, 0x10, 0x01], "proto: wrong wireType = 0 for field Entries"),
        ([0x0A, 0x04, 0x12, 0x02, 0x10, 0x01], "proto: wrong wireType = 0 for field Line"),
        ([0x0A, 0x02, 0x1A, 0x00], "proto: wrong wireType = 2 for field Hash"),
        ([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], "proto: negative length found during unmarshaling"),
        ([0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], "proto: integer overflow"),
        ([0x1E], "proto: illegal wireType 6"),
        ([0x1C], "proto: PushRequest: wiretype end group for non-group"),
        ([0x0A, 0x06, 0x12, 0x04, 0x0A, 0x02, 0x10, 0xFF], "unexpected EOF"),
    ] as [([UInt8], String)])
    func malformedInputFailsWithGogoText(bytes: [UInt8], message: String) {
        #expect(pushError { _ = try PushProtobufDecoder.decode(bytes) } == .badRequest(message))
    }

    @Test func timestampOutOfGoRangeIsRejected() {
        func body(seconds: Int64, nanos: Int64) -> [UInt8] {
            var timestamp = ProtobufWriter()
            timestamp.key(1, ProtobufReader.varint); timestamp.varint(UInt64(bitPattern: seconds))
            timestamp.key(2, ProtobufReader.varint); timestamp.varint(UInt64(bitPattern: nanos))
            var entry = ProtobufWriter()
            entry.lengthDelimited(1, timestamp.bytes)
            var stream = ProtobufWriter()
            stream.lengthDelimited(2, entry.bytes)
            var writer = ProtobufWriter()
            writer.lengthDelimited(1, stream.bytes)
            return writer.bytes
        }
        #expect(pushError { _ = try PushProtobufDecoder.decode(body(seconds: 1, nanos: 1_000_000_000)) }
            == .badRequest("timestamp: &types.Timestamp{Seconds:1, Nanos:1000000000}: nanos not in range [0, 1e9)"))
        #expect(pushError { _ = try PushProtobufDecoder.decode(body(seconds: -62_135_596_801, nanos: 0)) }
            == .badRequest("timestamp: &types.Timestamp{Seconds:-62135596801, Nanos:0} before 0001-01-01"))
        #expect(pushError { _ = try PushProtobufDecoder.decode(body(seconds: 253_402_300_800, nanos: 0)) }
            == .badRequest("timestamp: &types.Timestamp{Seconds:253402300800, Nanos:0} after 10000-01-01"))
    }
}
