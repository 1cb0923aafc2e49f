import FjordModel

/// A block already decoded in memory: the benchmark measures the pipeline and the engine, not decompression.
struct DecodedBlock: EntryBlock {
    let batch: EntryBatch
    var minTime: Int64 { batch.timestamps.first ?? 0 }
    var maxTime: Int64 { batch.timestamps.last ?? 0 }
    var entryCount: Int { batch.count }

    func decode(_ content: BlockContent) async throws -> EntryBatch {
        content.includesLines ? batch : EntryBatch(timestamps: batch.timestamps, lineStarts: batch.lineStarts,
                                                lineBytes: [], metadata: batch.metadata, hasLines: false)
    }
}

/// The generated streams as a ``LogSource`` for one tenant, cut into blocks of `blockSize` entries.
struct DecodedSource: LogSource {
    let tenant: String
    let streams: [StreamData]

    init(tenant: String, logs: GeneratedLogs, blockSize: Int = 2048) {
        self.tenant = tenant
        streams = logs.streams.map { stream in
            var blocks: [any EntryBlock] = []
            var from = 0
            while from < stream.batch.count {
                let upTo = min(from + blockSize, stream.batch.count)
                var part = EntryBatch()
                for index in from..<upTo { part.append(from: stream.batch, at: index) }
                blocks.append(DecodedBlock(batch: part))
                from = upTo
            }
            return StreamData(labels: stream.labels, blocks: blocks)
        }
    }

    func select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64) async throws -> [StreamData] {
        guard tenant == self.tenant else { return [] }
        return streams.filter { stream in matchers.allSatisfy { $0.matches(stream.labels) } }
    }
}
