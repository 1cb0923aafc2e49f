import FjordModel
import FjordServiceAPI
import FjordStorage
@testable import FjordWire
import NIOCore
import NIOEmbedded
import Testing

/// Deterministic random numbers (SplitMix64), so a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// ≥ 100,000 random and mutated frames and bodies: decoding must return a frame or a typed error, never crash.
@Suite struct WireFuzzTests {
    static let limit = 64 << 10

    /// Valid frames of every kind, to mutate.
    static func seeds() async throws -> [WireFrame] {
        let stream = StreamData(labels: Sample.labels("api"), blocks: [
            CompressedBlock.encode(Sample.batch(count: 40, metadataEvery: 3)),
            BatchBlock(sorted: Sample.batch(count: 30, start: 5_000)),
        ])
        var select = WireSelectEncoder(start: .min, end: .max, partBytes: 1 << 20, compressionMinimumBytes: 256)
        _ = try await select.add(stream)
        let requests: [WireRequest] = [
            .push(tenant: "t1", streams: [PushStream(labels: Sample.labels("a"), entries: Sample.batch(count: 20, metadataEvery: 2))]),
            .select(tenant: "t1", matchers: [.equal("app", "api"), try LabelMatcher(name: "env", kind: .regexMatch, value: "x|y")],
                    start: 0, end: 99),
            .query(QueryRequest(tenants: ["a", "b"], query: "{app=\"x\"} |= \"y\"", start: 1, end: 2, step: 3)),
            .labelNames(MetadataRequest(tenants: ["a"], start: 1, end: 2, selector: "{a=\"b\"}")),
            .labelValues(name: "app", MetadataRequest(tenants: ["a"], start: 1, end: 2)),
            .series(SeriesRequest(tenants: ["a"], start: 1, end: 2, selectors: ["{a=\"b\"}"])),
            .indexStats(MetadataRequest(tenants: ["a"], start: 1, end: 2)), .flush, .ready,
        ]
        var seeds = requests.enumerated().map { index, request in
            WireFrame(kind: request.kind, requestID: UInt64(index + 1), flags: .endOfStream, body: request.encodeBody())
        }
        let result = QueryResult(data: .streams([ResultStream(
            labels: Sample.labels("a"), streamLabels: Sample.labels("a"),
            entries: [ResultEntry(timestamp: 5, line: Array("x".utf8), parsed: Labels([LabelPair("k", "v")]))])]),
            warnings: ["w"])
        let matrix = QueryResult(data: .matrix([Series(labels: Sample.labels("m"), points: [SamplePoint(timestampMillis: 1, value: 2)])]))
        seeds += [
            WireFrame(kind: .streams, requestID: 20, body: select.finish()),
            WireFrame(kind: .queryResult, requestID: 21, body: WireQueryCoding.encode(result, partBytes: 1 << 20)[0]),
            WireFrame(kind: .queryResult, requestID: 22, body: WireQueryCoding.encode(matrix, partBytes: 1 << 20)[0]),
            WireFrame(kind: .names, requestID: 23, body: WireMetadataCoding.encodeNames(["a", "b"], partBytes: 100)[0]),
            WireFrame(kind: .labelSets, requestID: 24, body: WireMetadataCoding.encodeLabelSets([Sample.labels("z")], partBytes: 100)[0]),
            WireFrame(kind: .stats, requestID: 25, body: WireMetadataCoding.encodeStats(ServiceIndexStats(streams: 1, chunks: 2, bytes: 3, entries: 4))),
            WireFrame(kind: .readiness, requestID: 26, body: WireMetadataCoding.encodeReadiness("starting")),
            WireFrame(kind: .hello, requestID: 0, body: WireHello(role: "ingester", node: "i-1").encode()),
            WireFrame(kind: .error, requestID: 27, body: WireErrorBody.encode(WireError(ServiceError.tooManyRequests("slow down")))),
        ]
        return seeds
    }

    /// Decodes a body as its kind says; any outcome but a crash is fine.
    static func exerciseBody(_ frame: WireFrame) async -> Bool {
        guard let body = try? frame.uncompressedBody(limit: limit * 4) else { return false }
        switch frame.kind {
        case .streams:
            var decoder = WireSelectDecoder(maxBatchBytes: limit * 4)
            guard (try? decoder.add(part: body)) != nil else { return false }
            for stream in decoder.finish() {
                for block in stream.blocks { _ = try? await block.decode(.full) }
            }
            return true
        case .queryResult: return (try? WireQueryCoding.decode([body])) != nil
        case .names: return (try? WireMetadataCoding.decodeNames([body])) != nil
        case .labelSets: return (try? WireMetadataCoding.decodeLabelSets([body])) != nil
        case .stats: return (try? WireMetadataCoding.decodeStats(body)) != nil
        case .readiness: return (try? WireMetadataCoding.decodeReadiness(body)) != nil
        case .hello: return (try? WireHello.decode(body)) != nil
        case .error: return (try? WireErrorBody.decode(body)) != nil
        default: return (try? WireRequest.decode(kind: frame.kind, body: body)) != nil
        }
    }

    static func mutate(_ bytes: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        switch random.next() % 6 {
        case 0:  // flip a few bits
            for _ in 0..<(1 + Int(random.next() % 4)) where !out.isEmpty {
                out[Int(random.next() % UInt64(out.count))] ^= UInt8(1 << (random.next() % 8))
            }
        case 1:  // truncate
            out = Array(out.prefix(Int(random.next() % UInt64(out.count + 1))))
        case 2:  // append garbage
            out += (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 3:  // overwrite a run with one value (0x00 / 0xff / 0x80 stress varints and counts)
            if !out.isEmpty {
                let start = Int(random.next() % UInt64(out.count))
                let value: UInt8 = [0x00, 0xff, 0x80, 0x7f][Int(random.next() % 4)]
                for index in start..<min(out.count, start + 1 + Int(random.next() % 8)) { out[index] = value }
            }
        case 4:  // duplicate a slice
            if out.count > 2 {
                let start = Int(random.next() % UInt64(out.count - 1))
                let end = start + 1 + Int(random.next() % UInt64(out.count - start - 1))
                out.insert(contentsOf: out[start..<end], at: Int(random.next() % UInt64(out.count)))
            }
        default:  // entirely random bytes
            out = (0..<Int(random.next() % 200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        return out
    }

    @Test func hundredThousandMutatedFramesNeverCrashTheFrameDecoder() async throws {
        let seeds = try await Self.seeds()
        var random = SeededGenerator(state: 0x5EED_F00D)
        var decoded = 0
        var refused = 0
        for _ in 0..<60_000 {
            let seed = seeds[Int(random.next() % UInt64(seeds.count))]
            let bytes = Self.mutate(WireFrameCodec.encode(seed), &random)
            do {
                let frames = try WireFrameCodec.decodeAll(bytes, maxFrameBytes: Self.limit)
                decoded += frames.count
                for frame in frames { _ = await Self.exerciseBody(frame) }
            } catch {
                refused += 1
            }
        }
        #expect(refused > 40_000)
        #expect(decoded > 0)
    }

    @Test func hundredThousandMutatedBodiesNeverCrashTheBodyDecoders() async throws {
        let seeds = try await Self.seeds()
        var random = SeededGenerator(state: 0xB0D1_E5)
        var accepted = 0
        var refused = 0
        for _ in 0..<50_000 {
            var frame = seeds[Int(random.next() % UInt64(seeds.count))]
            frame.body = Self.mutate(frame.body, &random)
            // Framed properly, so only the body decoders stand between the bytes and the handler.
            let frames = try WireFrameCodec.decodeAll(WireFrameCodec.encode(frame), maxFrameBytes: Self.limit * 4)
            if await Self.exerciseBody(frames[0]) { accepted += 1 } else { refused += 1 }
        }
        #expect(refused > 10_000)
        #expect(accepted > 0)
    }

    @Test func mutatedStreamsThroughTheNIODecoderEndInFramesOrAnError() throws {
        var random = SeededGenerator(state: 42)
        let valid = WireFrameCodec.encode(WireFrame(kind: .push, requestID: 1, body: Array(repeating: 3, count: 50)))
        for _ in 0..<2_000 {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(WireFrameDecoder(maxFrameBytes: Self.limit)))
            let bytes = valid + Self.mutate(valid, &random) + valid
            var failed = false
            var offset = 0
            while offset < bytes.count, !failed {
                let size = 1 + Int(random.next() % 40)
                let piece = Array(bytes[offset..<min(bytes.count, offset + size)])
                offset += size
                do { try channel.writeInbound(ByteBuffer(bytes: piece)) } catch { failed = true }
            }
            let first = try channel.readInbound(as: WireFrame.self)
            #expect(first == (try WireFrameCodec.decodeAll(valid, maxFrameBytes: Self.limit)[0]))
            _ = try? channel.finish(acceptAlreadyClosed: true)
        }
    }
}
