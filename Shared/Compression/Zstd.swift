import CZstd

/// zstd block compression (Debian's libzstd), used for chunk blocks and WAL records.
/// Chosen by measurement: level 1 gives the best ratio/speed here (docs/decisions/0003-zstd-for-chunks.md).
public enum Zstd {
    /// Compresses `input` at `level` (1 = fastest; the default for chunk blocks).
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 1) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_compress(out.baseAddress, bound, input.baseAddress, input.count, level)
        }
        precondition(ZSTD_isError(written) == 0, "ZSTD_compress failed: \(String(cString: ZSTD_getErrorName(written)))")
        output.removeSubrange(written...)
        return output
    }

    /// Compresses a byte array.
    public static func compress(_ input: [UInt8], level: Int32 = 1) -> [UInt8] {
        input.withUnsafeBytes { compress($0, level: level) }
    }

    /// Decompresses a zstd frame whose decompressed size is `expectedSize` bytes (stored beside the frame).
    /// Throws ``CompressionError`` when the data is corrupt or its size differs.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws(CompressionError) -> [UInt8] {
        guard expectedSize >= 0 else { throw CompressionError(codec: "zstd", message: "negative size") }
        var output = [UInt8](repeating: 0, count: expectedSize)
        let written = output.withUnsafeMutableBytes { out in
            ZSTD_decompress(out.baseAddress, expectedSize, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 {
            throw CompressionError(codec: "zstd", message: String(cString: ZSTD_getErrorName(written)))
        }
        guard written == expectedSize else {
            throw CompressionError(codec: "zstd", message: "decompressed \(written) bytes, expected \(expectedSize)")
        }
        return output
    }

    /// The decompressed size a zstd frame declares in its header (``compress(_:level:)`` always writes it); nil
    /// when the bytes do not start with a whole frame header or the header does not say. Reads only the header, so
    /// a size claimed beside the frame can be checked before any output is allocated.
    public static func frameContentSize(_ input: UnsafeRawBufferPointer) -> Int? {
        let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        // ZSTD_CONTENTSIZE_UNKNOWN is UInt64.max, ZSTD_CONTENTSIZE_ERROR UInt64.max - 1.
        guard size < UInt64.max - 1, size <= UInt64(Int.max) else { return nil }
        return Int(size)
    }

    /// Decompresses a byte array.
    public static func decompress(_ input: [UInt8], expectedSize: Int) throws(CompressionError) -> [UInt8] {
        let result = input.withUnsafeBytes { raw in
            Result { () throws(CompressionError) -> [UInt8] in try decompress(raw, expectedSize: expectedSize) }
        }
        return try result.get()
    }
}

/// Corrupt or unsupported compressed data.
public struct CompressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which codec failed (`zstd`, `snappy`, `gzip`, `deflate`).
    public var codec: String
    public var message: String

    public init(codec: String, message: String) {
        self.codec = codec
        self.message = message
    }

    public var description: String { "\(codec): \(message)" }
}
