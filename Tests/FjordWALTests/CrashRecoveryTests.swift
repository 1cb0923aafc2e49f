import FjordModel
import Testing
@testable import FjordWAL

/// Damaged logs: torn writes at every byte, bit flips, zero-filled tails, bad headers, undecodable payloads.
@Suite("WAL crash recovery")
struct CrashRecoveryTests {
    /// A closed, unpreallocated single-segment log of `count` records; returns the records and frame offsets.
    private func makeLog(_ dir: TempDirectory, count: Int, lineSize: Int = 60) async throws -> (records: [WALRecord], offsets: [Int], bytes: [UInt8]) {
        let records = (0..<count).map { Samples.entries(seed: $0, lineSize: lineSize) }
        try await writeAll(records, to: dir.path)
        let offsets = try replayAll(dir.path).records.map(\.position.offset)
        #expect(offsets.count == count)
        return (records, offsets, try dir.read(0))
    }

    @Test("a crash at every byte boundary of the last record keeps exactly the complete records")
    func tornLastRecord() async throws {
        try await withTwoDirectories { source, scratch in
            let (records, offsets, bytes) = try await makeLog(source, count: 6, lineSize: 200)
            let lastStart = offsets.last!
            #expect(bytes.count - lastStart > 100, "the last record spans many bytes (compressed)")
            let before = records.dropLast().map(RecordImage.init)
            for length in lastStart...bytes.count {
                try scratch.write(0, Array(bytes[..<length]))
                let (replayed, report) = try replayAll(scratch.path)
                if length == bytes.count {
                    #expect(replayed.map(\.image) == records.map(RecordImage.init))
                    #expect(report.problems == [])
                    continue
                }
                #expect(replayed.map(\.image) == before, "cut at \(length)")
                #expect(try scratch.size(0) == lastStart, "cut at \(length): truncated to the last good record")
                if length == lastStart {
                    #expect(report.problems == [])
                } else {
                    #expect(report.problems.count == 1)
                    #expect(report.problems.first?.offset == lastStart)
                    #expect(report.problems.first?.reason == .truncatedRecord, "cut at \(length)")
                    #expect(report.problems.first?.action == .truncatedSegment(droppedBytes: length - lastStart))
                    #expect(report.problems.first?.isTornTail == true)
                }
            }
        }
    }

    @Test("a torn last record followed by preallocated zeros keeps the complete records")
    func tornIntoZeros() async throws {
        try await withTwoDirectories { source, scratch in
            let (records, offsets, bytes) = try await makeLog(source, count: 4)
            let lastStart = offsets.last!
            for length in stride(from: lastStart, through: bytes.count, by: 3) {
                try scratch.write(0, Array(bytes[..<length]) + [UInt8](repeating: 0, count: 4_096))
                let (replayed, report) = try replayAll(scratch.path)
                let complete = length == bytes.count ? records.count : records.count - 1
                #expect(replayed.map(\.image) == records.prefix(complete).map(RecordImage.init), "cut at \(length)")
                #expect(try scratch.size(0) == (length == bytes.count ? bytes.count : lastStart))
                #expect(report.problems.count == 1)
            }
        }
    }

    @Test("a bit flip anywhere in the last record drops only that record", arguments: [0, 1, 2, 3, 4, 5, 6, 7])
    func bitFlipInTail(bit: Int) async throws {
        try await withTwoDirectories { source, scratch in
            let (records, offsets, bytes) = try await makeLog(source, count: 5)
            let lastStart = offsets.last!
            for position in lastStart..<bytes.count {
                var damaged = bytes
                damaged[position] ^= UInt8(1 << bit)
                try scratch.write(0, damaged)
                let (replayed, report) = try replayAll(scratch.path)
                #expect(replayed.map(\.image) == records.dropLast().map(RecordImage.init), "flip at \(position)")
                #expect(report.problems.count == 1)
                #expect(report.problems.first?.offset == lastStart)
                #expect(try scratch.size(0) == lastStart)
            }
        }
    }

    @Test("a bit flip in the middle of the newest segment keeps what precedes it and truncates there")
    func bitFlipInMiddleOfNewestSegment() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let (records, offsets, bytes) = try await makeLog(dir, count: 10)
        var damaged = bytes
        damaged[offsets[4] + 12] ^= 0x40
        try dir.write(0, damaged)
        let (replayed, report) = try replayAll(dir.path)
        #expect(replayed.map(\.image) == records.prefix(4).map(RecordImage.init))
        #expect(report.problems == [ReplayProblem(
            segment: 0, offset: offsets[4], reason: .checksumMismatch,
            action: .truncatedSegment(droppedBytes: bytes.count - offsets[4])
        )])
        #expect(report.problems.first?.isTornTail == false)
        #expect(try dir.size(0) == offsets[4])
    }

    @Test("corruption in an older segment keeps what precedes it and goes on with the next segment")
    func corruptionInOlderSegment() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let records = (0..<40).map { Samples.entries(seed: $0) }
        let tickets = try await writeAll(records, to: dir.path, options: WALOptions(segmentSize: 2_048, preallocate: false))
        let positions = try replayAll(dir.path).records.map(\.position)
        let inFirst = tickets.filter { $0.segment == 0 }.count
        #expect(inFirst >= 3 && tickets.last!.segment >= 2)
        var first = try dir.read(0)
        let originalSize = first.count
        first[positions[1].offset + 20] ^= 0x01
        try dir.write(0, first)

        let (replayed, report) = try replayAll(dir.path)
        let expected = [records[0]] + records[inFirst...]
        #expect(replayed.map(\.image) == expected.map(RecordImage.init))
        #expect(report.problems == [ReplayProblem(
            segment: 0, offset: positions[1].offset, reason: .checksumMismatch,
            action: .skippedRestOfSegment(bytes: originalSize - positions[1].offset)
        )])
        #expect(try dir.size(0) == originalSize, "older segments are not modified")
        #expect(try replayAll(dir.path).report.problems.count == 1, "and are reported again until removed")
    }

    @Test("a zero-filled tail is reported and cut")
    func zeroFilledTail() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let (records, _, bytes) = try await makeLog(dir, count: 3)
        try dir.write(0, bytes + [UInt8](repeating: 0, count: 10_000))
        let (replayed, report) = try replayAll(dir.path)
        #expect(replayed.map(\.image) == records.map(RecordImage.init))
        #expect(report.problems == [ReplayProblem(
            segment: 0, offset: bytes.count, reason: .zeroFilled, action: .truncatedSegment(droppedBytes: 10_000)
        )])
        #expect(try dir.size(0) == bytes.count)
    }

    @Test("repair: false reports without touching the files")
    func reportOnly() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let (records, offsets, bytes) = try await makeLog(dir, count: 3)
        try dir.write(0, Array(bytes.dropLast(2)))
        let (replayed, report) = try replayAll(dir.path, repair: false)
        #expect(replayed.count == records.count - 1)
        #expect(report.problems.first?.action == .reportedOnly(bytes: bytes.count - 2 - offsets[2]))
        #expect(try dir.size(0) == bytes.count - 2)
    }

    @Test("a bad segment header skips an older segment and empties the newest")
    func badHeaders() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let records = (0..<30).map { Samples.entries(seed: $0) }
        let tickets = try await writeAll(records, to: dir.path, options: WALOptions(segmentSize: 2_048, preallocate: false))
        let last = tickets.last!.segment
        var first = try dir.read(0)
        first[0] = UInt8(ascii: "X")
        try dir.write(0, first)
        var newest = try dir.read(last)
        newest[8] = 99   // header names another segment
        try dir.write(last, newest)

        let (replayed, report) = try replayAll(dir.path)
        let expected = records.indices.filter { tickets[$0].segment != 0 && tickets[$0].segment != last }.map { records[$0] }
        #expect(replayed.map(\.image) == expected.map(RecordImage.init))
        #expect(report.problems.map(\.segment) == [0, last])
        #expect(report.problems.map(\.reason) == [.badSegmentHeader("bad magic"), .badSegmentHeader("header names segment 99")])
        #expect(try dir.size(last) == 0)
    }

    @Test("an intact frame with an undecodable payload is skipped alone", arguments: [false, true])
    func undecodablePayload(skippingFlushed: Bool) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let (records, offsets, bytes) = try await makeLog(dir, count: 3)
        // A frame with a valid checksum whose entries payload is garbage, spliced in before the last record.
        var bad = [UInt8](repeating: 0, count: WALFrame.headerSize) + [0x05, 0x41, 0x42]
        WALFrame.seal(&bad, type: .entries, codec: .none)
        try dir.write(0, Array(bytes[..<offsets[2]]) + bad + Array(bytes[offsets[2]...]))
        let (replayed, report) = try replayAll(dir.path, skippingFlushed: skippingFlushed)
        #expect(replayed.map(\.image) == records.map(RecordImage.init))
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.offset == offsets[2])
        #expect(report.problems.first?.action == .skippedRecord)
        #expect(report.problems.first?.recordType == .entries)
    }
}
