import FjordCompression
import FjordModel
@testable import FjordPush
import Testing

@Suite struct BodyDecoderTests {
    let streams = [PushStreamContent(labels: #"{app="a"}"#, entries: [PushEntryContent(timestamp: 1, line: "x")])]
    let json = Array(#"{"streams":[{"stream":{"app":"a"},"values":[["1","x"]]}]}"#.utf8)

    @Test(arguments: [nil, "", "snappy"] as [String?])
    func protobufIgnoresSnappyEncodingHeader(encoding: String?) throws {
        let request = try PushBodyDecoder.decode(body: PushProtobufEncoder.encodeSnappy(streams),
                                                 contentType: "application/x-protobuf", contentEncoding: encoding)
        #expect(request.content == streams)
    }

    @Test(arguments: ["application/octet-stream", "text/plain", "Application/X-Protobuf; foo=bar", "x"])
    func anyNonJSONTypeIsProtobuf(type: String) throws {
        let request = try PushBodyDecoder.decode(body: PushProtobufEncoder.encodeSnappy(streams),
                                                 contentType: type, contentEncoding: nil)
        #expect(request.content == streams)
    }

    @Test(arguments: ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON ; charset=\"utf-8\";"])
    func jsonMediaTypeWithParameters(type: String) throws {
        let request = try PushBodyDecoder.decode(body: json, contentType: type, contentEncoding: nil)
        #expect(request.content == streams)
    }

    @Test func gzipAndDeflateJSON() throws {
        let gzip = try PushBodyDecoder.decode(body: Gzip.compress(json, format: .gzip), contentType: "application/json",
                                              contentEncoding: "gzip")
        #expect(gzip.content == streams)
        let deflate = try PushBodyDecoder.decode(body: Gzip.compress(json, format: .raw), contentType: "application/json",
                                                 contentEncoding: "deflate")
        #expect(deflate.content == streams)
        let gzipProto = try PushBodyDecoder.decode(body: Gzip.compress(PushProtobufEncoder.encodeSnappy(streams)),
                                                   contentType: "application/x-protobuf", contentEncoding: "gzip")
        #expect(gzipProto.content == streams)
    }

    @Test(arguments: [
        (nil, "mime: no media type"),
        ("", "mime: no media type"),
        ("/json", "mime: no media type"),
        ("application json", "mime: expected slash after first token"),
        ("application/", "mime: expected token after slash"),
        ("application/json x", "mime: unexpected content after media subtype"),
        ("application/json; charset", "mime: invalid media parameter"),
        ("application/json; a=1; a=2", "mime: duplicate parameter name"),
    ] as [(String?, String)])
    func malformedContentTypeIs400WithGoText(type: String?, message: String) {
        #expect(pushError { _ = try PushBodyDecoder.decode(body: json, contentType: type, contentEncoding: nil) }
            == .badRequest(message))
    }

    @Test func unsupportedContentEncoding() {
        #expect(pushError { _ = try PushBodyDecoder.decode(body: json, contentType: "application/json", contentEncoding: "br") }
            == .badRequest(#"Content-Encoding "br" not supported"#))
        #expect(pushError { _ = try PushBodyDecoder.decode(body: json, contentType: "application/json", contentEncoding: "GZIP") }
            == .badRequest(#"Content-Encoding "GZIP" not supported"#))
    }

    @Test func corruptBodies() {
        #expect(pushError { _ = try PushBodyDecoder.decode(body: [], contentType: "application/x-protobuf", contentEncoding: nil) }
            == .badRequest("snappy: corrupt input"))
        #expect(pushError { _ = try PushBodyDecoder.decode(body: [0x10, 0x01], contentType: "application/x-protobuf", contentEncoding: nil) }
            == .badRequest("snappy: corrupt input"))
        #expect(pushError { _ = try PushBodyDecoder.decode(body: json, contentType: "application/json", contentEncoding: "gzip") }
            == .badRequest("gzip: invalid header"))
        #expect(pushError { _ = try PushBodyDecoder.decode(body: [], contentType: "application/json", contentEncoding: "gzip") }
            == .badRequest("EOF"))
        // A few bytes announcing 4 GB: refused as corrupt before anything is allocated (found by the HTTP fuzz test;
        // a snappy block cannot expand more than about 21 times).
        let claimsGigabytes: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x0F, 0x00, 0x61, 0x62]
        #expect(pushError { _ = try PushBodyDecoder.decode(body: claimsGigabytes, contentType: "application/x-protobuf", contentEncoding: nil) }
            == .badRequest("snappy: corrupt input"))
        let truncated = Array(Gzip.compress(json).dropLast(12))
        #expect(pushError { _ = try PushBodyDecoder.decode(body: truncated, contentType: "application/json", contentEncoding: "gzip") }
            == .badRequest("unexpected EOF"))
    }

    @Test func sizeLimitsAre413() {
        let snappyBody = PushProtobufEncoder.encodeSnappy(streams)
        let small = PushBodyLimits(maxReceiveMessageSize: 10, maxDecompressedSize: 1000)
        #expect(pushError {
            _ = try PushBodyDecoder.decode(body: snappyBody, contentType: "application/x-protobuf", contentEncoding: nil, limits: small)
        } == PushError(status: 413, message: "request body too large: message size too large than max (\(snappyBody.count) vs 10)"))
        let plainSize = PushProtobufEncoder.encode(streams).count
        let tight = PushBodyLimits(maxReceiveMessageSize: 1000, maxDecompressedSize: 5)
        #expect(pushError {
            _ = try PushBodyDecoder.decode(body: snappyBody, contentType: "application/x-protobuf", contentEncoding: nil, limits: tight)
        } == PushError(status: 413, message: "request body too large: decompressed message size too large than max (\(plainSize) vs 5)"))
        #expect(pushError {
            _ = try PushBodyDecoder.decode(body: Gzip.compress(json), contentType: "application/json", contentEncoding: "gzip", limits: tight)
        } == PushError(status: 413, message: "request body too large: decompressed message size too large than max (6 vs 5)"))
    }

    @Test func zeroDecompressedLimitMeansFiftyTimesTheReceiveLimit() {
        let big = [PushStreamContent(labels: "{}", entries: [PushEntryContent(timestamp: 1, line: String(repeating: "y", count: 100))])]
        let body = PushProtobufEncoder.encodeSnappy(big)
        let plainSize = PushProtobufEncoder.encode(big).count
        let limits = PushBodyLimits(maxReceiveMessageSize: 1, maxDecompressedSize: 0)
        let error = pushError {
            _ = try PushBodyDecoder.unsnappy(body, limits: limits)
        }
        #expect(plainSize > 50)
        #expect(error == PushError(status: 413, message: "request body too large: decompressed message size too large than max (\(plainSize) vs 50)"))
    }

    @Test func snappyPreambleIsCheckedBeforeAllocating() {
        // A 5-byte body announcing 4 GiB of output must fail on the limit, not try to allocate.
        let body: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x0F]
        let error = pushError {
            _ = try PushBodyDecoder.decode(body: body, contentType: "application/x-protobuf", contentEncoding: nil,
                                           limits: PushBodyLimits(maxDecompressedSize: 1 << 20))
        }
        #expect(error?.status == 413)
    }
}
