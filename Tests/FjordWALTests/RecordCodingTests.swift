import FjordCompression
import FjordModel
import Testing
@testable import FjordWAL

@Suite("WAL record payloads")
struct RecordCodingTests {
    @Test("entries records round-trip: many streams, metadata, negative and unordered timestamps, empty lines")
    func entriesRoundTrip() throws {
        var odd = EntryBatch()
        odd.append(timestamp: -5, line: [UInt8]())
        odd.append(timestamp: Int64.max, line: Array("ünïcödé ✓".utf8), metadata: Labels(["k": "v"]))
        odd.append(timestamp: Int64.min, line: [0, 1, 2, 255])
        odd.append(timestamp: 0, line: Array(repeating: 0x41, count: 70_000))
        let streams = [
            Samples.stream(app: "a", counterBefore: 0, count: 5),
            Samples.stream(app: "b", counterBefore: UInt64.max - 10, count: 4, metadata: true),
            WALStream(labels: Labels(["quoted name": "x\"y\n", "a": ""]), counterBefore: 7, entries: odd),
            WALStream(labels: Labels(), counterBefore: 0, entries: EntryBatch()),
        ]
        let record = WALRecord.entries(WALEntriesRecord(tenant: "t|1", streams: streams))
        let decoded = try WALRecord.decode(type: .entries, payload: record.encodedPayload())
        #expect(RecordImage(decoded) == RecordImage(record))
        guard case .entries(let entries) = decoded else { Issue.record("wrong type"); return }
        #expect(entries.streams[2].entries.line(3).count == 70_000)
        #expect(entries.streams[1].counterAfter == UInt64.max - 6)
    }

    @Test("flush records round-trip")
    func flushRoundTrip() throws {
        let record = Samples.flush([(1, 0), (UInt64.max, UInt64.max), (42, 1_000_000)])
        let decoded = try WALRecord.decode(type: .flush, payload: record.encodedPayload())
        #expect(RecordImage(decoded) == RecordImage(record))
    }

    @Test("every strict prefix of a payload fails to decode with a typed error", arguments: [WALRecordType.entries, .flush])
    func prefixesFail(type: WALRecordType) {
        let record = type == .entries ? Samples.entries(seed: 1) : Samples.flush([(1, 2), (3, 4)])
        let payload = record.encodedPayload()
        for length in 0..<payload.count {
            #expect(throws: WALDecodeError.self) { try WALRecord.decode(type: type, payload: Array(payload[..<length])) }
        }
        #expect(throws: WALDecodeError.self) { try WALRecord.decode(type: type, payload: payload + [0]) }
    }

    @Test("random bytes and mutated payloads never crash the decoder")
    func garbage() {
        var random = SeededGenerator(seed: 7)
        let valid = Samples.entries(seed: 3, streams: 3, entries: 4).encodedPayload()
        for round in 0..<3_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            for type in [WALRecordType.entries, .flush] {
                _ = try? WALRecord.decode(type: type, payload: bytes)
            }
        }
    }

    @Test("a wrong fingerprint or unsorted labels are rejected")
    func inconsistentStreams() throws {
        var stream = Samples.stream(app: "a", count: 2)
        stream.fingerprint &+= 1
        let wrongFingerprint = WALRecord.entries(WALEntriesRecord(tenant: "t", streams: [stream])).encodedPayload()
        let error = #expect(throws: WALDecodeError.self) { try WALRecord.decode(type: .entries, payload: wrongFingerprint) }
        #expect(error?.message.contains("fingerprint") == true)

        // Hand-built stream whose labels are out of order: b before a.
        var sink = ByteSink()
        sink.string("t")
        sink.uvarint(1)
        sink.u64(0)
        sink.uvarint(0)
        sink.uvarint(2)
        for text in ["b", "1", "a", "2"] { sink.string(text) }
        sink.uvarint(0)
        sink.u8(0)
        let unsorted = #expect(throws: WALDecodeError.self) { try WALRecord.decode(type: .entries, payload: sink.bytes) }
        #expect(unsorted?.message.contains("not sorted") == true)
    }

    @Test("varints: boundaries round-trip, overlong input is an error")
    func varints() throws {
        let values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), UInt64.max]
        let signed: [Int64] = [0, -1, 1, Int64.min, Int64.max, -64, 64]
        var sink = ByteSink()
        for value in values { sink.uvarint(value) }
        for value in signed { sink.varint(value) }
        let decoded = try sink.bytes.withUnsafeBytes { raw throws -> ([UInt64], [Int64], Bool) in
            var source = ByteSource(raw)
            let unsigned = try values.map { _ in try source.uvarint() }
            let signed = try signed.map { _ in try source.varint() }
            return (unsigned, signed, source.isAtEnd)
        }
        #expect(decoded.0 == values)
        #expect(decoded.1 == signed)
        #expect(decoded.2)
        let overlong = [UInt8](repeating: 0xff, count: 10) + [0x01]
        overlong.withUnsafeBytes { raw in
            var source = ByteSource(raw)
            #expect(throws: WALDecodeError.self) { try source.uvarint() }
        }
    }
}

@Suite("WAL frames")
struct FrameTests {
    @Test("large compressible payloads are stored with zstd, small ones raw; both scan and decode")
    func codecChoice() throws {
        let options = WALOptions()
        let big = Samples.entries(seed: 1, streams: 4, entries: 200, lineSize: 120)
        let small = Samples.flush([(1, 2)])
        for (record, codec) in [(big, WALFrame.Codec.zstd), (small, .none)] {
            let (frame, payloadSize) = try WALFrame.encode(record, options: options)
            #expect(payloadSize == record.encodedPayload().count)
            if codec == .zstd { #expect(frame.count < payloadSize / 3) }
            let scanned = frame.withUnsafeBytes { raw -> (WALFrame.Located, RecordImage?)? in
                guard case .frame(let located) = WALFrame.scan(raw, at: 0) else { return nil }
                return (located, (try? WALFrame.decode(located, in: raw)).map(RecordImage.init))
            }
            guard let (located, image) = scanned else {
                Issue.record("frame did not scan")
                continue
            }
            #expect(located.codec == codec)
            #expect(located.type == record.type)
            #expect(located.next == frame.count)
            #expect(image == RecordImage(record))
        }
    }

    @Test("incompressible payloads are stored raw")
    func incompressible() throws {
        var random = SeededGenerator(seed: 1)
        var batch = EntryBatch()
        batch.append(timestamp: 1, line: (0..<4_000).map { _ in UInt8.random(in: 0...255, using: &random) })
        let record = WALRecord.entries(WALEntriesRecord(tenant: "t", streams: [WALStream(labels: Labels(), counterBefore: 0, entries: batch)]))
        let (frame, _) = try WALFrame.encode(record, options: WALOptions())
        #expect(frame[8] >> 4 == WALFrame.Codec.none.rawValue)
    }

    @Test("scan classifies short, zero, corrupted and unknown frames")
    func scanProblems() throws {
        let (frame, _) = try WALFrame.encode(Samples.entries(seed: 2), options: WALOptions())
        func scan(_ bytes: [UInt8]) -> WALFrame.ScanResult { bytes.withUnsafeBytes { WALFrame.scan($0, at: 0) } }
        func reason(_ bytes: [UInt8]) -> ReplayProblem.Reason? {
            if case .bad(let reason) = scan(bytes) { return reason }
            return nil
        }
        if case .end = scan([]) {} else { Issue.record("empty buffer is not the end") }
        #expect(reason(Array(frame.prefix(5))) == .truncatedRecord)
        #expect(reason(Array(frame.dropLast())) == .truncatedRecord)
        #expect(reason([UInt8](repeating: 0, count: 3)) == .zeroFilled)
        #expect(reason([UInt8](repeating: 0, count: 100)) == .zeroFilled)
        #expect(reason([UInt8](repeating: 0, count: 20) + [1]) == .invalidFrame("zero header followed by data"))
        var flipped = frame
        flipped[frame.count - 1] ^= 0x10
        #expect(reason(flipped) == .checksumMismatch)
        var unknown = [UInt8](repeating: 0, count: WALFrame.headerSize) + [1, 2, 3]
        WALFrame.seal(&unknown, type: .entries, codec: .none)
        unknown[8] = 0x07
        WALFrame.resealChecksum(&unknown)
        #expect(reason(unknown) == .invalidFrame("unknown record kind 0x7"))
    }
}

extension WALFrame {
    /// Recomputes the CRC of a frame after a test changed its kind byte.
    static func resealChecksum(_ frame: inout [UInt8]) {
        frame.withUnsafeMutableBytes { raw in
            var crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<4]))
            crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[8...]), continuing: crc)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }
}
