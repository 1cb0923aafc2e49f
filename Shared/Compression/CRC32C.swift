import CFjordBytes

/// CRC-32C (Castagnoli), hardware-accelerated where the CPU allows: checksums of WAL records, blocks and frames.
public enum CRC32C {
    /// Checksum of `bytes`, optionally continuing a previous checksum.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        fjord_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    /// Checksum of a byte collection.
    public static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}
