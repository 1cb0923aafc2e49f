import CZlib

/// gzip / zlib / raw deflate through Debian's zlib: `Content-Encoding: gzip|deflate` on push and query requests.
public enum Gzip {
    /// The container around deflate data.
    public enum Format: Sendable {
        /// RFC 1952 gzip (also accepts concatenated members).
        case gzip
        /// RFC 1950 zlib (what Go's `compress/flate`-based `deflate` Content-Encoding sends is raw; see below).
        case zlib
        /// Raw RFC 1951 deflate.
        case raw
        /// Detect gzip or zlib from the header.
        case auto

        var windowBits: Int32 {
            switch self {
            case .gzip: return 15 + 16
            case .zlib: return 15
            case .raw: return -15
            case .auto: return 15 + 32
            }
        }
    }

    /// Inflates `input`. Throws when the data is corrupt or would exceed `maxLength` bytes.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, format: Format = .gzip, maxLength: Int
    ) throws(CompressionError) -> [UInt8] {
        var stream = z_stream()
        var status = inflateInit2_(&stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw CompressionError(codec: "gzip", message: "inflateInit failed (\(status))") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(maxLength, max(input.count * 4, 4096)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var consumed = 0
        while true {
            let remaining = input.count - consumed
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(remaining)
            let before = stream.total_in
            let produced: Int = chunk.withUnsafeMutableBytes { buffer in
                stream.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                status = inflate(&stream, Z_NO_FLUSH)
                return buffer.count - Int(stream.avail_out)
            }
            consumed += Int(stream.total_in - before)
            if produced > 0 {
                guard output.count + produced <= maxLength else {
                    throw CompressionError(codec: "gzip", message: "decompressed size exceeds limit \(maxLength)")
                }
                output.append(contentsOf: chunk[0..<produced])
            }
            if status == Z_STREAM_END {
                // Concatenated gzip members: continue with the next one if bytes remain.
                if consumed < input.count, format == .gzip || format == .auto {
                    inflateReset(&stream)
                    continue
                }
                return output
            }
            guard status == Z_OK || (status == Z_BUF_ERROR && produced > 0) else {
                let message = stream.msg.map { String(cString: $0) } ?? "corrupt input (\(status))"
                throw CompressionError(codec: "gzip", message: message)
            }
            if consumed >= input.count && produced == 0 {
                throw CompressionError(codec: "gzip", message: "unexpected EOF")
            }
        }
    }

    /// Deflates `input` (for tests, clients and the benchmark).
    public static func compress(_ input: UnsafeRawBufferPointer, format: Format = .gzip, level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let bits = format == .auto ? Format.gzip.windowBits : format.windowBits
        let status = deflateInit2_(&stream, level, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        let written: Int = output.withUnsafeMutableBytes { out in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(out.count)
            let result = deflate(&stream, Z_FINISH)
            precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
            return out.count - Int(stream.avail_out)
        }
        output.removeSubrange(written...)
        return output
    }

    /// Deflates a byte array.
    public static func compress(_ input: [UInt8], format: Format = .gzip, level: Int32 = 6) -> [UInt8] {
        input.withUnsafeBytes { compress($0, format: format, level: level) }
    }
}
