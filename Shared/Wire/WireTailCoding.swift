public import FjordModel
public import FjordServiceAPI

/// Bodies of `tailEntries` answer parts (layout in docs/wire-protocol.md):
/// `[uvarint streams]([Labels][Batch]) × streams [uvarint drops]([Labels][varint timestamp]) × drops`.
/// A batch larger than a part is cut between streams, and a stream between entries.
public enum WireTailCoding {
    public static func encode(_ batch: TailBatch, partBytes: Int) -> [[UInt8]] {
        var parts: [[UInt8]] = []
        var pending: [TailedStream] = []
        var pendingBytes = 0
        func flush() {
            parts.append(body(pending, []))
            pending = []
            pendingBytes = 0
        }
        for stream in batch.streams {
            var start = 0
            let entries = stream.entries
            while start < entries.count {
                // Take entries while they fit (at least one, so a huge line still travels alone).
                var end = start
                var bytes = 64 + stream.labels.canonicalString.utf8.count
                while end < entries.count {
                    let cost = entries.lineLength(end) + 24 + entries.metadata(end).count * 32
                    if end > start && pendingBytes + bytes + cost > partBytes { break }
                    bytes += cost
                    end += 1
                }
                if start == 0 && end == entries.count {
                    pending.append(stream)
                } else {
                    var slice = EntryBatch(capacity: end - start)
                    for index in start..<end { slice.append(from: entries, at: index) }
                    pending.append(TailedStream(labels: stream.labels, entries: slice))
                }
                pendingBytes += bytes
                start = end
                if pendingBytes >= partBytes { flush() }
            }
        }
        parts.append(body(pending, batch.dropped))
        return parts
    }

    static func body(_ streams: [TailedStream], _ dropped: [DroppedTailEntry]) -> [UInt8] {
        var writer = WireWriter()
        writer.count(streams.count)
        for stream in streams {
            writer.labels(stream.labels)
            writer.entryBatch(stream.entries)
        }
        writer.count(dropped.count)
        for drop in dropped {
            writer.labels(drop.labels)
            writer.varint(drop.timestamp)
        }
        return writer.take()
    }

    public static func decode(_ body: [UInt8]) throws(WireError) -> TailBatch {
        var reader = WireReader(body, message: "tailEntries answer")
        let streamCount = try reader.count(minimumBytesEach: 3, "stream count")
        var batch = TailBatch()
        batch.streams.reserveCapacity(streamCount)
        for _ in 0..<streamCount {
            let labels = try reader.labels()
            batch.streams.append(TailedStream(labels: labels, entries: try reader.entryBatch()))
        }
        let dropCount = try reader.count(minimumBytesEach: 2, "drop count")
        for _ in 0..<dropCount {
            let labels = try reader.labels()
            batch.dropped.append(DroppedTailEntry(timestamp: try reader.varint(), labels: labels))
        }
        try reader.expectEnd()
        return batch
    }
}

/// The batches of a tail answer as they arrive; ends when the server ends the answer, throws its error. The first
/// batch is empty: the server's acknowledgement that the subscription is in place. Dropping the iteration
/// (cancelling the consuming task) cancels the request on the server.
public struct WireTailStream: AsyncSequence, Sendable {
    public typealias Element = TailBatch

    let frames: AsyncThrowingStream<WireFrame, any Error>
    let maxBodyBytes: Int
    let peer: String

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<WireFrame, any Error>.AsyncIterator
        let maxBodyBytes: Int
        let peer: String
        var acknowledged = false

        public mutating func next() async throws -> TailBatch? {
            while let frame = try await base.next() {
                guard frame.kind == .tailEntries else {
                    throw WireError(.protocolViolation, "\(peer) answered a tail with \(frame.kind)")
                }
                let batch = try WireTailCoding.decode(try frame.uncompressedBody(limit: maxBodyBytes))
                if !batch.isEmpty || !acknowledged {
                    acknowledged = true
                    return batch
                }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: frames.makeAsyncIterator(), maxBodyBytes: maxBodyBytes, peer: peer)
    }
}
