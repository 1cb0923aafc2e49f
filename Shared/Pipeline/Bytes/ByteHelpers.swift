import CFjordBytes
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// Small byte-level helpers shared by every stage: equality, substring search, hashing and ASCII classes.

enum Bytes {
    /// True if the two byte ranges hold the same bytes.
    @inline(__always)
    static func equal(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        let count = lhs.count
        guard count == rhs.count else { return false }
        if count == 0 { return true }
        let a = lhs.baseAddress!
        let b = rhs.baseAddress!
        if count >= 8 && count <= 16 {
            // Two overlapping 8-byte loads cover the whole range.
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count < 8 {
            for offset in 0..<count where a.load(fromByteOffset: offset, as: UInt8.self)
                != b.load(fromByteOffset: offset, as: UInt8.self) { return false }
            return true
        }
        return memcmp(a, b, count) == 0
    }

    /// True if `bytes` equals the UTF-8 of `text`.
    static func equal(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { equal(bytes, UnsafeRawBufferPointer($0)) }
    }

    /// Offset of the first occurrence of `needle` in `haystack`, or `nil`. An empty needle matches at 0.
    @inline(__always)
    static func find(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        if needle.count == 0 { return 0 }
        guard haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
        guard let hit = fjord_memmem(base, haystack.count, needle.baseAddress, needle.count) else { return nil }
        return base.distance(to: hit)
    }

    /// Offset of the first `byte` in `haystack`, or `nil`.
    @inline(__always)
    static func find(byte: UInt8, in haystack: UnsafeRawBufferPointer) -> Int? {
        guard let base = haystack.baseAddress, haystack.count > 0 else { return nil }
        guard let hit = memchr(base, Int32(byte), haystack.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// True if `haystack` contains `needle`.
    @inline(__always)
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        find(needle, in: haystack) != nil
    }

    /// FNV-1a over the bytes; used to index label names.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// Go's byte-wise string comparison: true if `lhs` sorts before `rhs`.
    @inline(__always)
    static func less(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        let common = min(lhs.count, rhs.count)
        if common > 0 {
            let order = memcmp(lhs.baseAddress!, rhs.baseAddress!, common)
            if order != 0 { return order < 0 }
        }
        return lhs.count < rhs.count
    }

    /// True for bytes allowed in a Prometheus label name after the first position: `[A-Za-z0-9_]`.
    @inline(__always)
    static func isLabelNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5f
    }

    /// For a word of eight ASCII bytes (each below 0x80): 0x80 in every byte that ``isLabelNameByte(_:)``
    /// accepts, 0 in the others. Exact per byte: with every byte below 0x80 the additions never carry over.
    @inline(__always)
    static func labelNameBytes(_ word: UInt64) -> UInt64 {
        @inline(__always)
        func inRange(_ x: UInt64, _ low: UInt64, _ high: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            return (x &+ ones &* (0x80 - low)) & ~(x &+ ones &* (0x7f - high)) & 0x8080_8080_8080_8080
        }
        let letters = inRange(word | 0x2020_2020_2020_2020, 0x61, 0x7a)
        return letters | inRange(word, 0x30, 0x39) | inRange(word, 0x5f, 0x5f)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        default: return nil
        }
    }

    /// Four hexadecimal digits at `at` (as in `\uXXXX`), or nil.
    static func hex4(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexValue(bytes[at + offset]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    /// True if every byte is ASCII.
    @inline(__always)
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else { return true }
        // Eight bytes at a time.
        while index + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base.load(fromByteOffset: index, as: UInt8.self) >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// Runs `body` with the UTF-8 bytes of `text` (no copy for native strings).
    @inline(__always)
    static func withUTF8<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var text = text
        return try text.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }

    /// A `String` from bytes (invalid UTF-8 is repaired with U+FFFD, as Swift always does).
    @inline(__always)
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
