import FjordModel
@testable import FjordStorage
import Testing

/// The block-skipping prefilter for `|= "literal"` filters must never skip a block that holds a matching line.
@Suite struct LineSearchTests {
    @Test(arguments: [
        ("Traceback", "Traceback"), ("error", "rror"), ("timeout", "timeout"), ("req_373802e8c2954640", "req_"),
        ("status=500", "status="), ("café", "é"), ("0123456789abcdef0123x", "x"),
    ])
    func searchableCores(needle: String, core: String) {
        #expect(LineTransform.searchableCore(Array(needle.utf8)) == Array(core.utf8))
    }

    @Test(arguments: ["deadbeef", "2026-11-22T03:00:00", ":00 foo", "12:30", "-", " T"])
    func unsafeNeedlesAreNotUsed(needle: String) {
        #expect(LineTransform.searchableCore(Array(needle.utf8)) == nil)
    }

    /// Property: for lines full of timestamps and hex runs, a block reported as lacking a needle never has a line
    /// containing it.
    @Test func neverSkipsABlockWithAMatch() throws {
        var generator = SystemRandomNumberGenerator()
        let base: Int64 = 1_795_316_400_123_456_789
        let pieces = ["Traceback", "error", "timeout", " ", "-", ":", "T", "req_", "0123456789abcdef0123", "2026-11-22T03:00:00.123456Z",
                      "deadbeefcafebabe1234", "x", "status=500", "é", ".", ","]
        for round in 0..<300 {
            var batch = EntryBatch()
            for index in 0..<20 {
                var line = ""
                for _ in 0..<Int.random(in: 1...12, using: &generator) { line += pieces.randomElement(using: &generator) ?? "" }
                // Some lines print their own timestamp, which the transform rewrites.
                if index % 3 == 0 { line = GoTime.rfc3339Nano(base + Int64(index)) + " " + line }
                batch.append(timestamp: base + Int64(index), line: Array(line.utf8))
            }
            let block = CompressedBlock.encode(batch)
            let lines = (0..<batch.count).map { batch.lineString($0) }
            for _ in 0..<5 {
                var needle = ""
                for _ in 0..<Int.random(in: 1...3, using: &generator) { needle += pieces.randomElement(using: &generator) ?? "" }
                let decoded = try block.decodeNow(.fullIfContaining([Array(needle.utf8)]))
                let expected = lines.filter { $0.contains(needle) }
                let kept = (0..<decoded.count).map { decoded.lineString($0) }.filter { $0.contains(needle) }
                #expect(kept == expected, "round \(round): lines containing \(needle) lost")
            }
        }
    }
}
