import FjordLokiAPI
import FjordModel
import Testing

@Suite struct MetadataEncoderTests {
    @Test func labelValues() {
        #expect(MetadataResponseEncoder.encodeLabelValues(["b", "a<", "b", "B"]).text
            == #"{"status":"success","data":["B","a<","b"]}"# + "\n")
        #expect(MetadataResponseEncoder.encodeLabelValues([]).text == #"{"status":"success"}"# + "\n")
        #expect(MetadataResponseEncoder.encodeLabelValues([]).contentType == "application/json; charset=UTF-8")
    }

    @Test func series() {
        let body = MetadataResponseEncoder.encodeSeries([Labels(["b": "2", "a": "1"]), Labels(["x": "\"q\""])])
        #expect(body.text == #"{"status":"success","data":[{"a":"1","b":"2"},{"x":"\"q\""}]}"# + "\n")
        #expect(MetadataResponseEncoder.encodeSeries([]).text == #"{"status":"success","data":[]}"# + "\n")
    }

    @Test func indexStats() {
        #expect(MetadataResponseEncoder.encodeIndexStats(streams: 3, chunks: 4, bytes: 12345, entries: 67).text
            == #"{"streams":3,"chunks":4,"bytes":12345,"entries":67}"# + "\n")
    }

    @Test func buildInfo() {
        let body = MetadataResponseEncoder.encodeBuildInfo(BuildInfo(version: "3.5.0", revision: "abc", goVersion: "swift"))
        #expect(body.text
            == #"{"version":"3.5.0","revision":"abc","branch":"","buildUser":"","buildDate":"","goVersion":"swift"}"# + "\n")
        #expect(body.contentType == "application/json")
    }

    @Test func formatQuery() {
        let ok = MetadataResponseEncoder.encodeFormatQuery(prettified: "{app=\"foo\"} |= \"<x>\"")
        #expect(ok.status == 200)
        #expect(ok.text == #"{"status":"success","data":"{app=\"foo\"} |= \"\u003cx\u003e\""}"# + "\n")
        let bad = MetadataResponseEncoder.encodeFormatQueryError("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
        #expect(bad.status == 400)
        #expect(bad.contentType == "application/json; charset=utf-8")
        #expect(bad.text
            == #"{"status":"invalid-query","error":"parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"}"# + "\n")
    }

    @Test func ready() {
        #expect(MetadataResponseEncoder.encodeReady().text == "ready\n")
        let notReady = MetadataResponseEncoder.encodeReady(notReadyReason: "Ingester not ready: waiting")
        #expect(notReady.status == 503)
        #expect(notReady.text == "Ingester not ready: waiting\n")
    }

    @Test func tailFrames() {
        let streams = [ResultStream(
            labels: Labels(["app": "api"]), streamLabels: Labels(["app": "api"]),
            entries: [ResultEntry(timestamp: 12, line: Array("<hi>".utf8), structuredMetadata: Labels(["t": "1"]))])]
        #expect(String(decoding: TailFrameEncoder.encode(streams: streams), as: UTF8.self)
            == #"{"streams":[{"stream":{"app":"api"},"values":[["12","\u003chi\u003e"]]}]}"#)
        let dropped = TailFrameEncoder.encode(
            streams: [], dropped: [DroppedTailEntry(timestamp: 99, labels: Labels(["a": "<b>"]))],
            flags: EncodingFlags(["categorize-labels"]))
        #expect(String(decoding: dropped, as: UTF8.self)
            == #"{"streams":[],"dropped_entries":[{"timestamp":"99","labels":{"a":"\u003cb\u003e"}}],"encodingFlags":["categorize-labels"]}"#)
        let categorized = TailFrameEncoder.encode(streams: streams, flags: EncodingFlags(["categorize-labels"]))
        #expect(String(decoding: categorized, as: UTF8.self)
            == #"{"streams":[{"stream":{"app":"api"},"values":[["12","\u003chi\u003e",{"structuredMetadata":{"t":"1"}}]]}],"encodingFlags":["categorize-labels"]}"#)
    }

    @Test func legacyShapes() {
        let streams = [ResultStream(
            labels: Labels(["app": "api"]), streamLabels: Labels(["app": "api"]),
            entries: [ResultEntry(timestamp: 1_795_316_400_500_000_000, line: Array("x&y".utf8))])]
        let query = LegacyResponseEncoder.encodeQuery(streams).text
        #expect(query == #"{"stats":"# + StatsGolden.zero
            + #","streams":[{"labels":"{app=\"api\"}","entries":[{"ts":"2026-11-22T03:00:00.5Z","line":"x\u0026y"}]}]}"# + "\n")
        #expect(LegacyResponseEncoder.encodeLabelValues(["b", "a"]).text == #"{"values":["a","b"]}"# + "\n")
        #expect(LegacyResponseEncoder.encodeLabelValues([]).text == "{}\n")
        #expect(String(decoding: TailFrameEncoder.encodeLegacy(
            streams: streams, dropped: [DroppedTailEntry(timestamp: 0, labels: Labels(["a": "b"]))]), as: UTF8.self)
            == #"{"streams":[{"labels":"{app=\"api\"}","entries":[{"ts":"2026-11-22T03:00:00.5Z","line":"x\u0026y"}]}],"#
            + #""dropped_entries":[{"Timestamp":"1970-01-01T00:00:00Z","Labels":"{a=\"b\"}"}]}"# + "\n")
    }
}
