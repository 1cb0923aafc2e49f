import FjordCompression

/// zstd for frame bodies and batch blocks: `[u32 raw size][zstd frame]`, used only when it saves enough.
enum WireCompression {
    /// Compresses `raw` when it is at least `minimumBytes` long and shrinks by at least 1/8; nil otherwise.
    static func compressIfUseful(_ raw: [UInt8], minimumBytes: Int) -> [UInt8]? {
        guard minimumBytes > 0, raw.count >= minimumBytes, raw.count <= Int(UInt32.max) else { return nil }
        let packed = Zstd.compress(raw, level: 1)
        guard packed.count + 4 <= raw.count - raw.count / 8 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(packed.count + 4)
        WireFrameCodec.appendBigEndian(UInt32(raw.count), to: &out)
        out.append(contentsOf: packed)
        return out
    }

    /// Reverses ``compressIfUseful(_:minimumBytes:)``; refuses raw sizes above `limit`.
    static func decompress(_ body: some Collection<UInt8>, limit: Int) throws(WireError) -> [UInt8] {
        guard body.count >= 4 else { throw WireError.malformed("compressed body", "shorter than its size field") }
        let raw = body.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard raw <= limit else {
            throw WireError(.frameTooLarge, "compressed body expands to \(raw) bytes, above the limit of \(limit)")
        }
        let packed = Array(body.dropFirst(4))
        do {
            return try Zstd.decompress(packed, expectedSize: raw)
        } catch {
            throw WireError.malformed("compressed body", error.description)
        }
    }
}
