/// Cuts the bytes read from a file into lines (without `\n` / `\r\n`), each with the file offset just after it. A
/// last line without its newline is held until the newline comes, or until it waited `timeout` (then it is sent as
/// it is). Pure: time comes in as `now`.
public struct LineSplitter: Sendable {
    private var buffer: [UInt8] = []
    /// File offset of `buffer[0]`.
    public private(set) var bufferOffset: Int64
    private var partialSince: Int64?

    public init(offset: Int64) { bufferOffset = offset }

    /// Offset after the last byte handed in.
    public var readOffset: Int64 { bufferOffset + Int64(buffer.count) }

    public var hasPartial: Bool { !buffer.isEmpty }

    /// Starts over at `offset` (truncation, a new file).
    public mutating func reset(offset: Int64) {
        buffer.removeAll(keepingCapacity: true)
        bufferOffset = offset
        partialSince = nil
    }

    /// Adds bytes read at ``readOffset``; returns the complete lines.
    public mutating func append(_ bytes: some Collection<UInt8>, now: Int64) -> [(line: [UInt8], endOffset: Int64)] {
        buffer.append(contentsOf: bytes)
        var lines: [(line: [UInt8], endOffset: Int64)] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: 0x0A) {
            var end = newline
            if end > start, buffer[end - 1] == 0x0D { end -= 1 }
            lines.append((Array(buffer[start..<end]), bufferOffset + Int64(newline + 1)))
            start = newline + 1
        }
        if start > 0 {
            buffer.removeFirst(start)
            bufferOffset += Int64(start)
            partialSince = nil
        }
        if !buffer.isEmpty, partialSince == nil { partialSince = now }
        return lines
    }

    /// The held partial line when it waited at least `timeout` (or at once with `force`).
    public mutating func takePartial(now: Int64, timeout: Int64, force: Bool) -> (line: [UInt8], endOffset: Int64)? {
        guard !buffer.isEmpty, let since = partialSince, force || now - since >= timeout else { return nil }
        let line = buffer
        bufferOffset += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
        partialSince = nil
        return (line, bufferOffset)
    }
}

/// What a file tailer observed: the file it has open and what is at its path now.
public struct TailObservation: Sendable, Hashable {
    /// Inode and size of the open file; nil when none is open.
    public var openInode: UInt64?
    public var openSize: Int64
    /// Offset read up to in the open file.
    public var offset: Int64
    /// Inode at the path now; nil when nothing is there.
    public var pathInode: UInt64?

    public init(openInode: UInt64?, openSize: Int64, offset: Int64, pathInode: UInt64?) {
        self.openInode = openInode
        self.openSize = openSize
        self.offset = offset
        self.pathInode = pathInode
    }
}

/// The file tailer's next step, decided from an observation: keep reading the open file to its end, then follow
/// rotation by rename (a new inode at the path) or copytruncate (the open file shrank).
public enum TailDecision: Sendable, Hashable {
    /// Unread bytes in the open file.
    case read
    /// The open file is shorter than the offset: it was truncated (copytruncate); read again from 0.
    case truncated
    /// The open file is drained and the path holds another file (or none was open): open the path.
    case openPath
    /// Nothing to do until the file grows.
    case wait
    /// The open file is drained and nothing is at the path any more.
    case removed

    public static func decide(_ observation: TailObservation) -> TailDecision {
        guard let open = observation.openInode else {
            return observation.pathInode == nil ? .removed : .openPath
        }
        if observation.openSize < observation.offset { return .truncated }
        if observation.openSize > observation.offset { return .read }
        guard let atPath = observation.pathInode else { return .removed }
        return atPath == open ? .wait : .openPath
    }
}
