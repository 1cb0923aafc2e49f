import Foundation
import FjordLokiAPI
import FjordModel
import Testing

/// Hand-run measurement of the streams encoder (no timed assertions). Run in release:
/// `FJORD_BENCH=1 swift test -c release --filter EncodingSpeedTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FJORD_BENCH"] != nil))
struct EncodingSpeedTests {
    static func streams(lineMaker: (Int) -> [UInt8]) -> [ResultStream] {
        (0..<10).map { streamIndex in
            let labels = Labels(["app": "api", "container": "api-\(streamIndex)", "level": "info"])
            let entries = (0..<500).map { index in
                ResultEntry(timestamp: 1_795_316_400_000_000_000 + Int64(index * 10 + streamIndex) * 1_000_000,
                            line: lineMaker(index))
            }
            return ResultStream(labels: labels, streamLabels: labels, entries: entries)
        }
    }

    static func measure(_ name: String, _ streams: [ResultStream], flags: EncodingFlags = EncodingFlags()) {
        var bytes = 0
        _ = QueryResponseEncoder.encodeStreams(streams, flags: flags)
        let rounds = 50
        let clock = ContinuousClock()
        var best = Duration.seconds(1000)
        for _ in 0..<rounds {
            let elapsed = clock.measure {
                bytes = QueryResponseEncoder.encodeStreams(streams, flags: flags).bytes.count
            }
            best = min(best, elapsed)
        }
        let millis = Double(best.components.attoseconds) / 1e15 + Double(best.components.seconds) * 1000
        print("encodeStreams \(name): 5000 entries, \(bytes) bytes out, best of \(rounds): \(millis) ms "
              + "(\(Int(Double(bytes) / millis / 1000)) MB/s)")
    }

    @Test func fiveThousandEntriesOf300Bytes() {
        let plain = Array(String(repeating: "GET /api/v1/items?page=2 200 12.5ms user=alice ", count: 7).utf8.prefix(300))
        Self.measure("plain text", Self.streams { _ in plain })
        let json = Array((#"{"level":"info","event":"http.request","path":"/api/v1/items","status":200,"# +
            #""latency_ms":12.5,"user":"alice","msg":"a <b> & c","trace_id":"0af7651916cd43dd8448eb211c80319c","# +
            String(repeating: #""k":"v","#, count: 20)).utf8.prefix(300))
        Self.measure("JSON lines (quotes escaped)", Self.streams { _ in json })
        Self.measure("JSON lines, categorize-labels", Self.streams { _ in json }, flags: EncodingFlags(["categorize-labels"]))
    }
}
