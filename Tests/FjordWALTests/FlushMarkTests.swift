import FjordModel
import Testing
@testable import FjordWAL

@Suite("WAL flush marks")
struct FlushMarkTests {
    private let app = Samples.stream(app: "a", count: 1).fingerprint

    private func entries(_ appName: String, from counter: UInt64, count: Int, tenant: String = "tenant-a") -> WALRecord {
        .entries(WALEntriesRecord(tenant: tenant, streams: [Samples.stream(app: appName, counterBefore: counter, count: count)]))
    }

    @Test("the flush index only counts marks logged after an entry")
    func indexRule() {
        var index = WALFlushIndex()
        let p = { (segment: Int, offset: Int) in WALPosition(segment: segment, offset: offset) }
        index.add(WALFlushRecord(tenant: "t", marks: [WALFlushMark(fingerprint: 1, flushedThrough: 10)]), at: p(0, 100))
        index.add(WALFlushRecord(tenant: "t", marks: [WALFlushMark(fingerprint: 1, flushedThrough: 30)]), at: p(1, 50))
        index.add(WALFlushRecord(tenant: "t", marks: [WALFlushMark(fingerprint: 1, flushedThrough: 5)]), at: p(2, 16))
        index.finish()
        #expect(index.flushedThrough(tenant: "t", fingerprint: 1, loggedAt: p(0, 16)) == 30)
        #expect(index.flushedThrough(tenant: "t", fingerprint: 1, loggedAt: p(1, 16)) == 30)
        #expect(index.flushedThrough(tenant: "t", fingerprint: 1, loggedAt: p(1, 50)) == 5)
        #expect(index.flushedThrough(tenant: "t", fingerprint: 1, loggedAt: p(1, 60)) == 5)
        #expect(index.flushedThrough(tenant: "t", fingerprint: 1, loggedAt: p(2, 17)) == 0)
        #expect(index.flushedThrough(tenant: "u", fingerprint: 1, loggedAt: p(0, 0)) == 0, "tenants are separate")
        #expect(index.flushedThrough(tenant: "t", fingerprint: 2, loggedAt: p(0, 0)) == 0)
        #expect(index.streamCount == 1)
    }

    @Test("replay drops flushed entries, trims partly flushed streams and keeps other tenants and streams")
    func replaySkipsFlushed() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let log: [WALRecord] = [
            entries("a", from: 0, count: 10),                                   // 0: fully flushed
            entries("a", from: 10, count: 10),                                  // 1: 10..14 flushed, 15..19 kept
            entries("a", from: 0, count: 3, tenant: "tenant-b"),               // 2: other tenant, same labels
            .entries(WALEntriesRecord(tenant: "tenant-a", streams: [          // 3: stream a partly flushed, b kept
                Samples.stream(app: "a", counterBefore: 20, count: 4),
                Samples.stream(app: "b", counterBefore: 0, count: 2),
            ])),
            Samples.flush([(app, 15)]),                                         // 4
            entries("a", from: 24, count: 2),                                   // 5: after the mark: kept
        ]
        try await writeAll(log, to: dir.path, options: WALOptions(segmentSize: 1_024, preallocate: false))
        let (replayed, report) = try replayAll(dir.path, skippingFlushed: true)
        #expect(report.problems == [])
        let images = replayed.map(\.image)
        #expect(images.count == 5, "record 0 is dropped entirely")
        #expect(images[0].streams.map(\.counterBefore) == [15])
        #expect(images[0].streams[0].timestamps == RecordImage(log[1]).streams[0].timestamps.suffix(5).map { $0 })
        #expect(images[0].streams[0].lines == Array(RecordImage(log[1]).streams[0].lines.suffix(5)))
        #expect(images[1] == RecordImage(log[2]))
        #expect(images[2] == RecordImage(log[3]), "counters 20... are above the mark")
        #expect(images[3] == RecordImage(log[4]), "flush records are delivered")
        #expect(images[4] == RecordImage(log[5]))
        #expect(report.skippedFlushedEntries == 15)
        #expect(report.entries == 5 + 3 + 4 + 2 + 2)

        let raw = try replayAll(dir.path, skippingFlushed: false)
        #expect(raw.records.map(\.image) == log.map(RecordImage.init))
    }

    @Test("a stream recreated with its counter restarting at 0 is not hidden by marks of its earlier life")
    func counterReset() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let log: [WALRecord] = [
            entries("a", from: 0, count: 50),
            Samples.flush([(app, 50)]),          // flushed and dropped from memory
            entries("a", from: 0, count: 5),     // the stream comes back, counting from 0
        ]
        try await writeAll(log, to: dir.path)
        let (replayed, report) = try replayAll(dir.path, skippingFlushed: true)
        #expect(replayed.map(\.image) == [RecordImage(log[1]), RecordImage(log[2])])
        #expect(report.skippedFlushedEntries == 50)
    }

    @Test("a flush mark covers entries logged in earlier segments")
    func marksAcrossSegments() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path, options: WALOptions(segmentSize: 1_024, preallocate: false))
        var counter: UInt64 = 0
        for _ in 0..<20 {
            try await writer.appendDurably(entries("a", from: counter, count: 3))
            counter += 3
        }
        let flushTicket = try await writer.appendDurably(Samples.flush([(app, 45)]))
        try await writer.appendDurably(entries("b", from: 0, count: 1))
        try await writer.close()
        let (replayed, _) = try replayAll(dir.path, skippingFlushed: true)
        let kept = replayed.flatMap(\.image.streams).filter { $0.labels.contains("app=\"a\"") }
        #expect(kept.map(\.counterBefore) == [45, 48, 51, 54, 57])
        #expect(flushTicket.segment > 0)
    }
}
