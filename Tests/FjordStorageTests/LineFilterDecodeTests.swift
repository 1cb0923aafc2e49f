import FjordModel
@testable import FjordStorage
import Testing

/// `.fullIfContaining` may leave out entries, but never one whose line contains every needle.
@Suite struct LineFilterDecodeTests {
    /// Random lines built to stress the line transform's edges: hex runs of both cases (10–40 digits) next to digits,
    /// the entry's own timestamp printed right before or after them, `0xFF` bytes, JSON.
    private struct LineMaker {
        var random: SeededRandom
        /// Offsets where hex runs start in the last line made (needles are biased towards them).
        var hexStarts: [Int] = []

        mutating func hex(_ count: Int) -> [UInt8] {
            let alphabet: [UInt8]
            switch Int.random(in: 0..<5, using: &random) {
            case 0, 1: alphabet = Array("0123456789abcdef".utf8)
            case 2, 3: alphabet = Array("0123456789ABCDEF".utf8)
            default: alphabet = Array("0123456789abcdefABCDEF".utf8)
            }
            return (0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
        }

        mutating func timestamp(_ nanos: Int64) -> [UInt8] {
            let civil = GoTime.civil(nanos)
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            let separator = Bool.random(using: &random) ? "T" : " "
            var text = "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))\(separator)"
                + "\(pad(civil.hour, 2)):\(pad(civil.minute, 2)):\(pad(civil.second, 2))"
            let digits = [0, 3, 6, 9, 2][Int.random(in: 0..<5, using: &random)]
            if digits > 0 {
                let fraction = pad(Int(((nanos % 1_000_000_000) + 1_000_000_000) % 1_000_000_000), 9)
                text += (Bool.random(using: &random) ? "." : ",") + fraction.prefix(digits)
            }
            return Array(text.utf8)
        }

        mutating func line(timestamp nanos: Int64) -> [UInt8] {
            hexStarts = []
            var line: [UInt8] = []
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                switch Int.random(in: 0..<12, using: &random) {
                case 0, 1, 2:
                    hexStarts.append(line.count)
                    line += hex(Int.random(in: 10...40, using: &random))
                case 3: line += timestamp(nanos)
                case 4: line += timestamp(nanos + Int64.random(in: -2_000_000_000...2_000_000_000, using: &random))
                case 5: line += Array(String(Int.random(in: 0...999_999, using: &random)).utf8)
                case 6: line.append(0xFF)
                case 7: line += Array("{\"trace_id\":\"".utf8)
                case 8: line += Array("\",\"msg\":\"Traceback é\"}".utf8)
                case 9: line += Array(["req_", "-", ":", ".", ",", " ", "=", "x"][Int.random(in: 0..<8, using: &random)].utf8)
                default:
                    // A timestamp glued to a hex run on either side.
                    hexStarts.append(line.count)
                    let run = hex(Int.random(in: 10...40, using: &random))
                    line += Bool.random(using: &random) ? run + timestamp(nanos) : timestamp(nanos) + run
                }
            }
            return line
        }
    }

    private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        var start = haystack.startIndex
        while start + needle.count <= haystack.endIndex {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    @Test func keepsExactlyTheMatchingEntries() throws {
        var maker = LineMaker(random: SeededRandom(seed: 0x5EED_F10D))
        // Around a New Year so blocks span two years, and well inside one.
        let bases: [Int64] = [1_798_761_599_000_000_000, 1_795_316_400_123_456_789]
        var narrowed = 0
        var needlesTried = 0
        for round in 0..<2_000 {
            var entries: [TestEntry] = []
            var hexNeedles: [[UInt8]] = []
            var time = bases[round % 2] + Int64.random(in: -1_000_000_000...0, using: &maker.random)
            for index in 0..<Int.random(in: 1...40, using: &maker.random) {
                time += Int64.random(in: 0...60_000_000, using: &maker.random)
                let line = maker.line(timestamp: time)
                let metadata = index % 5 == 0 ? Labels(["trace": String(index)]) : Labels()
                entries.append(TestEntry(timestamp: time, bytes: line, metadata: metadata))
                for start in maker.hexStarts {
                    let from = max(0, start - Int.random(in: 0...5, using: &maker.random))
                    let to = min(line.count, start + Int.random(in: 8...45, using: &maker.random))
                    if from < to { hexNeedles.append(Array(line[from..<to])) }
                }
            }
            let block = CompressedBlock.encode(EntryBatch(entries))
            let full = try block.decodeNow(.full).testEntries
            #expect(full == entries)
            var needles: [[UInt8]] = []
            for _ in 0..<8 {
                switch Int.random(in: 0..<4, using: &maker.random) {
                case 0...1 where !hexNeedles.isEmpty:
                    needles.append(hexNeedles[Int.random(in: 0..<hexNeedles.count, using: &maker.random)])
                case 2:
                    needles.append(Array("req_".utf8) + maker.hex(Int.random(in: 14...24, using: &maker.random)))
                default:
                    let line = entries[Int.random(in: 0..<entries.count, using: &maker.random)].line
                    guard !line.isEmpty else { continue }
                    let from = Int.random(in: 0..<line.count, using: &maker.random)
                    let to = min(line.count, from + Int.random(in: 1...40, using: &maker.random))
                    needles.append(Array(line[from..<to]))
                }
            }
            var sets = needles.map { [$0] }
            if needles.count >= 2 { sets.append([needles[0], needles[1]]) }
            for set in sets {
                needlesTried += 1
                let decoded = try block.decodeNow(.fullIfContaining(set)).testEntries
                let expected = full.filter { entry in set.allSatisfy { Self.contains(entry.line[...], $0) } }
                let matching = decoded.filter { entry in set.allSatisfy { Self.contains(entry.line[...], $0) } }
                #expect(matching == expected, "round \(round): needles \(set.map { String(decoding: $0, as: UTF8.self) })")
                // What is returned are whole entries of the block, in order.
                var remaining = full[...]
                for entry in decoded {
                    guard let found = remaining.firstIndex(of: entry) else {
                        Issue.record("round \(round): returned an entry the block does not hold")
                        break
                    }
                    remaining = remaining[(found + 1)...]
                }
                if decoded.count < full.count { narrowed += 1 }
            }
        }
        // The prefilter does narrow results (not a correctness condition, but a sign it works at all).
        #expect(narrowed > needlesTried / 4)
    }
}
