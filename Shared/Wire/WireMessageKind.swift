/// What a frame's body holds: one byte of the header. Unknown values survive frame decoding so the receiver can
/// answer with an `unsupported` error frame instead of dropping the connection.
public struct WireMessageKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    // MARK: Connection
    /// Both sides' first frame: protocol version, role, node id, largest accepted frame.
    public static let hello = WireMessageKind(rawValue: 0x01)
    /// The failure of the request with the frame's id (or of the connection when the id is 0); always final.
    public static let error = WireMessageKind(rawValue: 0x02)
    /// Client → server: stop working on the request with this id (its caller gave up); no answer follows.
    public static let cancel = WireMessageKind(rawValue: 0x03)

    // MARK: Requests (client → server)
    public static let push = WireMessageKind(rawValue: 0x10)
    public static let select = WireMessageKind(rawValue: 0x11)
    public static let query = WireMessageKind(rawValue: 0x12)
    public static let labelNames = WireMessageKind(rawValue: 0x13)
    public static let labelValues = WireMessageKind(rawValue: 0x14)
    public static let series = WireMessageKind(rawValue: 0x15)
    public static let indexStats = WireMessageKind(rawValue: 0x16)
    public static let flush = WireMessageKind(rawValue: 0x17)
    public static let ready = WireMessageKind(rawValue: 0x18)
    /// A delete-request call to the compactor: add, list or cancel (`/loki/api/v1/delete`).
    public static let deleteRequests = WireMessageKind(rawValue: 0x19)
    /// Live tail: subscribe to new entries of matching streams; answered by `tailEntries` parts until cancelled.
    public static let tail = WireMessageKind(rawValue: 0x1A)

    // MARK: Responses (server → client)
    /// Empty success answer (push, flush).
    public static let ok = WireMessageKind(rawValue: 0x40)
    /// Part of a select answer: streams with their blocks.
    public static let streams = WireMessageKind(rawValue: 0x41)
    /// Part of a query answer.
    public static let queryResult = WireMessageKind(rawValue: 0x42)
    /// Part of a list of strings (label names or values).
    public static let names = WireMessageKind(rawValue: 0x43)
    /// Part of a list of label sets (series).
    public static let labelSets = WireMessageKind(rawValue: 0x44)
    /// Index statistics.
    public static let stats = WireMessageKind(rawValue: 0x45)
    /// Readiness: ready, or the reason why not.
    public static let readiness = WireMessageKind(rawValue: 0x46)
    /// Delete requests: the one added, or the tenant's list (empty after a cancel).
    public static let deleteRequestList = WireMessageKind(rawValue: 0x47)
    /// Part of a tail answer: new entries and drops, sent as they come.
    public static let tailEntries = WireMessageKind(rawValue: 0x48)

    /// True for the kinds a client may send as a request.
    public var isRequest: Bool { (0x10...0x3f).contains(rawValue) }

    public var description: String {
        switch self {
        case .hello: "hello"
        case .error: "error"
        case .cancel: "cancel"
        case .push: "push"
        case .select: "select"
        case .query: "query"
        case .labelNames: "labelNames"
        case .labelValues: "labelValues"
        case .series: "series"
        case .indexStats: "indexStats"
        case .flush: "flush"
        case .ready: "ready"
        case .deleteRequests: "deleteRequests"
        case .tail: "tail"
        case .ok: "ok"
        case .streams: "streams"
        case .queryResult: "queryResult"
        case .names: "names"
        case .labelSets: "labelSets"
        case .stats: "stats"
        case .readiness: "readiness"
        case .deleteRequestList: "deleteRequestList"
        case .tailEntries: "tailEntries"
        default: "kind(0x\(String(rawValue, radix: 16)))"
        }
    }
}

/// Bits of a frame's flags field.
public struct WireFrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The last frame of a response (single-frame responses set it too). Error frames are final whether set or not.
    public static let endOfStream = WireFrameFlags(rawValue: 1 << 0)
    /// The body is `[u32 raw size][zstd frame]`; the CRC covers the compressed bytes as sent.
    public static let compressed = WireFrameFlags(rawValue: 1 << 1)

    /// Every flag this version knows; a frame with any other bit set is rejected.
    public static let known: WireFrameFlags = [.endOfStream, .compressed]
}
