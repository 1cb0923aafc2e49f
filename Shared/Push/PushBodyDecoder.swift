import FjordCompression
import FjordModel

/// Size limits on a push body (`distributor.max_recv_msg_size`, `distributor.max_decompressed_size`).
public struct PushBodyLimits: Sendable, Hashable {
    /// Largest body accepted as received (compressed), in bytes; 0 = unlimited. Loki: 100 MiB.
    public var maxReceiveMessageSize: Int
    /// Largest body after gzip/deflate/snappy decompression, in bytes. Loki: 5000 MiB; 0 means 50 ×
    /// `maxReceiveMessageSize` (unlimited when that is 0 too).
    public var maxDecompressedSize: Int

    /// The decompressed-size limit in force, 0 = unlimited.
    var decompressedLimit: Int {
        maxDecompressedSize > 0 ? maxDecompressedSize : 50 * maxReceiveMessageSize
    }

    public init(maxReceiveMessageSize: Int = 100 << 20, maxDecompressedSize: Int = 5000 << 20) {
        self.maxReceiveMessageSize = maxReceiveMessageSize
        self.maxDecompressedSize = maxDecompressedSize
    }
}

/// Which push endpoint received the body: it selects the JSON shape.
public enum PushAPIVersion: Sendable, Hashable {
    /// `/loki/api/v1/push`.
    case v1
    /// `/api/prom/push`.
    case legacy
}

/// Turns the bytes of a push request body plus its `Content-Type` and `Content-Encoding` headers into a
/// ``PushRequest``, as Loki's `parsePushRequestBody`: `Content-Encoding` `""`/`snappy` (ignored), `gzip`, `deflate`,
/// anything else 400; `application/json` is JSON, every other media type is protobuf in a snappy block; a missing
/// or malformed `Content-Type` is a 400 with Go's `mime` error text; bodies over the limits are 413.
public enum PushBodyDecoder {
    public static func decode(
        body: [UInt8], contentType: String?, contentEncoding: String?, version: PushAPIVersion = .v1,
        limits: PushBodyLimits = PushBodyLimits()
    ) throws(PushError) -> PushRequest {
        if limits.maxReceiveMessageSize > 0, body.count > limits.maxReceiveMessageSize {
            throw .tooLarge("message size too large", size: body.count, max: limits.maxReceiveMessageSize)
        }
        let encoding = contentEncoding ?? ""
        switch encoding {
        case "", "snappy": break
        case "gzip": try checkGzipHeader(body)
        case "deflate": break
        default: throw .badRequest("Content-Encoding \(GoQuote.quote(encoding)) not supported")
        }
        let mediaType = try MediaType.parse(contentType ?? "").get()
        let plain: [UInt8]
        switch encoding {
        case "gzip": plain = try inflate(body, format: .gzip, limits: limits)
        case "deflate": plain = try inflate(body, format: .raw, limits: limits)
        default: plain = body
        }
        if mediaType == "application/json" {
            switch version {
            case .v1: return try PushJSONDecoder.decode(plain)
            case .legacy: return try PushJSONDecoder.decodeLegacy(plain)
            }
        }
        return try PushProtobufDecoder.decode(unsnappy(plain, limits: limits))
    }

    /// Snappy block decode; the announced length is checked (against the limit and what the input could hold) before
    /// anything is allocated.
    static func unsnappy(_ body: [UInt8], limits: PushBodyLimits) throws(PushError) -> [UInt8] {
        let corrupt = PushError.badRequest("snappy: corrupt input")
        let outcome: Result<[UInt8], PushError> = body.withUnsafeBytes { raw in
            guard let length = try? Snappy.decompressedLength(raw) else { return .failure(corrupt) }
            let limit = limits.decompressedLimit
            if limit > 0, length > limit {
                return .failure(.tooLarge("decompressed message size too large", size: length, max: limit))
            }
            // A snappy block expands at most about 21 times (a 3-byte copy of 64 bytes): a longer announced length
            // is corrupt, and must not be allocated (a 40-byte body could otherwise claim gigabytes).
            if length > Snappy.maxExpansion * raw.count + 64 { return .failure(corrupt) }
            guard let output = try? Snappy.decompress(raw, maxLength: length) else { return .failure(corrupt) }
            return .success(output)
        }
        return try outcome.get()
    }

    /// What Go's `gzip.NewReader` rejects before any body byte is read.
    private static func checkGzipHeader(_ body: [UInt8]) throws(PushError) {
        if body.isEmpty { throw .badRequest("EOF") }
        if body.count < 10 { throw .badRequest("unexpected EOF") }
        guard body[0] == 0x1F, body[1] == 0x8B, body[2] == 0x08 else { throw .badRequest("gzip: invalid header") }
    }

    private static func inflate(_ body: [UInt8], format: Gzip.Format, limits: PushBodyLimits) throws(PushError) -> [UInt8] {
        let maxLength = limits.decompressedLimit > 0 ? limits.decompressedLimit : Int.max
        let outcome: Result<[UInt8], CompressionError> = body.withUnsafeBytes { raw in
            Result { () throws(CompressionError) -> [UInt8] in try Gzip.decompress(raw, format: format, maxLength: maxLength) }
        }
        switch outcome {
        case .success(let output): return output
        case .failure(let error):
            if error.message.contains("exceeds limit") {
                // Loki reads through a limit+1 reader, so it reports one byte over the limit.
                throw .tooLarge("decompressed message size too large", size: maxLength + 1, max: maxLength)
            }
            // Z_BUF_ERROR (-5) without output means the input ended early.
            if error.message.contains("EOF") || error.message.contains("(-5)") || body.isEmpty {
                throw .badRequest("unexpected EOF")
            }
            if error.message.contains("data check") { throw .badRequest("gzip: invalid checksum") }
            throw .badRequest("flate: corrupt input")
        }
    }
}
