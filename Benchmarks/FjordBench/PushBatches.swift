import FjordModel
import FjordPush

/// One pre-encoded push request: the body as Promtail sends it (protobuf `PushRequest` in a snappy block) and what
/// it carries.
struct EncodedPush: Sendable {
    let body: [UInt8]
    let lines: Int
    /// Bytes of log lines in the request (not counting labels, timestamps or metadata).
    let lineBytes: Int
}

/// Cuts a data set into Promtail-shaped requests: consecutive `batchSize` entries of the time-ordered data set,
/// grouped by stream in order of first appearance, each stream's entries in time order.
enum PushBatches {
    /// The requests' content as plain values (used by the encoder and the self-test).
    static func contents(_ dataset: Dataset, batchSize: Int) -> [[PushStreamContent]] {
        var out: [[PushStreamContent]] = []
        forEachBatch(dataset, batchSize: batchSize) { out.append($0) }
        return out
    }

    /// Encodes every request (protobuf + snappy); done before timing starts.
    static func encode(_ dataset: Dataset, batchSize: Int) -> [EncodedPush] {
        var out: [EncodedPush] = []
        out.reserveCapacity(dataset.entries.count / max(1, batchSize) + 1)
        forEachBatch(dataset, batchSize: batchSize) { streams in
            let lines = streams.reduce(0) { $0 + $1.entries.count }
            let bytes = streams.reduce(0) { sum, stream in stream.entries.reduce(sum) { $0 + $1.line.count } }
            out.append(EncodedPush(body: PushProtobufEncoder.encodeSnappy(streams), lines: lines, lineBytes: bytes))
        }
        return out
    }

    private static func forEachBatch(_ dataset: Dataset, batchSize: Int, _ body: ([PushStreamContent]) -> Void) {
        precondition(batchSize > 0, "batch size must be positive")
        let entries = dataset.entries
        var slot = [Int](repeating: -1, count: dataset.streams.count)
        var start = 0
        while start < entries.count {
            let end = min(start + batchSize, entries.count)
            var streams: [PushStreamContent] = []
            var used: [Int] = []
            for entry in entries[start..<end] {
                let stream = Int(entry.stream)
                if slot[stream] < 0 {
                    slot[stream] = streams.count
                    used.append(stream)
                    streams.append(PushStreamContent(labels: dataset.streams[stream].labelsString, entries: []))
                }
                let metadata = entry.metadata >= 0 ? dataset.metadataSets[Int(entry.metadata)] : []
                streams[slot[stream]].entries.append(
                    PushEntryContent(timestamp: entry.timestamp, line: Array(dataset.line(entry)), metadata: metadata))
            }
            for stream in used { slot[stream] = -1 }
            body(streams)
            start = end
        }
    }
}
