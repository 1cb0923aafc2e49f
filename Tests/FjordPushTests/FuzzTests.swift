import FjordCompression
import FjordModel
@testable import FjordPush
import Testing

/// Deterministic pseudo-random bytes (SplitMix64) so a failing case can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct FuzzTests {
    static let sample: [PushStreamContent] = [
        PushStreamContent(labels: #"{app="api", level="info"}"#, entries: (0..<20).map { index in
            PushEntryContent(timestamp: 1_700_000_000_000_000_000 + Int64(index),
                             line: #"{"level":"info","msg":"line \#(index)"}"#,
                             metadata: index % 3 == 0 ? [LabelPair("trace_id", "t\(index)")] : [])
        }),
        PushStreamContent(labels: #"{"service.name"="x"}"#, entries: [PushEntryContent(timestamp: 1, line: "err")]),
    ]

    /// Every outcome must be a decoded request or a 400/413 `PushError`; a crash fails the whole run.
    func checkProtobuf(_ bytes: [UInt8]) {
        do {
            let request = try PushProtobufDecoder.decode(bytes)
            for entry in request.entries {
                #expect(entry.line.end <= request.buffer.count)
                for pair in request.metadata[entry.metadata] {
                    #expect(pair.name.end <= request.buffer.count && pair.value.end <= request.buffer.count)
                }
            }
            _ = try? PushValidator().validate(request, now: 1_700_000_000_000_000_000)
        } catch {
            #expect(error.status == 400)
        }
    }

    func checkJSON(_ bytes: [UInt8]) {
        do {
            let request = try PushJSONDecoder.decode(bytes)
            _ = try? PushValidator().validate(request, now: 1_700_000_000_000_000_000)
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test func randomBytesNeverCrashTheDecoders() {
        var random = SplitMix(state: 42)
        for round in 0..<3000 {
            let count = Int.random(in: 0..<200, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = 0x0A } // steer towards the streams field
            checkProtobuf(bytes)
            checkJSON(bytes)
            let body = Snappy.compress(bytes)
            _ = pushError { _ = try PushBodyDecoder.decode(body: body, contentType: "application/x-protobuf", contentEncoding: nil) }
        }
    }

    @Test func truncationsAndBitFlipsOfAValidProtobufBody() {
        let valid = PushProtobufEncoder.encode(Self.sample)
        for length in 0..<valid.count { checkProtobuf(Array(valid[0..<length])) }
        var random = SplitMix(state: 7)
        for _ in 0..<3000 {
            var mutated = valid
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<mutated.count, using: &random)
                mutated[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            }
            checkProtobuf(mutated)
        }
    }

    @Test func truncationsAndBitFlipsOfAValidJSONBody() {
        let valid = Array(#"""
        {"streams":[{"stream":{"app":"a","x":"\u00e9"},"values":[["1700000000000000000","{\"level\":\"warn\"} \\ \ud83d\ude00",{"k":"v"}],["1700000000000000001","level=error msg=\"x\""]]}]}
        """#.utf8)
        for length in 0..<valid.count { checkJSON(Array(valid[0..<length])) }
        var random = SplitMix(state: 9)
        for _ in 0..<3000 {
            var mutated = valid
            let index = Int.random(in: 0..<mutated.count, using: &random)
            mutated[index] = UInt8.random(in: 0...255, using: &random)
            checkJSON(mutated)
        }
    }

    @Test func randomLabelStringsNeverCrashTheParser() {
        var random = SplitMix(state: 3)
        let alphabet = Array(#"{}=,"'`\ab_.!~#xu0D8\n é"#.utf8) + [0xFF, 0xC3]
        for _ in 0..<5000 {
            let bytes = (0..<Int.random(in: 0..<24, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? 0 }
            let result: Result<[LabelPair], LabelParseError> = bytes.withUnsafeBytes { buffer in
                Result { () throws(LabelParseError) -> [LabelPair] in try LabelParser.parsePairs(buffer) }
            }
            if case .failure(let error) = result {
                #expect(error.column >= 1 && error.line >= 1)
            }
        }
    }
}
