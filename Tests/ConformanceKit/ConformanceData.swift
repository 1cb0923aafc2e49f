import FjordCompression
import FjordModel
import Foundation

/// The data set real Loki answered the conformance cases on (`dataset.jsonl.gz`), as plain records: every consumer
/// (an in-memory log source, push bodies for a real server) builds what it needs from it.
///
/// File format: line 1 holds `meta.base` (Unix seconds) and the stream label sets per tenant; every further line is
/// `[tenant, stream_index, ns_offset_from_base, line(, structured_metadata)]`. Exact duplicates are kept here (the
/// file has them; Loki and Fjord store them once).
public struct ConformanceData: Sendable {
    /// One stored entry.
    public struct Entry: Sendable {
        /// Unix nanoseconds.
        public var time: Int64
        public var line: [UInt8]
        public var metadata: Labels
    }

    /// One stream's entries in file order (which is time order).
    public struct Stream: Sendable {
        public var labels: Labels
        public var entries: [Entry]
    }

    /// BASE in Unix nanoseconds: answers are stored relative to it.
    public let base: Int64
    /// Streams per tenant, in the order of the file's stream tables.
    public let streams: [String: [Stream]]

    /// Every entry, counting exact duplicates.
    public var entryCount: Int { streams.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.entries.count } } }

    /// Loaded once per test process, on a thread of its own, and shared by every test that needs it.
    public static let shared = Computed { try await OwnThread.run { try load() } }

    static func load() throws -> ConformanceData {
        typealias Failure = ConformanceFixtures.FixtureError
        let url = ConformanceFixtures.directory.appendingPathComponent("dataset.jsonl.gz")
        let compressed = try Data(contentsOf: url)
        let bytes = try compressed.withUnsafeBytes { raw in
            try Gzip.decompress(raw, format: .gzip, maxLength: 512 << 20)
        }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).makeIterator()
        guard let header = lines.next(),
              let meta = try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any],
              let info = meta["meta"] as? [String: Any],
              let baseSeconds = (info["base"] as? NSNumber)?.int64Value,
              let streamSets = meta["streams"] as? [String: [[String: String]]]
        else { throw Failure(description: "dataset header is not the expected meta record") }
        var streams = streamSets.mapValues { sets in sets.map { Stream(labels: Labels($0), entries: []) } }
        let base = baseSeconds * 1_000_000_000
        while let line = lines.next() {
            guard let record = try JSONSerialization.jsonObject(with: Data(line)) as? [Any], record.count >= 4,
                  let tenant = record[0] as? String,
                  let streamIndex = (record[1] as? NSNumber)?.intValue,
                  let offset = (record[2] as? NSNumber)?.int64Value,
                  let text = record[3] as? String,
                  let count = streams[tenant]?.count, streamIndex >= 0, streamIndex < count
            else { throw Failure(description: "bad dataset record \(String(decoding: line, as: UTF8.self))") }
            var metadata = Labels()
            if record.count > 4, let pairs = record[4] as? [String: String] { metadata = Labels(pairs) }
            streams[tenant]?[streamIndex].entries.append(
                Entry(time: base + offset, line: Array(text.utf8), metadata: metadata))
        }
        return ConformanceData(base: base, streams: streams)
    }
}
