import FjordLokiAPI
import FjordModel
import Testing

@Suite struct QueryEncoderTests {
    static let zeroStats = StatsGolden.zero

    @Test func streamsGolden() {
        let streams = [
            ResultStream(
                labels: Labels(["app": "api", "detected_level": "info"]), streamLabels: Labels(["app": "api"]),
                entries: [
                    ResultEntry(timestamp: 1_588_889_221_500_000_000, line: Array("b <done> & \"ok\"".utf8)),
                    ResultEntry(timestamp: 1_588_889_221_000_000_000, line: Array("a".utf8)),
                ]),
            ResultStream(
                labels: Labels(["app": "web<1>"]), streamLabels: Labels(["app": "web<1>"]),
                entries: [ResultEntry(timestamp: 7, line: Array("tab\there\nnext".utf8))]),
        ]
        let body = QueryResponseEncoder.encodeStreams(streams)
        #expect(body.contentType == "application/json; charset=UTF-8")
        #expect(body.status == 200)
        #expect(body.text == #"{"status":"success","data":{"resultType":"streams","result":["#
            + #"{"stream":{"app":"api","detected_level":"info"},"values":[["1588889221500000000","b \u003cdone\u003e \u0026 \"ok\""],["1588889221000000000","a"]]},"#
            + #"{"stream":{"app":"web<1>"},"values":[["7","tab\there\nnext"]]}"#
            + #"],"stats":"# + Self.zeroStats + "}}\n")
    }

    @Test func emptyStreamsWithWarnings() {
        let body = QueryResponseEncoder.encodeStreams([], warnings: ["w<1>"])
        #expect(body.text == #"{"status":"success","warnings":["w<1>"],"data":{"resultType":"streams","result":[],"stats":"#
            + Self.zeroStats + "}}\n")
    }

    @Test func categorizedLabelsRegroupByStreamLabels() {
        let streamLabels = Labels(["app": "api"])
        let streams = [
            ResultStream(
                labels: Labels(["app": "api", "level": "error"]), streamLabels: streamLabels,
                entries: [
                    ResultEntry(timestamp: 30, line: Array("c".utf8), parsed: Labels(["level": "error"])),
                    ResultEntry(timestamp: 10, line: Array("a".utf8), parsed: Labels(["level": "error"])),
                ]),
            ResultStream(
                labels: Labels(["app": "api", "trace": "t1"]), streamLabels: streamLabels,
                entries: [
                    ResultEntry(
                        timestamp: 20, line: Array("b".utf8), structuredMetadata: Labels(["trace": "t1"]),
                        parsed: Labels(["x": "<y>"])),
                ]),
            ResultStream(
                labels: Labels(["app": "aaa"]), streamLabels: Labels(["app": "aaa"]),
                entries: [ResultEntry(timestamp: 5, line: Array("z".utf8))]),
        ]
        let body = QueryResponseEncoder.encodeStreams(
            streams, flags: EncodingFlags.parse(header: "categorize-labels"), direction: .backward)
        #expect(body.text == #"{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":["#
            + #"{"stream":{"app":"aaa"},"values":[["5","z",{}]]},"#
            + #"{"stream":{"app":"api"},"values":[["30","c",{"parsed":{"level":"error"}}],"#
            + #"["20","b",{"structuredMetadata":{"trace":"t1"},"parsed":{"x":"<y>"}}],"#
            + #"["10","a",{"parsed":{"level":"error"}}]]}"#
            + #"],"stats":"# + Self.zeroStats + "}}\n")

        let forward = QueryResponseEncoder.encodeStreams(
            [streams[1], streams[0]].map { stream in
                var copy = stream
                copy.entries.reverse()
                return copy
            }, flags: EncodingFlags(["categorize-labels"]), direction: .forward)
        #expect(forward.text.contains(#""values":[["10","a","#))
        #expect(forward.text.contains(#"["20","b","#))
        #expect(forward.text.range(of: #"["10""#)!.lowerBound < forward.text.range(of: #"["20""#)!.lowerBound)
        #expect(forward.text.range(of: #"["20""#)!.lowerBound < forward.text.range(of: #"["30""#)!.lowerBound)
    }

    @Test func matrixGolden() {
        let data = QueryResultData.matrix([
            Series(labels: Labels(["level": "<err>"]), points: [
                SamplePoint(timestampMillis: 1_588_889_221_000, value: 1),
                SamplePoint(timestampMillis: 1_588_889_221_500, value: 0.5),
                SamplePoint(timestampMillis: 1_588_889_222_005, value: .nan),
            ]),
            Series(labels: Labels(), points: [SamplePoint(timestampMillis: 60_000, value: .infinity)]),
        ])
        let body = QueryResponseEncoder.encodeMetric(data, warnings: ["careful & slow"])
        #expect(body.contentType == "application/json")
        #expect(body.text == #"{"status":"success","data":{"resultType":"matrix","result":["#
            + #"{"metric":{"level":"\u003cerr\u003e"},"values":[[1588889221,"1"],[1588889221.5,"0.5"],[1588889222.005,"NaN"]]},"#
            + #"{"metric":{},"values":[[60,"+Inf"]]}"#
            + #"],"stats":"# + Self.zeroStats + #"},"warnings":["careful \u0026 slow"]}"#)
    }

    @Test func vectorAndScalarGolden() {
        let vector = QueryResponseEncoder.encodeMetric(.vector([
            InstantSample(labels: Labels(["service": "api"]), timestampMillis: 1_588_889_221_000, value: 1267.1266666666666),
            InstantSample(labels: Labels(), timestampMillis: 1_588_889_221_000, value: -.infinity),
        ]))
        #expect(vector.text == #"{"status":"success","data":{"resultType":"vector","result":["#
            + #"{"metric":{"service":"api"},"value":[1588889221,"1267.1266666666666"]},"#
            + #"{"metric":{},"value":[1588889221,"-Inf"]}"#
            + #"],"stats":"# + Self.zeroStats + "}}")

        let scalar = QueryResponseEncoder.encode(QueryResult(data: .scalar(timestampMillis: 1_588_889_221_500, value: 2)))
        #expect(scalar.text == #"{"status":"success","data":{"resultType":"scalar","result":[1588889221.5,"2"],"stats":"#
            + Self.zeroStats + "}}")
    }

    @Test func emptyVector() {
        let body = QueryResponseEncoder.encodeMetric(.vector([]))
        #expect(body.text.hasPrefix(#"{"status":"success","data":{"resultType":"vector","result":[],"stats":{"#))
    }

    @Test func statsAreFilledFromStatistics() {
        var statistics = QueryStatistics()
        statistics.totalBytesProcessed = 1281
        statistics.totalLinesProcessed = 3
        statistics.execTimeSeconds = 0.0952024
        statistics.queueTimeSeconds = 0.000024
        statistics.totalEntriesReturned = 2
        statistics.decompressedBytes = 1281
        statistics.chunksReferenced = 3
        statistics.ingestersReached = 1
        let streams = QueryResponseEncoder.encodeStreams([], statistics: statistics).text
        #expect(streams.contains(
            #""summary":{"bytesProcessedPerSecond":13455,"linesProcessedPerSecond":31,"totalBytesProcessed":1281,"#
                + #""totalLinesProcessed":3,"execTime":0.095202,"queueTime":0.000024,"subqueries":0,"totalEntriesReturned":2,"#))
        #expect(streams.contains(#""querier":{"store":{"totalChunksRef":3,"#))
        #expect(streams.contains(#""decompressedBytes":1281,"#))
        #expect(streams.contains(#""ingester":{"totalReached":1,"#))
        #expect(streams.contains(#""index":{"totalChunks":3,"postFilterChunks":3,"#))
        // The frontend's encoding/json writes the shortest float, with Go's exponent form below 1e-6.
        statistics.queueTimeSeconds = 0.0000024
        let metric = QueryResponseEncoder.encodeMetric(.vector([]), statistics: statistics).text
        #expect(metric.contains(#""execTime":0.0952024,"queueTime":0.0000024,"#))
        statistics.queueTimeSeconds = 0.00000024
        statistics.execTimeSeconds = 1.5e21
        let tiny = QueryResponseEncoder.encodeMetric(.vector([]), statistics: statistics).text
        #expect(tiny.contains(#""execTime":1.5e+21,"queueTime":2.4e-7,"#))
        let lossy = QueryResponseEncoder.encodeStreams([], statistics: statistics).text
        #expect(lossy.contains(#""execTime":1.5e+21,"queueTime":0,"#))
    }
}
