import FjordCompression
import FjordModel
import FjordRing
import FjordServiceAPI
import FjordWire
import Foundation

/// What one fuzz connection sends to a live role's wire port, and what the server must then do.
struct WireFuzzPlan {
    /// How the connection ends.
    enum Ending: String, CaseIterable {
        /// The client half-closes after its frames; the server must close too.
        case clientClose
        /// A frame cut short, then a half-close: the server sees the stream end inside a frame.
        case truncated
        /// Random bit flips in a frame's header (length, magic, version, kind, flags, id, deadline or CRC), then a
        /// half-close (a flipped length may leave the server waiting for more bytes).
        case headerBitFlips
        /// Pure random bytes, then a half-close.
        case randomBytes
        // Frames the server must refuse on its own, with an error frame for id 0 and a close.
        case wrongVersion, wrongMagic, oversized, badChecksum, reservedField, unknownFlags, shortLength

        /// The error code the server answers a self-evident fatal frame with; nil when the client half-closes.
        var expectedCode: UInt16? {
            switch self {
            case .clientClose, .truncated, .headerBitFlips, .randomBytes: nil
            case .wrongVersion: 13
            case .wrongMagic: 12
            case .oversized: 11
            case .badChecksum: 14
            case .reservedField, .unknownFlags, .shortLength: 15
            }
        }
    }

    /// How the connection starts.
    enum Opening: String {
        /// A valid hello, then frames that are well framed but wrong inside (the connection must stay usable).
        case hello
        /// A hello with a mutated body (accepted or refused, either is fine).
        case mutatedHello
        /// A request before any hello: refused with `handshake` (6) and closed.
        case requestFirst
        /// Nothing but random bytes.
        case randomBytes
    }

    var opening: Opening
    var ending: Ending
    /// Everything to send, one element per frame (a random blob counts as one).
    var frames: [[UInt8]]
    /// After a hello, how many of `frames` are the well-framed body-level ones (the hello included); the client
    /// sends them, then waits for `minimumAnswers` final answer frames before it sends the ending, so that every
    /// one of them was really handled (the server drops whatever is still in flight when a connection dies).
    var barrier: Int?
    /// Body-level frames minus twice the cancel frames among them (a cancel gets no answer and may silence the
    /// request it names).
    var minimumAnswers = 0
    /// Request id and a short description of each body-level frame, to name the ones left unanswered.
    var bodyFrames: [(id: UInt64, what: String)] = []
    /// Whether the client half-closes after sending (otherwise the server must close by itself).
    var halfClose: Bool { ending.expectedCode == nil && opening != .requestFirst }
    /// The code the server must answer with before closing, when self-evident (after a mutated hello the server
    /// may already have refused the connection).
    var expectedCode: UInt16? {
        switch opening {
        case .requestFirst: 6
        case .hello: ending.expectedCode
        case .mutatedHello, .randomBytes: nil
        }
    }
}

/// Builds ``WireFuzzPlan``s from a seed: valid hellos followed by mutated frames (bit flips, truncation, random
/// kinds and bodies, valid headers with garbage bodies, compressed garbage, id 0 and repeated ids, tiny deadlines),
/// endings with each kind of fatal frame, and pure random bytes.
struct WireFuzzPlanner {
    static let maxFrameBytes = WireProtocol.defaultMaxFrameBytes
    private var random: SplitMix64
    private var nextID: UInt64 = 1
    /// Which kind of body-level change the last frame got (for failure messages).
    private var lastMutation = 0
    private let seeds: [WireFrame]

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        seeds = WireFuzzPlanner.seedFrames()
    }

    /// Well-formed requests the ingester serves (push, select, ready) or refuses as unsupported (query, lists).
    static func seedFrames() -> [WireFrame] {
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        var batch = EntryBatch()
        for index in 0..<20 {
            let metadata = index % 4 == 0 ? Labels([LabelPair("trace_id", "t\(index)")]) : Labels()
            batch.append(timestamp: now + Int64(index) * 1_000, line: Array("fuzz line \(index) level=info".utf8), metadata: metadata)
        }
        let labels = Labels([LabelPair("app", "fuzz"), LabelPair("env", "test")])
        let matchers = [LabelMatcher.equal("app", "fuzz"), (try? LabelMatcher(name: "env", kind: .regexMatch, value: "te.*"))]
            .compactMap { $0 }
        let requests: [WireRequest] = [
            .push(tenant: "fuzz", streams: [PushStream(labels: labels, entries: batch)]),
            .push(tenant: "fuzz", streams: [PushStream(labels: Labels([LabelPair("app", "other")]), entries: batch)]),
            .select(tenant: "fuzz", matchers: matchers, start: now - 1_000_000_000, end: now + 1_000_000_000),
            .ready,
            .query(QueryRequest(tenants: ["fuzz"], query: "{app=\"fuzz\"}", start: 1, end: 2, step: 3)),
            .labelValues(name: "app", MetadataRequest(tenants: ["fuzz"], start: 1, end: 2, selector: "{a=\"b\"}")),
            .series(SeriesRequest(tenants: ["fuzz"], start: 1, end: 2, selectors: ["{a=\"b\"}"])),
        ]
        return requests.map { WireFrame(kind: $0.kind, requestID: 1, flags: .endOfStream, deadlineMillis: 30_000, body: $0.encodeBody()) }
    }

    // MARK: - Plans

    mutating func next() -> WireFuzzPlan {
        let roll = random.next() % 100
        let opening: WireFuzzPlan.Opening = roll < 82 ? .hello : roll < 90 ? .mutatedHello : roll < 95 ? .requestFirst : .randomBytes
        var frames: [[UInt8]] = []
        switch opening {
        case .hello: frames.append(encode(hello()))
        case .mutatedHello:
            var frame = hello()
            frame.body = mutate(frame.body)
            frames.append(encode(frame))
        case .requestFirst: frames.append(encode(seed()))
        case .randomBytes:
            frames.append(randomBytes(count: 1 + below(4096)))
            return WireFuzzPlan(opening: opening, ending: .randomBytes, frames: frames)
        }
        guard opening != .requestFirst else { return WireFuzzPlan(opening: opening, ending: .clientClose, frames: frames) }
        let count = 20 + below(400)
        var cancels = 0
        var bodyFrames: [(id: UInt64, what: String)] = []
        for _ in 0..<count {
            let frame = bodyLevelFrame()
            if frame.kind == .cancel { cancels += 1 }
            frames.append(encode(frame))
            bodyFrames.append((frame.requestID, "\(frame.kind) (mutation \(lastMutation), deadline \(frame.header.deadlineMillis) ms)"))
        }
        let ending = WireFuzzPlan.Ending.allCases[below(WireFuzzPlan.Ending.allCases.count)]
        var plan = WireFuzzPlan(opening: opening, ending: ending, frames: frames)
        plan.bodyFrames = bodyFrames
        plan.barrier = frames.count
        plan.minimumAnswers = count - 2 * cancels
        plan.frames.append(endingBytes(ending))
        return plan
    }

    /// A frame the decoder accepts (length, magic, version, CRC, flags all fine) whose content is wrong or
    /// unexpected: the server must answer it (or ignore a cancel) and keep the connection.
    private mutating func bodyLevelFrame() -> WireFrame {
        var frame = seed()
        lastMutation = Int(random.next() % 12)
        switch lastMutation {
        case 0, 1, 2: frame.body = mutate(frame.body)                                  // mutated body
        case 3: break                                                                  // valid request
        case 4: frame.header.kind = WireMessageKind(rawValue: UInt8(truncatingIfNeeded: random.next()))
            frame.body = randomBytes(count: below(300))                                // random kind and body
        case 5: frame.body = randomBytes(count: below(600))                            // valid header, garbage body
        case 6: frame.header.flags.insert(.compressed)                                 // compressed garbage
            frame.body = compressedGarbage(frame.body)
        case 7: frame.header.requestID = random.next() % 3 == 0 ? 0 : max(1, nextID - 2)  // id 0 or an id in flight
            frame.body = random.next() % 2 == 0 ? frame.body : mutate(frame.body)
        case 8: frame = [hello(), WireFrame(kind: .cancel, requestID: UInt64(below(Int(nextID) + 2))),
                         WireFrame(kind: .ok, requestID: nextID, flags: .endOfStream),
                         WireFrame(kind: .error, requestID: nextID, body: randomBytes(count: below(40)))][below(4)]
        case 9: frame.header.deadlineMillis = UInt32(1 + below(3))                     // deadline that passes at once
        case 10: frame.header.kind = [WireMessageKind.flush, .indexStats, .labelNames][below(3)]
            frame.body = mutate(frame.body)
            // Never an empty flush: that is a real flush of every stream, whose cost is the disk's (thousands of
            // fsynced chunk files), not the protocol's.
            if frame.kind == .flush, frame.body.isEmpty { frame.body = [0] }
        default: frame.header.flags = random.next() % 2 == 0 ? [] : .endOfStream     // flags the server ignores
            frame.body = mutate(frame.body)
        }
        return frame
    }

    /// The last bytes of a connection: one kind of broken frame.
    private mutating func endingBytes(_ ending: WireFuzzPlan.Ending) -> [UInt8] {
        var bytes = encode(seed())
        func put32(_ value: UInt32, at offset: Int) {
            for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (24 - 8 * index)) }
        }
        switch ending {
        case .clientClose: return encode(bodyLevelFrame())
        case .truncated: return Array(bytes.prefix(1 + below(bytes.count - 1)))
        case .headerBitFlips:
            for _ in 0..<(1 + below(3)) { bytes[below(WireProtocol.frameOverhead)] ^= UInt8(1 << below(8)) }
            return bytes
        case .randomBytes: return randomBytes(count: 1 + below(2048))
        case .wrongVersion: bytes[6] = UInt8(2 + below(254))
        case .wrongMagic: bytes[4 + below(2)] ^= UInt8(1 << below(8))
        case .oversized:
            put32(UInt32(WireFuzzPlanner.maxFrameBytes + 1 + below(Int(UInt32.max) - WireFuzzPlanner.maxFrameBytes - 1)), at: 0)
            return Array(bytes.prefix(WireProtocol.frameOverhead))
        case .badChecksum:  // a flipped body bit, or a flipped CRC bit when the body is empty
            let start = bytes.count > WireProtocol.frameOverhead ? WireProtocol.frameOverhead : WireProtocol.frameOverhead - 4
            bytes[start + below(bytes.count - start)] ^= UInt8(1 << below(8))
        case .reservedField: return reframed(bytes) { $0[10 + below(2)] |= UInt8(1 << below(8)) }
        case .unknownFlags: return reframed(bytes) { $0[8 + below(2)] |= (below(2) == 0 ? 0x80 : 0x04) }
        case .shortLength: put32(UInt32(below(WireProtocol.headerSize)), at: 0)
        }
        return bytes
    }

    /// Applies `change` to the header, then fixes the CRC so that only the change is wrong.
    private func reframed(_ bytes: [UInt8], _ change: (inout [UInt8]) -> Void) -> [UInt8] {
        var out = bytes
        change(&out)
        let crc = CRC32C.checksum(Array(out[28...]), continuing: CRC32C.checksum(Array(out[0..<24])))
        for index in 0..<4 { out[24 + index] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * index)) }
        return out
    }

    // MARK: - Pieces

    private func hello() -> WireFrame {
        WireFrame(kind: .hello, requestID: 0, flags: .endOfStream, body: WireHello(role: "gateway", node: "fuzzer").encode())
    }

    private mutating func seed() -> WireFrame {
        var frame = seeds[below(seeds.count)]
        frame.header.requestID = nextID
        nextID += 1
        return frame
    }

    private func encode(_ frame: WireFrame) -> [UInt8] { WireFrameCodec.encode(frame) }

    /// `[u32 raw size][bytes]` whose size claim or zstd frame is wrong (random size, a real frame of a mutated
    /// body, a real frame with the wrong size, or random bytes).
    private mutating func compressedGarbage(_ body: [UInt8]) -> [UInt8] {
        var size = UInt32(body.count)
        var packed = Zstd.compress(body)
        switch random.next() % 4 {
        case 0: size = UInt32(truncatingIfNeeded: random.next())
        case 1: packed = mutate(packed)
        case 2: size = size &+ UInt32(1 + below(1 << 20))
        default: packed = randomBytes(count: below(200))
        }
        return [UInt8(size >> 24), UInt8(truncatingIfNeeded: size >> 16), UInt8(truncatingIfNeeded: size >> 8),
                UInt8(truncatingIfNeeded: size)] + packed
    }

    /// Bit flips, truncation, appended garbage, runs of 0x00/0xff/0x80/0x7f (counts and varints), or random bytes.
    private mutating func mutate(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        switch random.next() % 5 {
        case 0:
            for _ in 0..<(1 + below(4)) where !out.isEmpty { out[below(out.count)] ^= UInt8(1 << below(8)) }
        case 1: out = Array(out.prefix(below(out.count + 1)))
        case 2: out += randomBytes(count: below(64))
        case 3:
            if !out.isEmpty {
                let start = below(out.count)
                let value: UInt8 = [0x00, 0xff, 0x80, 0x7f][below(4)]
                for index in start..<min(out.count, start + 1 + below(8)) { out[index] = value }
            }
        default: out = randomBytes(count: below(200))
        }
        return out
    }

    private mutating func randomBytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    private mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(random.next() % UInt64(bound)) }
}
