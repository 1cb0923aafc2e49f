import FjordCompression
import FjordModel
import Foundation

/// The conformance fixtures (`Tests/Fixtures/conformance`), located from this file's path.
enum ConformanceFixtures {
    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Conformance
            .deletingLastPathComponent()  // FjordEngineTests
            .deletingLastPathComponent()  // Tests
            .appendingPathComponent("Fixtures/conformance")
    }
}

/// The data set real Loki answered the conformance cases on, loaded into memory.
///
/// `dataset.jsonl.gz`: line 1 holds `meta.base` (Unix seconds) and the stream label sets per tenant; every further
/// line is `[tenant, stream_index, ns_offset_from_base, line(, structured_metadata)]`.
struct ConformanceDataset: Sendable {
    let base: Int64
    let source: MemoryLogSource

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Loaded once per test process and shared by every test that needs it.
    static let shared: Result<ConformanceDataset, LoadError> = {
        do {
            return .success(try load())
        } catch {
            return .failure(LoadError(description: "\(error)"))
        }
    }()

    static func load() throws -> ConformanceDataset {
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
        else { throw LoadError(description: "dataset header is not the expected meta record") }
        let streams = streamSets.mapValues { sets in sets.map { Labels($0) } }
        let base = baseSeconds * 1_000_000_000
        var builder = MemoryLogSource.Builder(blockSize: 512)
        while let line = lines.next() {
            guard let record = try JSONSerialization.jsonObject(with: Data(line)) as? [Any], record.count >= 4,
                  let tenant = record[0] as? String,
                  let streamIndex = (record[1] as? NSNumber)?.intValue,
                  let offset = (record[2] as? NSNumber)?.int64Value,
                  let text = record[3] as? String,
                  let labels = streams[tenant]?[streamIndex]
            else { throw LoadError(description: "bad dataset record \(String(decoding: line, as: UTF8.self))") }
            var metadata = Labels()
            if record.count > 4, let pairs = record[4] as? [String: String] { metadata = Labels(pairs) }
            builder.add(tenant: tenant, labels: labels, time: base + offset, line: Array(text.utf8),
                        metadata: metadata)
        }
        return ConformanceDataset(base: base, source: builder.build())
    }
}
