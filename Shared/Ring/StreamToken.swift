import FjordModel

/// The ring key of a stream, computed exactly like Loki's `TokenFor` (`pkg/util/ring/ring.go`): 32-bit **FNV-1**
/// (Go's `hash/fnv.New32`, not FNV-1a) over the tenant ID bytes followed by the canonical label string bytes
/// (`{a="1", b="2"}`). Equal keys on Loki and Fjord mean the same stream-to-replica placement for the same ring.
public enum StreamToken {
    /// FNV-1 32-bit offset basis.
    public static let offsetBasis: UInt32 = 2_166_136_261
    /// FNV-1 32-bit prime.
    public static let prime: UInt32 = 16_777_619

    /// The token of a stream whose canonical label string is `labels`.
    @inlinable
    public static func token(tenant: String, labels: String) -> UInt32 {
        var hash = offsetBasis
        mix(tenant, into: &hash)
        mix(labels, into: &hash)
        return hash
    }

    @inlinable
    static func mix(_ text: String, into hash: inout UInt32) {
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes { hash = (hash &* prime) ^ UInt32(byte) }
        }
    }

    /// The token of a stream with `labels` (hashed in their canonical form).
    public static func token(tenant: String, labels: Labels) -> UInt32 {
        token(tenant: tenant, labels: labels.canonicalString)
    }

    /// The token over raw bytes: `tenant` then `labels` (already canonical).
    @inlinable
    public static func token(tenant: some Sequence<UInt8>, labels: some Sequence<UInt8>) -> UInt32 {
        var hash = offsetBasis
        for byte in tenant { hash = (hash &* prime) ^ UInt32(byte) }
        for byte in labels { hash = (hash &* prime) ^ UInt32(byte) }
        return hash
    }
}

extension Ring {
    /// The ring key of a stream (``StreamToken``): FNV-1 32 over tenant + canonical labels, as Loki.
    @inlinable
    public static func token(tenant: String, labels: String) -> UInt32 {
        StreamToken.token(tenant: tenant, labels: labels)
    }

    /// The ring key of a stream with `labels`.
    public static func token(tenant: String, labels: Labels) -> UInt32 {
        StreamToken.token(tenant: tenant, labels: labels)
    }
}
