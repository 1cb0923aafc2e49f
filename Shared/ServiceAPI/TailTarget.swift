public import FjordModel

/// One stream's entries offered to a live tail: the stream labels and the new entries (push order).
public struct TailedStream: Sendable {
    public var labels: Labels
    public var entries: EntryBatch

    public init(labels: Labels, entries: EntryBatch) {
        self.labels = labels
        self.entries = entries
    }
}

/// What a subscription has gathered since it was last read.
public struct TailBatch: Sendable {
    public var streams: [TailedStream]
    public var dropped: [DroppedTailEntry]

    public init(streams: [TailedStream] = [], dropped: [DroppedTailEntry] = []) {
        self.streams = streams
        self.dropped = dropped
    }

    public var isEmpty: Bool { streams.isEmpty && dropped.isEmpty }
    /// Entries held (not counting drops).
    public var entryCount: Int { streams.reduce(0) { $0 + $1.entries.count } }
}

/// A live subscription to newly pushed entries of the streams that match some matchers.
public protocol TailSubscription: AnyObject, Sendable {
    /// Waits for entries (or drops) and returns everything gathered since the last call; nil once the subscription
    /// has ended (cancelled). Throws the backend's failure (the tailer closes the WebSocket with 1011 and its text).
    /// Cancelling the calling task makes it return nil.
    func next() async throws(ServiceError) -> TailBatch?
    /// Ends the subscription: the producer forgets it and a waiting ``next()`` returns nil.
    func cancel()
}

/// Where live tails subscribe: the ingester in process, or every ingester of the ring over the wire.
public protocol TailTarget: Sendable {
    /// Subscribes to entries of `tenant`'s streams matching `matchers` pushed from now on. The subscription holds at
    /// most `bufferEntries` unread entries; more are dropped and reported as ``DroppedTailEntry``s, never slowing pushes.
    func tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int) async throws(ServiceError)
        -> any TailSubscription
}
