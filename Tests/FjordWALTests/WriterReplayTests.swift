import FjordModel
import Testing
@testable import FjordWAL

@Suite("WAL writer and replay")
struct WriterReplayTests {
    @Test("many records round-trip across segment rotations", arguments: [
        WALFsyncPolicy.always, .interval(milliseconds: 5), .never,
    ])
    func roundTripAcrossRotations(policy: WALFsyncPolicy) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let records = (0..<300).map { seed -> WALRecord in
            seed % 10 == 9 ? Samples.flush([(UInt64(seed), UInt64(seed))]) : Samples.entries(seed: seed, entries: 1 + seed % 7, lineSize: 30 + seed % 300)
        }
        let options = WALOptions(segmentSize: 8 << 10, fsync: policy, preallocate: true)
        let tickets = try await writeAll(records, to: dir.path, options: options)
        #expect(tickets.map(\.sequence) == Array(1...300))
        let segments = try dir.segmentNumbers()
        #expect(segments.count > 5)
        #expect(Set(tickets.map(\.segment)) == Set(segments))
        for number in segments.dropLast() {
            #expect(try dir.size(number) <= 8 << 10, "closed segments are trimmed to their content")
        }
        let (replayed, report) = try replayAll(dir.path)
        #expect(report.problems == [])
        #expect(replayed.map(\.image) == records.map(RecordImage.init))
        #expect(replayed.map(\.position.segment) == tickets.map(\.segment))
        #expect(report.segments == segments.count)
        #expect(report.records == 300)
    }

    @Test("a record larger than the segment size gets a segment of its own")
    func oversizedRecord() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let big = Samples.entries(seed: 1, streams: 1, entries: 50, lineSize: 500)
        let records = [Samples.entries(seed: 0), big, Samples.entries(seed: 2)]
        let tickets = try await writeAll(records, to: dir.path, options: WALOptions(segmentSize: 1_024, compressionThreshold: 1 << 30))
        #expect(tickets.map(\.segment) == [0, 1, 2])
        #expect(try replayAll(dir.path).records.map(\.image) == records.map(RecordImage.init))
    }

    @Test("reopening continues in a new segment after the replayed ones")
    func reopenAndContinue() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let first = (0..<20).map { Samples.entries(seed: $0) }
        let second = (20..<40).map { Samples.entries(seed: $0) }
        let options = WALOptions(segmentSize: 2_048)
        try await writeAll(first, to: dir.path, options: options)
        let segmentsBefore = try dir.segmentNumbers()
        #expect(try replayAll(dir.path).records.map(\.image) == first.map(RecordImage.init))

        let writer = try WALWriter(directory: dir.path, options: options)
        #expect(writer.currentSegment == segmentsBefore.last! + 1)
        for record in second { try await writer.appendDurably(record) }
        try await writer.close()
        let (replayed, report) = try replayAll(dir.path)
        #expect(report.problems == [])
        #expect(replayed.map(\.image) == (first + second).map(RecordImage.init))
    }

    @Test("a crash image of a live preallocated writer replays every acknowledged record")
    func crashImage() async throws {
        try await withTwoDirectories { dir, crash in
            let records = (0..<50).map { Samples.entries(seed: $0) }
            let writer = try WALWriter(directory: dir.path, options: WALOptions(segmentSize: 1 << 20, preallocate: true))
            for record in records { try await writer.appendDurably(record) }
            // Copy the files while the writer is open, as a power cut would leave them: the tail is preallocated zeros.
            let image = try dir.read(0)
            #expect(image.count == 1 << 20)
            try crash.write(0, image)
            try await writer.close()

            let (replayed, report) = try replayAll(crash.path)
            #expect(replayed.map(\.image) == records.map(RecordImage.init))
            #expect(report.problems.count == 1)
            #expect(report.problems.first?.reason == .zeroFilled)
            #expect(report.problems.first?.isTornTail == true)
            let trimmed = try dir.size(0)
            #expect(try crash.size(0) == trimmed, "the zero tail is cut at the last record")
            #expect(try replayAll(crash.path).report.problems == [], "a repaired log replays cleanly")
        }
    }

    @Test("durable of the latest ticket covers all earlier ones")
    func durabilityIsAWatermark() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path, options: WALOptions(segmentSize: 2_048, preallocate: false))
        let tickets = try (0..<30).map { try writer.append(Samples.entries(seed: $0)) }
        try await writer.durable(tickets.last!)
        let stats = writer.stats
        #expect(stats.bufferedBytes == 0)
        #expect(stats.fsyncs >= 1)
        // Every record (not only the last) is in the files before close().
        let segments = try dir.segmentNumbers()
        let onDisk = try segments.reduce(0) { $0 + (try dir.size($1)) }
        #expect(segments.count > 2)
        #expect(onDisk == Int(stats.writtenBytes) + segments.count * WALSegmentFile.headerSize)
        for ticket in tickets { try await writer.durable(ticket) }
        try await writer.close()
    }

    @Test("appends after close fail; durable of earlier tickets still succeeds")
    func closedWriter() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path)
        let ticket = try writer.append(Samples.entries(seed: 1))
        try await writer.close()
        try await writer.durable(ticket)
        #expect(throws: WALError.closed) { try writer.append(Samples.entries(seed: 2)) }
        try await writer.close()
    }

    @Test("one writer per directory; replay refuses a directory in use")
    func directoryLock() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path)
        #expect(throws: WALError.self) { try WALWriter(directory: dir.path) }
        #expect(throws: WALError.self) { try WALReader(directory: dir.path).replay { _, _ in } }
        try await writer.close()
        let second = try WALWriter(directory: dir.path)
        try await second.close()
    }

    @Test("sync and flush work under every policy", arguments: [WALFsyncPolicy.always, .interval(milliseconds: 60_000), .never])
    func syncAndFlush(policy: WALFsyncPolicy) async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path, options: WALOptions(fsync: policy))
        try writer.append(Samples.entries(seed: 1))
        try await writer.flush()
        try writer.append(Samples.entries(seed: 2))
        try await writer.sync()
        let stats = writer.stats
        #expect(stats.appendedRecords == 2)
        #expect(stats.fsyncs >= 1)
        #expect(stats.bufferedBytes == 0)
        try await writer.close()
        #expect(try replayAll(dir.path).records.count == 2)
    }

    @Test("an empty or missing directory replays nothing")
    func emptyLog() throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        #expect(try replayAll(dir.path + "/missing").report == ReplayReport())
        let (records, report) = try replayAll(dir.path)
        #expect(records.isEmpty)
        #expect(report.segments == 0)
    }
}

@Suite("WAL segment removal")
struct SegmentRemovalTests {
    @Test("removeSegments deletes older segments, never the open one, and updates the stats")
    func removal() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path, options: WALOptions(segmentSize: 2_048, preallocate: false))
        var tickets: [WALTicket] = []
        for seed in 0..<60 { tickets.append(try await writer.appendDurably(Samples.entries(seed: seed))) }
        let before = writer.stats
        let onDisk = try dir.segmentNumbers()
        let onDiskBytes = try onDisk.reduce(0) { $0 + (try dir.size($1)) }
        #expect(before.segmentCount == onDisk.count)
        #expect(before.currentSegment == tickets.last!.segment)
        #expect(before.diskBytes == onDiskBytes)

        let keepFrom = tickets[30].segment
        let removed = try writer.removeSegments(before: keepFrom)
        #expect(removed.files == keepFrom)
        #expect(try dir.segmentNumbers().first == keepFrom)
        let after = writer.stats
        #expect(after.oldestSegment == keepFrom)
        #expect(after.diskBytes == before.diskBytes - removed.bytes)

        // Asking for more than is closed removes up to, not including, the open segment.
        try writer.removeSegments(before: 1_000_000)
        #expect(try dir.segmentNumbers() == [writer.currentSegment])
        let open = writer.currentSegment
        try await writer.appendDurably(Samples.entries(seed: 99))
        try await writer.close()
        let (replayed, report) = try replayAll(dir.path)
        #expect(report.problems == [])
        let kept = (0..<60).filter { tickets[$0].segment == open }.map { Samples.entries(seed: $0) } + [Samples.entries(seed: 99)]
        #expect(replayed.map(\.image) == kept.map(RecordImage.init))
    }

    @Test("segment numbers keep growing after everything old was removed")
    func numberingSurvivesRemoval() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        try await writeAll([Samples.entries(seed: 0)], to: dir.path)
        try await writeAll([Samples.entries(seed: 1)], to: dir.path)
        let writer = try WALWriter(directory: dir.path)
        #expect(writer.currentSegment == 2)
        try writer.removeSegments(before: 2)
        try await writer.close()
        let next = try WALWriter(directory: dir.path)
        #expect(next.currentSegment == 3)
        try await next.close()
    }
}
