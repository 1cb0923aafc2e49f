import Testing
import FjordWAL

@Suite("WAL segment pins")
struct SegmentPinsTests {
    @Test("the oldest unflushed entry of any stream decides which segments can go")
    func pins() {
        var pins = WALSegmentPins()
        #expect(pins.removableBefore(currentSegment: 7) == 7)
        pins.appended(tenant: "t", fingerprint: 1, counterAfter: 10, segment: 2)
        pins.appended(tenant: "t", fingerprint: 1, counterAfter: 20, segment: 2)
        pins.appended(tenant: "t", fingerprint: 1, counterAfter: 30, segment: 4)
        pins.appended(tenant: "t", fingerprint: 2, counterAfter: 5, segment: 3)
        pins.appended(tenant: "u", fingerprint: 1, counterAfter: 5, segment: 5)
        #expect(pins.removableBefore(currentSegment: 7) == 2)

        pins.flushed(tenant: "t", fingerprint: 1, through: 19)
        #expect(pins.removableBefore(currentSegment: 7) == 2, "entry 19 in segment 2 is not flushed yet")
        pins.flushed(tenant: "t", fingerprint: 1, through: 20)
        #expect(pins.removableBefore(currentSegment: 7) == 3)
        pins.forget(tenant: "t", fingerprint: 2)
        #expect(pins.removableBefore(currentSegment: 7) == 4)
        pins.flushed(tenant: "t", fingerprint: 1, through: 30)
        #expect(pins.removableBefore(currentSegment: 7) == 5, "tenant u's stream with the same fingerprint still pins")
        #expect(pins.pinningStreams == 1)
        pins.flushed(tenant: "u", fingerprint: 1, through: 100)
        #expect(pins.removableBefore(currentSegment: 7) == 7)
        #expect(pins.pinningStreams == 0)
    }

    @Test("with a real writer: removing up to the pin boundary keeps every unflushed entry replayable")
    func withWriter() async throws {
        let dir = TempDirectory()
        defer { dir.remove() }
        let writer = try WALWriter(directory: dir.path, options: WALOptions(segmentSize: 1_024, preallocate: false))
        var pins = WALSegmentPins()
        var counters: [String: UInt64] = ["a": 0, "b": 0]
        for round in 0..<40 {
            let app = round % 4 == 0 ? "b" : "a"
            let stream = Samples.stream(app: app, counterBefore: counters[app]!, count: 3)
            let ticket = try await writer.appendDurably(.entries(WALEntriesRecord(tenant: "t", streams: [stream])))
            counters[app] = stream.counterAfter
            pins.appended(tenant: "t", fingerprint: stream.fingerprint, counterAfter: stream.counterAfter, segment: ticket.segment)
        }
        // Stream a is flushed completely; b is not.
        let a = Samples.stream(app: "a", count: 1).fingerprint
        try await writer.appendDurably(.flush(WALFlushRecord(tenant: "t", marks: [WALFlushMark(fingerprint: a, flushedThrough: counters["a"]!)])))
        pins.flushed(tenant: "t", fingerprint: a, through: counters["a"]!)
        let boundary = pins.removableBefore(currentSegment: writer.currentSegment)
        #expect(boundary == 0, "b's first entries are in segment 0")

        // Flush b's first 15 entries too: segments holding only older b entries and flushed a entries can go.
        let b = Samples.stream(app: "b", count: 1).fingerprint
        try await writer.appendDurably(.flush(WALFlushRecord(tenant: "t", marks: [WALFlushMark(fingerprint: b, flushedThrough: 15)])))
        pins.flushed(tenant: "t", fingerprint: b, through: 15)
        let later = pins.removableBefore(currentSegment: writer.currentSegment)
        #expect(later > 0)
        try writer.removeSegments(before: later)
        try await writer.close()

        let (replayed, _) = try replayAll(dir.path, skippingFlushed: true)
        let bCounters = replayed.flatMap(\.image.streams).filter { $0.fingerprint == b }.map(\.counterBefore)
        #expect(bCounters == Array(stride(from: 15, to: Int(counters["b"]!), by: 3)).map(UInt64.init))
        #expect(replayed.flatMap(\.image.streams).allSatisfy { $0.fingerprint == b }, "all of a is flushed")
    }
}
