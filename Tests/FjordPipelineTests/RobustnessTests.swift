import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("Robustness on damaged input")
struct RobustnessTests {
    /// Deterministic pseudo-random generator (SplitMix64).
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds = [
        #"{"a":"b\"c","n":{"x":[1,{"y":2}],"z":null},"u":"\ud83d\ude00","t":true}"#,
        #"level=info msg="hello \"world\"" n=1 key= "#,
        #"{"_entry":"inner \"line\"","k":"v"}"#,
        "\u{1B}[31mred\u{1B}[0m 10.0.0.1 ::1 2001:db8::1",
    ]

    static let pipelines: [[PipelineStage]] = [
        [.json(extractions: [])],
        [.json(extractions: [LabelExtraction(name: "x", expression: "n.x[1].y"), LabelExtraction(name: "a")])],
        [.logfmt(strict: true, keepEmpty: true, extractions: [])],
        [.logfmt(strict: false, keepEmpty: false, extractions: [LabelExtraction(name: "msg")])],
        [.unpack, .json(extractions: [])],
        [.regexp("(?P<word>[a-z]+)"), .pattern("<a> <b>")],
        [.decolorize, .lineFilter(LineFilter(op: .contains, values: [.ip("10.0.0.0/8")]))],
        [.lineFormat("{{ .a | upper }}{{ range $k, $v := . }}{{ $k }}{{ end }}"),
         .labelFormat([.template(destination: "t", template: "{{ __line__ | trunc 3 }}")])],
    ]

    @Test(arguments: 0..<pipelines.count)
    func mutatedLinesNeverBreakLabels(pipelineIndex: Int) throws {
        var generator = Generator(state: UInt64(pipelineIndex) &* 7919)
        let pipeline = try LogPipeline(stages: Self.pipelines[pipelineIndex])
        let processor = pipeline.makeProcessor(streamLabels: Labels(["a": "stream"]))
        for seed in Self.seeds {
            var bytes = Array(seed.utf8)
            for _ in 0..<300 {
                // Mutate: flip, delete or insert a byte (including invalid UTF-8 and structural characters).
                let alphabet: [UInt8] = [0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x3d, 0x20, 0xff, 0xc3, 0x00, 0x61]
                let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0 where !bytes.isEmpty: bytes[position] = alphabet.randomElement(using: &generator)!
                case 1 where !bytes.isEmpty: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &generator)!, at: min(position, bytes.count))
                }
                let result = bytes.withUnsafeBytes { processor.process(timestamp: 1, line: $0, metadata: Labels()) }
                guard let result else { continue }
                for pair in result.labels {
                    #expect(pair.name.utf8.allSatisfy { $0 < 0x80 }, "label name \(pair.name)")
                }
                #expect(result.labels["a"] == "stream")
            }
        }
    }
}
