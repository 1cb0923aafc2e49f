import FjordModel

// Payload encoding of WAL records (uncompressed form; the frame adds length, CRC, type and compression).
// The byte layout is specified in docs/wal-format.md; keep the two in sync.

extension WALRecord {
    /// Appends the record's uncompressed payload to `bytes`.
    public func encodePayload(into bytes: inout [UInt8]) {
        var sink = ByteSink()
        swap(&sink.bytes, &bytes)
        switch self {
        case .entries(let record): record.encode(into: &sink)
        case .flush(let record): record.encode(into: &sink)
        }
        swap(&sink.bytes, &bytes)
    }

    /// The record's uncompressed payload.
    public func encodedPayload() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(estimatedPayloadSize)
        encodePayload(into: &bytes)
        return bytes
    }

    /// An upper-bound-ish guess of the payload size, for reserving buffers.
    var estimatedPayloadSize: Int {
        switch self {
        case .entries(let record):
            record.streams.reduce(16 + record.tenant.utf8.count) { sum, stream in
                sum + 64 + stream.labels.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
                    + stream.entries.totalLineBytes + stream.entries.count * 16
            }
        case .flush(let record):
            16 + record.tenant.utf8.count + record.marks.count * 18
        }
    }

    /// Decodes a payload of type `type`. Malformed bytes throw a ``WALDecodeError``; nothing here traps.
    public static func decode(type: WALRecordType, payload: UnsafeRawBufferPointer) throws(WALDecodeError) -> WALRecord {
        var source = ByteSource(payload)
        let record: WALRecord
        switch type {
        case .entries: record = .entries(try WALEntriesRecord(from: &source))
        case .flush: record = .flush(try WALFlushRecord(from: &source))
        }
        guard source.isAtEnd else { throw source.fail("\(source.remaining) trailing bytes after the record") }
        return record
    }

    /// Decodes a payload held in an array.
    public static func decode(type: WALRecordType, payload: [UInt8]) throws(WALDecodeError) -> WALRecord {
        let result = payload.withUnsafeBytes { raw in
            Result { () throws(WALDecodeError) -> WALRecord in try decode(type: type, payload: raw) }
        }
        return try result.get()
    }
}

extension WALEntriesRecord {
    func encode(into sink: inout ByteSink) {
        sink.string(tenant)
        sink.uvarint(UInt64(streams.count))
        for stream in streams { stream.encode(into: &sink) }
    }

    init(from source: inout ByteSource) throws(WALDecodeError) {
        let tenant = try source.string()
        let streamCount = try source.count(atMost: source.remaining, "stream count")
        var streams: [WALStream] = []
        streams.reserveCapacity(streamCount)
        for _ in 0..<streamCount { streams.append(try WALStream(from: &source)) }
        self.init(tenant: tenant, streams: streams)
    }
}

extension WALStream {
    func encode(into sink: inout ByteSink) {
        precondition(entries.hasLines, "WAL: stream \(labels) has entries without lines; only full batches can be logged")
        sink.u64(fingerprint)
        sink.uvarint(counterBefore)
        encodeLabels(labels, into: &sink)
        let count = entries.count
        sink.uvarint(UInt64(count))
        var previous: Int64 = 0
        for timestamp in entries.timestamps {
            sink.varint(timestamp &- previous)
            previous = timestamp
        }
        for index in 0..<count { sink.uvarint(UInt64(entries.lineLength(index))) }
        entries.lineBytes.withUnsafeBytes { sink.raw($0) }
        if entries.metadata.isEmpty {
            sink.u8(0)
        } else {
            sink.u8(1)
            for labels in entries.metadata { encodeLabels(labels, into: &sink) }
        }
    }

    init(from source: inout ByteSource) throws(WALDecodeError) {
        let fingerprint = try source.u64()
        let counterBefore = try source.uvarint()
        let labels = try decodeLabels(from: &source)
        guard labels.fingerprint == fingerprint else {
            throw source.fail("stream \(labels) has fingerprint \(fingerprint), expected \(labels.fingerprint)")
        }
        // Each entry takes at least two bytes (timestamp and line length), which bounds the count.
        let count = try source.count(atMost: source.remaining / 2, "entry count")
        var timestamps: [Int64] = []
        timestamps.reserveCapacity(count)
        var previous: Int64 = 0
        for _ in 0..<count {
            previous = previous &+ (try source.varint())
            timestamps.append(previous)
        }
        var lineStarts: [UInt32] = []
        lineStarts.reserveCapacity(count + 1)
        lineStarts.append(0)
        var total = 0
        for _ in 0..<count {
            total += try source.count(atMost: source.remaining, "line length")
            guard total <= Int(UInt32.max) else { throw source.fail("stream lines exceed 4 GiB") }
            lineStarts.append(UInt32(total))
        }
        let lineBytes = [UInt8](try source.bytes(total))
        var metadata: [Labels] = []
        switch try source.u8() {
        case 0:
            break
        case 1:
            metadata.reserveCapacity(count)
            for _ in 0..<count { metadata.append(try decodeLabels(from: &source)) }
        case let flag:
            throw source.fail("unknown structured metadata flag \(flag)")
        }
        self.labels = labels
        self.fingerprint = fingerprint
        self.counterBefore = counterBefore
        self.entries = EntryBatch(
            timestamps: timestamps, lineStarts: lineStarts, lineBytes: lineBytes, metadata: metadata, hasLines: true
        )
    }
}

extension WALFlushRecord {
    func encode(into sink: inout ByteSink) {
        sink.string(tenant)
        sink.uvarint(UInt64(marks.count))
        for mark in marks {
            sink.u64(mark.fingerprint)
            sink.uvarint(mark.flushedThrough)
        }
    }

    init(from source: inout ByteSource) throws(WALDecodeError) {
        let tenant = try source.string()
        let count = try source.count(atMost: source.remaining / 9, "flush mark count")
        var marks: [WALFlushMark] = []
        marks.reserveCapacity(count)
        for _ in 0..<count {
            let fingerprint = try source.u64()
            marks.append(WALFlushMark(fingerprint: fingerprint, flushedThrough: try source.uvarint()))
        }
        self.init(tenant: tenant, marks: marks)
    }
}

/// Labels as a varint pair count followed by (name, value) strings, sorted by name.
private func encodeLabels(_ labels: Labels, into sink: inout ByteSink) {
    sink.uvarint(UInt64(labels.count))
    for pair in labels {
        sink.string(pair.name)
        sink.string(pair.value)
    }
}

private func decodeLabels(from source: inout ByteSource) throws(WALDecodeError) -> Labels {
    let count = try source.count(atMost: source.remaining / 2, "label count")
    if count == 0 { return Labels() }
    var pairs: [LabelPair] = []
    pairs.reserveCapacity(count)
    for _ in 0..<count {
        let name = try source.string()
        let value = try source.string()
        if let last = pairs.last, !Labels.nameLess(last.name, name) {
            throw source.fail("label names not sorted and unique: \(last.name.debugDescription) before \(name.debugDescription)")
        }
        pairs.append(LabelPair(name: name, value: value))
    }
    return Labels(sortedPairs: pairs)
}
