#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FjordModel

/// Reads a WAL directory in log order after a restart, repairs a torn tail and reports damage.
///
/// Run it before opening the ``WALWriter`` on the same directory (both take the directory lock).
/// Damage handling (see docs/wal-format.md):
/// - In the newest segment, the first bad frame (cut-short record, zero-filled space, checksum mismatch, impossible
///   header) ends the log: the file is truncated there, everything before it is kept.
/// - In an older segment, everything before the bad frame is kept, the rest of that segment is skipped (and left on
///   disk), and replay continues with the next segment. Frames carry no resynchronisation marker, so nothing after a
///   bad length can be trusted.
/// - A frame whose checksum is right but whose payload does not decode is skipped alone.
public struct WALReader: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Calls `body` with every record in log order and returns what was found.
    ///
    /// - Parameters:
    ///   - skippingFlushed: read the log twice: first collect flush marks (``WALFlushIndex``), then deliver records
    ///     with the entries that a later flush mark covers removed (streams left empty are dropped, and entries
    ///     records left empty are not delivered). Flush records are always delivered.
    ///   - repair: truncate the newest segment at its first bad frame. With `false` nothing on disk changes.
    public func replay(
        skippingFlushed: Bool = true,
        repair: Bool = true,
        _ body: (WALRecord, WALPosition) throws -> Void
    ) throws -> ReplayReport {
        var report = ReplayReport()
        guard directoryExists else { return report }
        let lock = try WALDirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let segments = try WALSegmentFile.list(in: directory).map(\.number)
        report.segments = segments.count
        report.lastSegment = segments.last
        guard skippingFlushed else {
            var tally = ScanTally()
            try scan(segments, decoding: [.entries, .flush], reportFrames: true, repair: repair, tally: &tally) {
                record, position in
                report.records += 1
                if case .entries(let entries) = record { report.entries += entries.streams.reduce(0) { $0 + $1.entries.count } }
                try body(record, position)
            }
            report.bytes = tally.bytes
            report.problems = tally.problems
            return report
        }
        var index = WALFlushIndex()
        var tally = ScanTally()
        try scan(segments, decoding: [.flush], reportFrames: true, repair: repair, tally: &tally) { record, position in
            if case .flush(let marks) = record { index.add(marks, at: position) }
        }
        index.finish()
        // The second pass sees the same frames (and the repaired tail); only entries payload damage is new.
        let framesAndFlushes = tally.problems
        tally = ScanTally()
        try scan(segments, decoding: [.entries, .flush], reportFrames: false, repair: false, tally: &tally) {
            record, position in
            guard case .entries(var entries) = record else {
                report.records += 1
                try body(record, position)
                return
            }
            var kept: [WALStream] = []
            kept.reserveCapacity(entries.streams.count)
            for stream in entries.streams {
                let through = index.flushedThrough(tenant: entries.tenant, fingerprint: stream.fingerprint, loggedAt: position)
                let skip = through > stream.counterBefore ? Int(min(through - stream.counterBefore, UInt64(stream.entries.count))) : 0
                report.skippedFlushedEntries += skip
                report.entries += stream.entries.count - skip
                if skip == 0 {
                    kept.append(stream)
                } else if skip < stream.entries.count {
                    kept.append(stream.dropping(first: skip))
                }
            }
            guard !kept.isEmpty else { return }
            entries.streams = kept
            report.records += 1
            try body(.entries(entries), position)
        }
        report.bytes = tally.bytes
        report.problems = (framesAndFlushes + tally.problems.filter { $0.recordType == .entries })
            .sorted { ($0.segment, $0.offset) < ($1.segment, $1.offset) }
        return report
    }

    private var directoryExists: Bool {
        var info = stat()
        return stat(directory, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// One pass over `segments`: checks every frame, decodes those of the `decoding` types and hands them to `visit`.
    /// Frame damage is reported (and, in the newest segment, repaired) only when `reportFrames` is set; payload
    /// damage is reported for the decoded types.
    private func scan(
        _ segments: [Int],
        decoding: Set<WALRecordType>,
        reportFrames: Bool,
        repair: Bool,
        tally: inout ScanTally,
        _ visit: (WALRecord, WALPosition) throws -> Void
    ) throws {
        for segment in segments {
            let path = WALSegmentFile.path(segment, in: directory)
            let bytes = try PosixFile.readAll(path)
            tally.bytes += bytes.count
            if bytes.isEmpty { continue }
            let isNewest = segment == segments.last
            // Where the segment's good part ends and why, if it ends early.
            var damage: (offset: Int, reason: ReplayProblem.Reason)?
            try bytes.withUnsafeBytes { buffer in
                if let problem = WALSegmentFile.headerProblem(buffer, expected: segment) {
                    damage = (0, .badSegmentHeader(problem))
                    return
                }
                var offset = WALSegmentFile.headerSize
                scanning: while true {
                    switch WALFrame.scan(buffer, at: offset) {
                    case .end:
                        break scanning
                    case .bad(let reason):
                        damage = (offset, reason)
                        break scanning
                    case .frame(let frame):
                        if decoding.contains(frame.type) {
                            let position = WALPosition(segment: segment, offset: offset)
                            do {
                                let record = try WALFrame.decode(frame, in: buffer)
                                try visit(record, position)
                            } catch let error as WALDecodeError {
                                tally.problems.append(ReplayProblem(
                                    segment: segment, offset: offset, reason: .undecodablePayload(error.description),
                                    action: .skippedRecord, recordType: frame.type
                                ))
                            }
                        }
                        offset = frame.next
                    }
                }
            }
            guard let damage, reportFrames else { continue }
            let rest = bytes.count - damage.offset
            let action: ReplayProblem.Action
            if !repair {
                action = .reportedOnly(bytes: rest)
            } else if isNewest {
                try PosixFile.truncate(path: path, to: damage.offset)
                action = .truncatedSegment(droppedBytes: rest)
            } else {
                action = .skippedRestOfSegment(bytes: rest)
            }
            tally.problems.append(ReplayProblem(segment: segment, offset: damage.offset, reason: damage.reason, action: action))
        }
    }
}

/// Bytes read and problems found by one scan.
private struct ScanTally {
    var bytes = 0
    var problems: [ReplayProblem] = []
}

extension WALStream {
    /// The same stream without its first `count` entries (counter adjusted).
    func dropping(first count: Int) -> WALStream {
        var rest = EntryBatch(capacity: entries.count - count)
        for index in count..<entries.count { rest.append(from: entries, at: index) }
        var copy = self
        copy.counterBefore += UInt64(count)
        copy.entries = rest
        return copy
    }
}
