import Foundation
import FjordModel
@testable import FjordWAL

/// A fresh directory under the system temp directory, removed by ``remove()``.
struct TempDirectory {
    let path: String

    init(_ label: String = "wal") {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("fjord-\(label)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func segmentPath(_ number: Int) -> String { WALSegmentFile.path(number, in: path) }

    func read(_ number: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: segmentPath(number))))
    }

    func write(_ number: Int, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: segmentPath(number)))
    }

    func size(_ number: Int) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: segmentPath(number))
        return (attributes[.size] as? NSNumber)?.intValue ?? -1
    }

    func segmentNumbers() throws -> [Int] { try WALSegmentFile.list(in: path).map(\.number) }
}

/// Runs `body` with two fresh directories (a log and a scratch copy), removing both afterwards.
func withTwoDirectories(_ body: (TempDirectory, TempDirectory) async throws -> Void) async throws {
    let first = TempDirectory()
    let second = TempDirectory("scratch")
    defer {
        first.remove()
        second.remove()
    }
    try await body(first, second)
}

/// A comparable picture of a record (``EntryBatch`` is not `Equatable`).
struct RecordImage: Equatable, CustomStringConvertible {
    struct Stream: Equatable {
        var labels: String
        var fingerprint: UInt64
        var counterBefore: UInt64
        var timestamps: [Int64]
        var lines: [String]
        var metadata: [String]
    }

    var type: WALRecordType
    var tenant: String
    var streams: [Stream] = []
    var marks: [WALFlushMark] = []

    init(_ record: WALRecord) {
        type = record.type
        tenant = record.tenant
        switch record {
        case .entries(let entries):
            streams = entries.streams.map { stream in
                Stream(
                    labels: stream.labels.canonicalString, fingerprint: stream.fingerprint,
                    counterBefore: stream.counterBefore, timestamps: stream.entries.timestamps,
                    lines: (0..<stream.entries.count).map { stream.entries.lineString($0) },
                    metadata: (0..<stream.entries.count).map { stream.entries.metadata($0).canonicalString }
                )
            }
        case .flush(let flush):
            marks = flush.marks
        }
    }

    var description: String { "\(type) \(tenant) \(streams.map(\.labels)) \(marks)" }
}

/// Deterministic pseudo-random numbers (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

enum Samples {
    /// One stream with `count` entries; lines look like log lines (so zstd compresses them).
    static func stream(
        app: String, counterBefore: UInt64 = 0, count: Int, firstTimestamp: Int64 = 1_700_000_000_000_000_000,
        metadata: Bool = false, lineSize: Int = 40, tag: String = ""
    ) -> WALStream {
        var batch = EntryBatch()
        for index in 0..<count {
            var line = "level=info app=\(app) msg=\"request served\" n=\(counterBefore + UInt64(index)) \(tag)"
            while line.utf8.count < lineSize { line += " pad" }
            let entryMetadata = metadata && index % 2 == 0 ? Labels(["trace_id": "t\(index)", "user": "u\(index % 3)"]) : Labels()
            batch.append(timestamp: firstTimestamp + Int64(index) * 1_000, line: Array(line.utf8), metadata: entryMetadata)
        }
        return WALStream(labels: Labels(["app": app, "env": "prod"]), counterBefore: counterBefore, entries: batch)
    }

    /// An entries record with `streams` streams of `entries` entries each; `seed` varies the content.
    static func entries(tenant: String = "tenant-a", seed: Int, streams: Int = 2, entries: Int = 3, lineSize: Int = 40) -> WALRecord {
        .entries(WALEntriesRecord(tenant: tenant, streams: (0..<streams).map { index in
            stream(app: "app\(index)", counterBefore: UInt64(seed * entries), count: entries,
                   metadata: index == 1, lineSize: lineSize, tag: "seed=\(seed)")
        }))
    }

    static func flush(tenant: String = "tenant-a", _ marks: [(UInt64, UInt64)]) -> WALRecord {
        .flush(WALFlushRecord(tenant: tenant, marks: marks.map { WALFlushMark(fingerprint: $0.0, flushedThrough: $0.1) }))
    }
}

/// Replays `directory` and returns the records with their positions, and the report.
func replayAll(
    _ directory: String, skippingFlushed: Bool = false, repair: Bool = true
) throws -> (records: [(image: RecordImage, position: WALPosition)], report: ReplayReport) {
    var records: [(RecordImage, WALPosition)] = []
    let report = try WALReader(directory: directory).replay(skippingFlushed: skippingFlushed, repair: repair) { record, position in
        records.append((RecordImage(record), position))
    }
    return (records.map { (image: $0.0, position: $0.1) }, report)
}

/// Writes `records` with a fresh writer and closes it.
@discardableResult
func writeAll(_ records: [WALRecord], to directory: String, options: WALOptions = WALOptions(preallocate: false)) async throws -> [WALTicket] {
    let writer = try WALWriter(directory: directory, options: options)
    var tickets: [WALTicket] = []
    for record in records { tickets.append(try writer.append(record)) }
    if let last = tickets.last { try await writer.durable(last) }
    try await writer.close()
    return tickets
}
