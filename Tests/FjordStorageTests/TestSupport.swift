import Foundation
import FjordModel
import FjordStorage

/// Deterministic pseudo-random numbers (SplitMix64) so failures reproduce.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One entry as tests describe it.
struct TestEntry: Hashable, CustomStringConvertible {
    var timestamp: Int64
    var line: [UInt8]
    var metadata: Labels

    init(_ timestamp: Int64, _ line: String, _ metadata: Labels = Labels()) {
        self.timestamp = timestamp
        self.line = Array(line.utf8)
        self.metadata = metadata
    }

    init(timestamp: Int64, bytes: [UInt8], metadata: Labels = Labels()) {
        self.timestamp = timestamp
        self.line = bytes
        self.metadata = metadata
    }

    var description: String { "\(timestamp) \(String(decoding: line, as: UTF8.self)) \(metadata)" }
}

extension EntryBatch {
    /// A batch holding `entries` in the given order.
    init(_ entries: [TestEntry]) {
        self.init()
        for entry in entries { append(timestamp: entry.timestamp, line: entry.line, metadata: entry.metadata) }
    }

    /// The batch's entries (lines must be present).
    var testEntries: [TestEntry] {
        (0..<count).map { TestEntry(timestamp: timestamps[$0], bytes: Array(line($0)), metadata: metadata($0)) }
    }
}

/// An in-memory block for cursor tests; counts its decodes.
final class TestBlock: EntryBlock, @unchecked Sendable {
    let entries: [TestEntry]
    private(set) var decodeCount = 0

    init(_ entries: [TestEntry]) {
        self.entries = entries.enumerated().sorted {
            $0.element.timestamp < $1.element.timestamp
                || ($0.element.timestamp == $1.element.timestamp && $0.offset < $1.offset)
        }.map(\.element)
    }

    var minTime: Int64 { entries.first?.timestamp ?? 0 }
    var maxTime: Int64 { entries.last?.timestamp ?? 0 }
    var entryCount: Int { entries.count }

    func decode(_ content: BlockContent) async throws -> EntryBatch {
        decodeCount += 1
        return EntryBatch(entries)
    }
}

/// Random log-like lines: JSON with IDs and timestamps, logfmt, plain text, binary, empty.
func randomLine(_ random: inout SeededRandom, timestamp: Int64) -> [UInt8] {
    let hex = "0123456789abcdef"
    func hexID(_ length: Int, upper: Bool = false) -> String {
        let id = String((0..<length).map { _ in hex.randomElement(using: &random) ?? "0" })
        return upper ? id.uppercased() : id
    }
    switch random.next() % 8 {
    case 0:
        return Array("{\"timestamp\":\"\(GoTime.rfc3339Nano(timestamp))\",\"trace_id\":\"\(hexID(32))\",\"span\":\"\(hexID(17))\"}".utf8)
    case 1:
        return Array("ts=\(GoTime.rfc3339(timestamp)) level=info request_id=req_\(hexID(16)) upper=\(hexID(20, upper: true)) msg=\"ok\"".utf8)
    case 2:
        return []
    case 3:
        return (0..<Int(random.next() % 300)).map { _ in UInt8.random(in: 0...255, using: &random) }
    case 4:
        return Array(repeating: 0xFF, count: Int(random.next() % 5)) + Array("ÿ\u{FF} mixed \(hexID(15))\(hexID(1, upper: true))".utf8)
    case 5:
        let text = GoTime.rfc3339Nano(timestamp).replacingOccurrences(of: "T", with: " ")
        return Array("\(text) python style, \(hexID(40))".utf8)
    case 6:
        return Array(String(repeating: "lorem ipsum dolor ", count: Int(random.next() % 40)).utf8)
    default:
        return Array("GET /api/v1/items/\(random.next() % 1000) 200 \(random.next() % 5000)ms".utf8)
    }
}

