/// A growable byte buffer addressed by offsets, reused line after line.
///
/// Per-line label names and values, rewritten lines and template output are appended here and referred to by
/// `(start, count)` offsets, which stay valid when the buffer grows; pointers obtained from ``bytes(_:_:)`` are only
/// valid until the next append. `reset()` keeps the capacity, so steady-state processing allocates nothing.
final class ByteArena {
    @exclusivity(unchecked) private(set) var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// Forgets the content, keeping the memory.
    @inline(__always)
    func reset() { count = 0 }

    /// Truncates to `newCount` bytes (used to undo a speculative append).
    @inline(__always)
    func truncate(to newCount: Int) {
        precondition(newCount <= count, "ByteArena.truncate(\(newCount)) beyond count \(count)")
        count = newCount
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends `bytes` and returns their start offset.
    @inline(__always) @discardableResult
    func append(_ bytes: UnsafeRawBufferPointer) -> Int {
        let start = count
        let length = bytes.count
        if length == 0 { return start }
        reserve(length)
        (base + count).copyMemory(from: bytes.baseAddress!, byteCount: length)
        count += length
        return start
    }

    /// Appends one byte.
    @inline(__always)
    func append(byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// Appends the UTF-8 of `text` and returns its start offset.
    @discardableResult
    func append(_ text: String) -> Int {
        Bytes.withUTF8(text) { append($0) }
    }

    /// Appends `length` bytes from an earlier part of this arena (safe across growth).
    @discardableResult
    func appendCopy(start: Int, length: Int) -> Int {
        let newStart = count
        if length == 0 { return newStart }
        reserve(length)
        (base + count).copyMemory(from: base + start, byteCount: length)
        count += length
        return newStart
    }

    /// The bytes at `start..<start+length`; valid until the next append.
    @inline(__always)
    func bytes(_ start: Int, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: length)
    }

    /// All bytes written since `start`.
    @inline(__always)
    func bytes(from start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: count - start)
    }

    /// Appends `bytes` with every ASCII byte outside `[A-Za-z0-9_]` replaced by `_`, eight bytes at a time.
    /// Returns false, appending nothing, when `bytes` holds a non-ASCII byte.
    func appendSanitizedASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = bytes.count
        guard length > 0, let source = bytes.baseAddress else { return true }
        reserve(length)
        let destination = base + count
        var index = 0
        while index + 8 <= length {
            let word = source.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return false }
            if Bytes.labelNameBytes(word) == 0x8080_8080_8080_8080 {
                destination.storeBytes(of: word, toByteOffset: index, as: UInt64.self)
            } else {
                for offset in index..<(index + 8) {
                    let byte = source.load(fromByteOffset: offset, as: UInt8.self)
                    destination.storeBytes(of: Bytes.isLabelNameByte(byte) ? byte : 0x5f, toByteOffset: offset,
                                           as: UInt8.self)
                }
            }
            index += 8
        }
        while index < length {
            let byte = source.load(fromByteOffset: index, as: UInt8.self)
            if byte >= 0x80 { return false }
            destination.storeBytes(of: Bytes.isLabelNameByte(byte) ? byte : 0x5f, toByteOffset: index, as: UInt8.self)
            index += 1
        }
        count += length
        return true
    }

    /// Writable access to a byte already appended.
    @inline(__always)
    func store(_ byte: UInt8, at offset: Int) {
        base.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
    }
}

/// An immutable byte string with a stable address, for names and literals fixed at compile time (label names in
/// filters, needles of line filters). Comparing a per-line byte range against it needs no closure or copy.
final class ByteString: @unchecked Sendable, Hashable, CustomStringConvertible {
    let pointer: UnsafeMutableRawPointer
    let count: Int
    /// FNV-1a of the bytes (see ``Bytes/hash(_:)``).
    let hash: UInt64
    let string: String

    init(_ text: String) {
        string = text
        let utf8 = Array(text.utf8)
        let length = utf8.count
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(length, 1), alignment: 1)
        utf8.withUnsafeBytes { if length > 0 { storage.copyMemory(from: $0.baseAddress!, byteCount: length) } }
        count = length
        pointer = storage
        hash = Bytes.hash(UnsafeRawBufferPointer(start: storage, count: length))
    }

    convenience init(bytes: UnsafeRawBufferPointer) {
        self.init(Bytes.string(bytes))
    }

    deinit { pointer.deallocate() }

    @inline(__always)
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }

    var description: String { string }

    static func == (lhs: ByteString, rhs: ByteString) -> Bool { lhs.string == rhs.string }
    func hash(into hasher: inout Hasher) { hasher.combine(string) }
}
