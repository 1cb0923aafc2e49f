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

    /// Reverses ``compressIfUseful(_:minimumBytes:)``; refuses raw sizes above `limit`, and a raw size that the
    /// zstd frame's own header does not declare, before allocating anything: otherwise a few bytes of garbage
    /// claiming 256 MiB would cost 256 MiB of zeroed memory per request in flight.
    static func decompress(_ body: some Collection<UInt8>, limit: Int) throws(WireError) -> [UInt8] {
        guard body.count >= 4 else { throw WireError.malformed("compressed body", "shorter than its size field") }
        let raw = body.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard raw <= limit else {
            throw WireError(.frameTooLarge, "compressed body expands to \(raw) bytes, above the limit of \(limit)")
        }
        let packed = Array(body.dropFirst(4))
        let declared = packed.withUnsafeBytes { Zstd.frameContentSize($0) }
        guard declared == raw else {
            let found = declared.map { "a zstd frame of \($0) bytes" } ?? "no zstd frame header with a size"
            throw WireError.malformed("compressed body", "size field says \(raw) bytes but the body holds \(found)")
        }
        do {
            return try Zstd.decompress(packed, expectedSize: raw)
        } catch {
            throw WireError.malformed("compressed body", error.description)
        }
    }
}
