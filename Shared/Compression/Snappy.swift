import CSnappy

/// Snappy **block** format (not the framing format): what Promtail and Grafana Alloy send as push bodies.
public enum Snappy {
    /// The most a block can expand: a copy with a 2-byte offset turns 3 input bytes into 64 output bytes.
    public static let maxExpansion = 22

    /// The decompressed length announced by a block's preamble, without decoding it.
    public static func decompressedLength(_ input: UnsafeRawBufferPointer) throws(CompressionError) -> Int {
        var length = 0
        let status = snappy_uncompressed_length(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count, &length)
        guard status == SNAPPY_OK else { throw CompressionError(codec: "snappy", message: "corrupt input") }
        return length
    }

    /// Decodes a snappy block. `maxLength` bounds the announced size before anything is allocated.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxLength: Int) throws(CompressionError) -> [UInt8] {
        let length = try decompressedLength(input)
        guard length <= maxLength else {
            throw CompressionError(codec: "snappy", message: "decompressed size \(length) exceeds limit \(maxLength)")
        }
        var output = [UInt8](repeating: 0, count: length)
        var outLength = length
        let status = output.withUnsafeMutableBytes { out in
            snappy_uncompress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                              out.baseAddress?.assumingMemoryBound(to: CChar.self), &outLength)
        }
        guard status == SNAPPY_OK, outLength == length else {
            throw CompressionError(codec: "snappy", message: "corrupt input")
        }
        return output
    }

    /// Encodes bytes as one snappy block.
    public static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let bound = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        var length = bound
        let status = output.withUnsafeMutableBytes { out in
            snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                            out.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
        }
        precondition(status == SNAPPY_OK, "snappy_compress failed with status \(status)")
        output.removeSubrange(length...)
        return output
    }

    /// Encodes a byte array as one snappy block.
    public static func compress(_ input: [UInt8]) -> [UInt8] { input.withUnsafeBytes { compress($0) } }
}
