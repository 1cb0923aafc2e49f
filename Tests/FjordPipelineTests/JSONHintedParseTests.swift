import FjordModel
import Testing
@testable import FjordPipeline

/// The shortcuts of `| json` under parser hints (names checked before the `_extracted` rename, the word-at-a-time
/// string scan) must give what the plain definitions give.
@Suite("| json with hints")
struct JSONHintedParseTests {
    /// jsonparser's `stringEnd`, byte by byte.
    static func referenceStringEnd(_ bytes: [UInt8], _ from: Int) -> (Int, Bool)? {
        var escaped = false
        var index = from
        while index < bytes.count {
            if bytes[index] == 0x5c { escaped = true }
            if bytes[index] == 0x22 {
                var backslashes = 0
                var cursor = index - 1
                while cursor >= from, bytes[cursor] == 0x5c {
                    backslashes += 1
                    cursor -= 1
                }
                if backslashes % 2 == 0 { return (index + 1, escaped) }
            }
            index += 1
        }
        return nil
    }

    @Test func stringEndMatchesByteByByteScan() {
        let alphabet: [UInt8] = Array("ab\"\\\u{7f}".utf8) + [0x01, 0x80, 0xa2, 0xdc]
        var random = UInt64(7)
        for length in 0..<40 {
            for _ in 0..<200 {
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    bytes.append(alphabet[Int(random >> 33) % alphabet.count])
                }
                for from in 0...min(length, 3) {
                    let expected = Self.referenceStringEnd(bytes, from)
                    let actual = bytes.withUnsafeBytes { JSONScanner.stringEnd($0, from) }
                    #expect(actual?.end == expected?.0 && actual?.escaped == expected?.1, "\(bytes) from \(from)")
                }
            }
        }
    }

    @Test func labelNameBytesAreExactlyAlphanumericsAndUnderscore() {
        for value in 0...255 {
            let byte = UInt8(value)
            let expected = (0x61...0x7a).contains(byte) || (0x41...0x5a).contains(byte) || (0x30...0x39).contains(byte)
                || byte == 0x5f
            #expect(Bytes.isLabelNameByte(byte) == expected, "\(byte)")
        }
    }

    @Test func sanitisingMatchesRuneByRuneDefinition() {
        var random = UInt64(11)
        let arena = ByteArena(capacity: 16)
        for length in 0..<30 {
            for _ in 0..<300 {
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let pick = Int(random >> 33)
                    // Mostly label bytes, some other ASCII, rarely a multi-byte rune.
                    switch pick % 10 {
                    case 0: bytes.append(UInt8(pick / 10 % 128))
                    case 1 where pick % 7 == 0: bytes.append(contentsOf: Array("é".utf8))
                    default: bytes.append(Array("azAZ09_qM".utf8)[pick / 10 % 9])
                    }
                }
                var expected: [UInt8] = []
                for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
                    let value = scalar.value
                    expected.append(value < 0x80 && Bytes.isLabelNameByte(UInt8(value)) ? UInt8(value) : 0x5f)
                }
                arena.reset()
                bytes.withUnsafeBytes { JSONFlattener.appendSanitizedRunes($0, to: arena) }
                #expect(Array(arena.bytes(0, arena.count)) == expected, "\(bytes)")
            }
        }
    }

    /// Parses `line` with `required` hints (built without Loki's stem rule, as the filter fusion builds them).
    func hinted(_ line: String, required: [String], stream: [String: String]) -> [String: String] {
        let hints = ParserHints(noLabels: false, required: required.map(ByteString.init), preserveError: false)
        let runtime = StageRuntime(streamLabels: Labels(stream), hints: hints)
        let bytes = Array(line.utf8)
        return bytes.withUnsafeBytes { raw in
            runtime.begin(timestamp: 0, line: raw)
            JSONParserStage().parse(runtime, hints: hints)
            var labels: [String: String] = [:]
            for pair in runtime.labels.materialize() where stream[pair.name] != pair.value { labels[pair.name] = pair.value }
            return labels
        }
    }

    @Test("hinted extraction keeps exactly the listed names of the full extraction", arguments: [
        ["level_extracted"], ["level"], ["level", "level_extracted"], ["msg", "http_status"], ["x_extracted_extracted"],
        ["x_extracted"], ["x", "x_extracted"], ["", "msg"],
    ])
    func hintedMatchesFiltered(required: [String]) throws {
        let lines = [
            #"{"level":"error","msg":"a","x":1,"x_extracted":2,"http":{"status":503}}"#,
            #"{"msg":"m\"q","level":"info","level":"warn"," ":"blank"}"#,
            #"{"x_extracted":"e","x":"plain","http":{"status":"x"}}"#,
        ]
        for stream in [[:], ["level": "s"], ["x": "s", "x_extracted": "t"], ["msg": "s"]] as [[String: String]] {
            for line in lines {
                let full = try labelsAfter([.json(extractions: [])], line, stream: stream) ?? [:]
                let expected = full.filter { required.contains($0.key) && stream[$0.key] != $0.value }
                #expect(hinted(line, required: required, stream: stream) == expected, "\(line) \(stream)")
            }
        }
    }
}
