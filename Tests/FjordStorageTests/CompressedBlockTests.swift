import FjordModel
import FjordStorage
import Testing

@Suite struct CompressedBlockTests {
    @discardableResult
    private func roundTrip(_ entries: [TestEntry], level: Int32 = 1) throws -> CompressedBlock {
        let block = CompressedBlock.encode(EntryBatch(entries), level: level)
        let decoded = try block.decodeNow(.full)
        #expect(decoded.testEntries == entries)
        let sizes = try block.decodeNow(.timestampsAndSizes)
        #expect(!sizes.hasLines)
        #expect(sizes.timestamps == entries.map(\.timestamp))
        #expect((0..<sizes.count).map { sizes.lineLength($0) } == entries.map(\.line.count))
        #expect(block.entryCount == entries.count)
        #expect(block.lineBytes == entries.reduce(0) { $0 + $1.line.count })
        // The encoded bytes parse back to the same header.
        let reparsed = try CompressedBlock(parsing: Array(block.bytes))
        #expect(reparsed.minTime == block.minTime && reparsed.maxTime == block.maxTime)
        return block
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomRoundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var time: Int64 = 1_795_316_400_000_000_000 + Int64(random.next() % 1_000_000)
        var entries: [TestEntry] = []
        for _ in 0..<Int(200 + random.next() % 800) {
            time += Int64(random.next() % 3_000_000_000)
            let metadata = random.next() % 3 == 0 ? Labels(["trace_id": "t\(random.next() % 4)", "level": "info"]) : Labels()
            entries.append(TestEntry(timestamp: time, bytes: randomLine(&random, timestamp: time), metadata: metadata))
        }
        let block = try roundTrip(entries)
        #expect(block.minTime == entries.first?.timestamp)
        #expect(block.maxTime == entries.last?.timestamp)
        #expect(block.metadataBytes > 0)
    }

    @Test func edgeCases() throws {
        let hugeLine = String(repeating: "0123456789abcdefXYZ", count: 60_000)
        let entries = [
            TestEntry(-5_000_000_000, ""),
            TestEntry(-5_000_000_000, ""),
            TestEntry(0, "1970-01-01T00:00:00Z epoch"),
            TestEntry(0, "same time, different line"),
            TestEntry(1, hugeLine),
            TestEntry(2, "0123456789abcdef0123456789ABCDEF"),
            TestEntry(3, "deadbeefdeadbeefd"),
            TestEntry(4, "\u{FF}\u{FE}", Labels(["k": "", "": "v"])),
            TestEntry(timestamp: 5, bytes: [0xFF, 0xFF, 0x00, 0xFF, 0x20, 0x10]),
            TestEntry(Int64.max, "max time 1234567890123456789"),
        ]
        try roundTrip(entries)
    }

    @Test func singleEntryAndEmptyBatch() throws {
        try roundTrip([TestEntry(42, "only")])
        let empty = CompressedBlock.encode(EntryBatch())
        #expect(empty.entryCount == 0)
        #expect(try empty.decodeNow(.full).isEmpty)
    }

    @Test func embeddedTimestampsInEveryForm() throws {
        let time: Int64 = 1_795_316_400_055_656_859  // 2026-11-22T03:00:00.055656859Z
        let forms = [
            "2026-11-22T03:00:00.055656859Z nanos", "2026-11-22T03:00:00.055656Z micros",
            "2026-11-22T03:00:00.055Z millis", "at 2026-11-22T03:00:00Z seconds", "2026-11-22 03:00:00,055 python",
            "2026-11-22 03:00:00.0556 four digits", "2026-11-22T03:00:00.999Z wrong fraction",
            "2026-11-22T03:00:01Z other second", "2026-11-22T03:00:00", "x2026-11-22T03:00:00.",
            "2026-11-22X03:00:00 2026-11-22T03:00:00.055 second occurrence",
        ]
        let entries = forms.map { TestEntry(time, $0) }
        let block = try roundTrip(entries)
        // The printed timestamps are stored as references, so the lines cost less than their text.
        let plain = CompressedBlock.encode(EntryBatch(entries.map { TestEntry(time + 1, String(decoding: $0.line, as: UTF8.self)) }))
        #expect(block.compressedSize < plain.compressedSize)
    }

    @Test func hexRunBoundaries() throws {
        let time: Int64 = 1_795_316_400_055_656_859
        var lines: [String] = []
        for length in [1, 15, 16, 17, 31, 32, 33, 64, 200] {
            let lower = String(repeating: "a1", count: length).prefix(length)
            let upper = String(repeating: "F0", count: length).prefix(length)
            lines += ["\(lower)", "x\(lower)y", "\(upper)", "\(lower)\(upper)", "0123456789\(lower)", "\(lower)Z"]
        }
        lines += [
            "12345678901234567890123456789", "abcdefABCDEF0123456789abcdef0123", "2026-11-22T03:00:00.055656Zdeadbeefdeadbeef00",
            "deadbeefdeadbeef002026-11-22T03:00:00.055656859Z", "aaaaaaaaaaaaaaaa\u{FF}bbbbbbbbbbbbbbbb",
        ]
        var entries = lines.map { TestEntry(time, $0) }
        entries.append(TestEntry(timestamp: time, bytes: Array("abcdef0123456789".utf8) + [0xFF] + Array("0123456789abcdef".utf8)))
        try roundTrip(entries)
    }

    @Test func higherLevelsRoundTrip() throws {
        var random = SeededRandom(seed: 9)
        let entries = (0..<300).map { index in
            TestEntry(timestamp: Int64(index) * 1_000_000, bytes: randomLine(&random, timestamp: Int64(index) * 1_000_000))
        }
        for level: Int32 in [1, 3, 9, 19] { try roundTrip(entries, level: level) }
        let fast = CompressedBlock.encode(EntryBatch(entries), level: 1)
        let small = try fast.recompressed(level: 9)
        #expect(try small.decodeNow(.full).testEntries == entries)
        #expect(small.compressedSize <= fast.compressedSize)
    }

    @Test func corruptBlocksThrowTypedErrors() async throws {
        var random = SeededRandom(seed: 77)
        var entries: [TestEntry] = []
        for index in 0..<200 {
            let time = Int64(index) * 7_000_000
            entries.append(TestEntry(timestamp: time, bytes: randomLine(&random, timestamp: time),
                                     metadata: index % 2 == 0 ? Labels(["a": "b"]) : Labels()))
        }
        let bytes = Array(CompressedBlock.encode(EntryBatch(entries)).bytes)
        var failures = 0
        // Truncations and bit flips must be reported as CorruptDataError (or decode to something), never crash.
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: CorruptDataError.self) { try CompressedBlock(parsing: Array(bytes[0..<cut])) }
        }
        for _ in 0..<400 {
            var damaged = bytes
            let position = Int(random.next() % UInt64(damaged.count))
            damaged[position] ^= UInt8(1 << (random.next() % 8))
            do {
                let block = try CompressedBlock(parsing: damaged)
                _ = try block.decodeNow(.timestampsAndSizes)
                _ = try block.decodeNow(.full)
            } catch is CorruptDataError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }
}
