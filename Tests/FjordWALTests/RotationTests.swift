import FjordModel
@testable import FjordWAL
import Testing

/// `rotate()` and `releaseUnusedSpace()`: after a full flush the ingester starts a new segment, deletes the old ones
/// and gives back the preallocated tail, so an idle WAL holds only what it must.
@Suite struct RotationTests {
    @Test func rotateStartsANewSegmentAndOldOnesCanBeRemoved() async throws {
        let directory = TempDirectory()
        defer { directory.remove() }
        let wal = try WALWriter(directory: directory.path)
        try await wal.appendDurably(Samples.entries(seed: 1))
        #expect(wal.currentSegment == 0)
        let next = try await wal.rotate()
        #expect(next == 1)
        #expect(wal.currentSegment == 1)
        // Rotating an empty segment is a no-op.
        #expect(try await wal.rotate() == 1)
        let removed = try wal.removeSegments(before: next)
        #expect(removed.files == 1)
        try await wal.appendDurably(Samples.entries(seed: 2))
        wal.releaseUnusedSpace()
        try await wal.sync()
        try await wal.close()
        #expect(try directory.segmentNumbers() == [1])
        let (records, report) = try replayAll(directory.path)
        #expect(records.count == 1)
        #expect(report.problems.isEmpty)
    }

    @Test func releasingUnusedSpaceShrinksThePreallocatedSegment() async throws {
        let directory = TempDirectory()
        defer { directory.remove() }
        let wal = try WALWriter(directory: directory.path, options: WALOptions(segmentSize: 8 << 20, preallocate: true))
        try await wal.appendDurably(Samples.entries(seed: 1))
        #expect(try directory.size(0) == 8 << 20)
        wal.releaseUnusedSpace()
        for _ in 0..<200 where try directory.size(0) == 8 << 20 { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(try directory.size(0) < 64 * 1024)
        // Appends keep working after the trim and replay sees everything.
        try await wal.appendDurably(Samples.entries(seed: 2))
        try await wal.close()
        #expect(try replayAll(directory.path).records.count == 2)
    }
}
