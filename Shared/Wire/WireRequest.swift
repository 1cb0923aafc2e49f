public import FjordModel
public import FjordServiceAPI

/// A decoded request: one case per RPC, with its body layout in `docs/wire-protocol.md`.
public enum WireRequest: Sendable {
    case push(tenant: String, streams: [PushStream])
    case select(tenant: String, matchers: [LabelMatcher], start: Int64, end: Int64)
    case query(QueryRequest)
    case labelNames(MetadataRequest)
    case labelValues(name: String, MetadataRequest)
    case series(SeriesRequest)
    case indexStats(MetadataRequest)
    case flush
    case ready
    case deleteRequests(DeleteRequestCall)
    case tail(tenant: String, matchers: [LabelMatcher], bufferEntries: Int)

    /// The frame kind that carries this request.
    public var kind: WireMessageKind {
        switch self {
        case .push: .push
        case .select: .select
        case .query: .query
        case .labelNames: .labelNames
        case .labelValues: .labelValues
        case .series: .series
        case .indexStats: .indexStats
        case .flush: .flush
        case .ready: .ready
        case .deleteRequests: .deleteRequests
        case .tail: .tail
        }
    }

    /// The request's body (uncompressed).
    public func encodeBody() -> [UInt8] {
        var writer = WireWriter()
        switch self {
        case .push(let tenant, let streams):
            writer.string(tenant)
            writer.count(streams.count)
            for stream in streams {
                writer.labels(stream.labels)
                writer.entryBatch(stream.entries)
            }
        case .select(let tenant, let matchers, let start, let end):
            writer.string(tenant)
            writer.matchers(matchers)
            writer.varint(start)
            writer.varint(end)
        case .query(let request):
            writer.strings(request.tenants)
            writer.string(request.query)
            writer.varint(request.start)
            writer.varint(request.end)
            writer.varint(request.step)
            writer.varint(request.interval)
            writer.count(max(0, request.limit))
            writer.u8(request.direction == .forward ? 0 : 1)
            writer.bool(request.isInstant)
        case .labelNames(let request), .indexStats(let request):
            writer.metadataRequest(request)
        case .labelValues(let name, let request):
            writer.string(name)
            writer.metadataRequest(request)
        case .series(let request):
            writer.strings(request.tenants)
            writer.varint(request.start)
            writer.varint(request.end)
            writer.strings(request.selectors)
        case .flush, .ready:
            break
        case .deleteRequests(let call):
            call.encode(into: &writer)
        case .tail(let tenant, let matchers, let bufferEntries):
            writer.string(tenant)
            writer.matchers(matchers)
            writer.count(max(1, bufferEntries))
        }
        return writer.take()
    }

    /// Decodes a request body of `kind`. Throws `unsupported` for a kind that is not a request, `malformedBody`
    /// for a body that does not decode.
    public static func decode(kind: WireMessageKind, body: [UInt8]) throws(WireError) -> WireRequest {
        var reader = WireReader(body, message: "\(kind) request")
        let request: WireRequest
        switch kind {
        case .push:
            let tenant = try reader.string()
            let streamCount = try reader.count(minimumBytesEach: 3, "stream count")
            var streams: [PushStream] = []
            streams.reserveCapacity(streamCount)
            for _ in 0..<streamCount {
                let labels = try reader.labels()
                streams.append(PushStream(labels: labels, entries: try reader.entryBatch()))
            }
            request = .push(tenant: tenant, streams: streams)
        case .select:
            let tenant = try reader.string()
            let matchers = try reader.matchers()
            request = .select(tenant: tenant, matchers: matchers, start: try reader.varint(), end: try reader.varint())
        case .query:
            let tenants = try reader.strings()
            let query = try reader.string()
            let start = try reader.varint()
            let end = try reader.varint()
            let step = try reader.varint()
            let interval = try reader.varint()
            let limit = try reader.count(limit: Int(Int32.max), minimumBytesEach: 0, "limit")
            let directionCode = try reader.u8()
            guard directionCode <= 1 else { throw reader.failure("direction \(directionCode)") }
            let direction: Direction = directionCode == 0 ? .forward : .backward
            let instant = try reader.bool()
            request = .query(QueryRequest(tenants: tenants, query: query, start: start, end: end, step: step,
                                          interval: interval, limit: limit, direction: direction, isInstant: instant))
        case .labelNames:
            request = .labelNames(try reader.metadataRequest())
        case .indexStats:
            request = .indexStats(try reader.metadataRequest())
        case .labelValues:
            let name = try reader.string()
            request = .labelValues(name: name, try reader.metadataRequest())
        case .series:
            let tenants = try reader.strings()
            let start = try reader.varint()
            let end = try reader.varint()
            request = .series(SeriesRequest(tenants: tenants, start: start, end: end, selectors: try reader.strings()))
        case .flush:
            request = .flush
        case .ready:
            request = .ready
        case .deleteRequests:
            request = .deleteRequests(try DeleteRequestCall.decode(&reader))
        case .tail:
            let tenant = try reader.string()
            let matchers = try reader.matchers()
            let buffer = try reader.count(limit: 1 << 24, minimumBytesEach: 0, "tail buffer entries")
            request = .tail(tenant: tenant, matchers: matchers, bufferEntries: buffer)
        default:
            throw WireError(.unsupported, "\(kind) is not a request this node understands")
        }
        try reader.expectEnd()
        return request
    }
}

extension WireWriter {
    mutating func strings(_ values: [String]) {
        count(values.count)
        for value in values { string(value) }
    }

    mutating func metadataRequest(_ request: MetadataRequest) {
        strings(request.tenants)
        varint(request.start)
        varint(request.end)
        bool(request.selector != nil)
        if let selector = request.selector { string(selector) }
    }
}

extension WireReader {
    mutating func strings() throws(WireError) -> [String] {
        let stringCount = try count(minimumBytesEach: 1, "string count")
        var out: [String] = []
        out.reserveCapacity(stringCount)
        for _ in 0..<stringCount { out.append(try string()) }
        return out
    }

    mutating func metadataRequest() throws(WireError) -> MetadataRequest {
        let tenants = try strings()
        let start = try varint()
        let end = try varint()
        let selector: String? = try bool() ? try string() : nil
        return MetadataRequest(tenants: tenants, start: start, end: end, selector: selector)
    }
}
