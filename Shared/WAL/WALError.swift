/// A failure of the write-ahead log: I/O errors (with the path and `errno` text), a writer that was closed or that
/// failed earlier, or a full in-memory buffer. Once a write or fsync fails, the writer stays failed: the state of
/// the page cache after a failed fsync is unknown, so nothing more is acknowledged (restart and replay instead).
public struct WALError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, with the context needed to act on it.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "wal: \(message)" }

    /// The writer was closed; no more appends are accepted.
    public static let closed = WALError("writer is closed")
}

/// Bytes that are not a valid WAL record payload. Returned by ``WALRecord/decode(type:payload:)``; never a crash.
public struct WALDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// Byte offset inside the payload where decoding stopped.
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "wal record: \(message) at payload offset \(offset)" }
}
