import FjordModel

/// A decoded push request (`logproto.PushRequest`): streams whose lines and structured metadata are byte ranges into
/// one shared buffer, so decoding creates no `String` or array per line.
///
/// For protobuf bodies `buffer` is the snappy-decoded body itself (lines are not copied); for JSON bodies it is an
/// arena holding the unescaped strings. Stream label strings are kept as sent (not yet parsed).
public struct PushRequest: Sendable {
    /// A byte range inside ``buffer``.
    public struct Span: Sendable, Hashable {
        public var start: Int
        public var count: Int

        public init(start: Int, count: Int) {
            self.start = start
            self.count = count
        }

        public var end: Int { start + count }
        public static let empty = Span(start: 0, count: 0)
    }

    /// One stream: its label-set string as sent and the range of its entries in ``entries``.
    public struct Stream: Sendable, Hashable {
        public var labels: String
        public var entries: Range<Int>

        public init(labels: String, entries: Range<Int>) {
            self.labels = labels
            self.entries = entries
        }
    }

    /// One entry: Unix-nanosecond timestamp, line bytes and the range of its pairs in ``metadata``.
    public struct Entry: Sendable, Hashable {
        public var timestamp: Int64
        public var line: Span
        public var metadata: Range<Int>

        public init(timestamp: Int64, line: Span, metadata: Range<Int>) {
            self.timestamp = timestamp
            self.line = line
            self.metadata = metadata
        }
    }

    /// One structured-metadata pair, name and value as byte ranges.
    public struct MetadataPair: Sendable, Hashable {
        public var name: Span
        public var value: Span

        public init(name: Span, value: Span) {
            self.name = name
            self.value = value
        }
    }

    /// The bytes every ``Span`` points into.
    public var buffer: [UInt8]
    public var streams: [Stream]
    /// Entries of all streams, stream after stream.
    public var entries: [Entry]
    /// Structured-metadata pairs of all entries, entry after entry.
    public var metadata: [MetadataPair]

    public init(buffer: [UInt8] = [], streams: [Stream] = [], entries: [Entry] = [], metadata: [MetadataPair] = []) {
        self.buffer = buffer
        self.streams = streams
        self.entries = entries
        self.metadata = metadata
    }

    /// The bytes of `span`.
    public func bytes(_ span: Span) -> ArraySlice<UInt8> { buffer[span.start..<span.end] }

    /// The bytes of `span` decoded as UTF-8 (invalid sequences become U+FFFD).
    public func string(_ span: Span) -> String { String(decoding: bytes(span), as: UTF8.self) }

    /// Number of entries over all streams.
    public var entryCount: Int { entries.count }
}

/// One stream to encode or compare, in plain values: what a client sends.
public struct PushStreamContent: Sendable, Hashable {
    public var labels: String
    public var entries: [PushEntryContent]

    public init(labels: String, entries: [PushEntryContent]) {
        self.labels = labels
        self.entries = entries
    }
}

/// One entry to encode or compare: Unix-nanosecond timestamp, line bytes and structured metadata in sending order.
public struct PushEntryContent: Sendable, Hashable {
    public var timestamp: Int64
    public var line: [UInt8]
    public var metadata: [LabelPair]

    public init(timestamp: Int64, line: [UInt8], metadata: [LabelPair] = []) {
        self.timestamp = timestamp
        self.line = line
        self.metadata = metadata
    }

    public init(timestamp: Int64, line: String, metadata: [LabelPair] = []) {
        self.init(timestamp: timestamp, line: Array(line.utf8), metadata: metadata)
    }
}

extension PushRequest {
    /// Builds a request from plain values (tests and in-process clients).
    public init(content: [PushStreamContent]) {
        self.init()
        for stream in content {
            let first = entries.count
            for entry in stream.entries {
                let line = append(entry.line)
                let metadataStart = metadata.count
                for pair in entry.metadata {
                    metadata.append(MetadataPair(name: append(Array(pair.name.utf8)), value: append(Array(pair.value.utf8))))
                }
                entries.append(Entry(timestamp: entry.timestamp, line: line, metadata: metadataStart..<metadata.count))
            }
            streams.append(Stream(labels: stream.labels, entries: first..<entries.count))
        }
    }

    private mutating func append(_ bytes: [UInt8]) -> Span {
        let span = Span(start: buffer.count, count: bytes.count)
        buffer.append(contentsOf: bytes)
        return span
    }

    /// The request as plain values (tests and debugging; allocates per entry).
    public var content: [PushStreamContent] {
        streams.map { stream in
            PushStreamContent(labels: stream.labels, entries: entries[stream.entries].map { entry in
                PushEntryContent(
                    timestamp: entry.timestamp, line: Array(bytes(entry.line)),
                    metadata: metadata[entry.metadata].map { LabelPair(name: string($0.name), value: string($0.value)) })
            })
        }
    }
}
