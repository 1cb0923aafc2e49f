import Foundation

/// Everything one benchmark run measured; written as JSON with `--out` and summarised as Markdown.
struct BenchReport: Codable, Sendable {
    struct DatasetFigures: Codable, Sendable {
        var lines: Int
        var lineBytes: Int
        var streams: Int
        var requests: Int
        var wireBytes: Int
        /// Lines containing "Traceback" (what `|= "Traceback"` must find).
        var tracebackLines: Int
        var needle: String
        var generateSeconds: Double
        var encodeSeconds: Double
    }

    struct IngestFigures: Codable, Sendable {
        var lines: Int
        var lineBytes: Int
        var wireBytes: Int
        var seconds: Double
        var linesPerSecond: Double
        var megabytesPerSecond: Double
        var wireMegabytesPerSecond: Double
        var requests: Int
        var retries: Int
        var errorCount: Int
        var errors: [String]
        var pushLatencyP50Milliseconds: Double
        var pushLatencyP99Milliseconds: Double
        /// Server CPU (user + system) between the first push and the last acknowledgement.
        var serverCPUSeconds: Double?
        var serverCPUSecondsPerMillionLines: Double?
        /// This process's CPU during the push (the client's share of a small machine).
        var clientCPUSeconds: Double
    }

    struct QueryableFigures: Codable, Sendable {
        /// Seconds from the last acknowledged push until every line was countable; nil if that never happened.
        var seconds: Double?
        var counted: Int?
        var expected: Int
        var error: String?
    }

    struct DiskFigures: Codable, Sendable {
        var afterIngest: DiskUsage?
        var flushStatus: Int?
        /// Seconds from `POST /flush` until the directory size stayed unchanged for the stable period.
        var secondsUntilStable: Double?
        var afterFlush: DiskUsage?
        var bytesPerLine: Double?
        var bytesPerLineWithoutWAL: Double?
        /// From file sizes rather than allocated blocks (differs when WAL segments are preallocated).
        var writtenBytesPerLine: Double?
    }

    struct MemoryFigures: Codable, Sendable {
        var before: ProcessSample?
        var afterIngest: ProcessSample?
        var afterFlush: ProcessSample?
        var afterQueries: ProcessSample?
    }

    var label: String
    var url: String
    var when: String
    var machine: MachineInfo
    var loadBefore: [Double]
    var loadAfter: [Double]
    var seed: UInt64
    var base: Int64
    var batch: Int
    var concurrency: Int
    var repeats: Int
    var serverCommand: [String]?
    /// Nice value the server's and the benchmark's threads were kept at (`--renice`), if any.
    var renice: Int32?
    var dataset: DatasetFigures
    var ingest: IngestFigures?
    var queryable: QueryableFigures?
    var disk: DiskFigures?
    var memory: MemoryFigures
    var queries: [QueryTiming] = []
    var serverCPUSecondsForQueries: Double?
    /// Correctness findings and anything the reader must know (skipped queries, mismatched counts).
    var notes: [String] = []

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}
