import FjordModel
@testable import FjordPush
import Testing

@Suite struct JSONDecoderTests {
    func decode(_ text: String) throws -> [PushStreamContent] {
        try PushJSONDecoder.decode(Array(text.utf8)).content
    }

    @Test func decodesV1WithStructuredMetadata() throws {
        let body = #"""
        {"streams": [
          {"stream": {"job": "x", "app": "a\"b", "n": 1},
           "values": [["1700000000000000000", "line \u00e9 \ud83d\ude00\n", {"trace_id": "abc", "raw": "a\nb"}],
                      null,
                      ["-5", "second", {}, "ignored", 42]]},
          {"values": null, "stream": {}},
          {"stream": {"z": "1"}, "values": []}
        ], "other": {"x": [1, 2, {"y": null}]}}
        """#
        #expect(try decode(body) == [
            PushStreamContent(labels: #"{app="a\"b", job="x", n="1"}"#, entries: [
                PushEntryContent(timestamp: 1_700_000_000_000_000_000, line: "line é 😀\n",
                                 metadata: [LabelPair("trace_id", "abc"), LabelPair("raw", #"a\nb"#)]),
                PushEntryContent(timestamp: -5, line: "second"),
            ]),
            PushStreamContent(labels: "{}", entries: []),
            PushStreamContent(labels: #"{z="1"}"#, entries: []),
        ])
    }

    @Test func streamsKeyIsCaseInsensitiveAndNullStreamsIsEmpty() throws {
        #expect(try decode(#"{"Streams":[{"stream":{"a":"b"},"values":[["1","x"]]}]}"#).count == 1)
        #expect(try decode(#"{"streams":null}"#).isEmpty)
        #expect(try decode(#"{}"#).isEmpty)
    }

    @Test func repeatedValuesKeyReplacesEntries() throws {
        let streams = try decode(#"{"streams":[{"values":[["1","a"]],"stream":{"a":"b"},"values":[["2","b"]]}]}"#)
        #expect(streams.first?.entries.map(\.timestamp) == [2])
    }

    @Test(arguments: [
        #"{"streams":[{"stream":{"a":"b"},"values":[[1,"x"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1",2]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1","x","sm"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1","x",{"k":1}]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["abc","x"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1.5","x"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["99999999999999999999","x"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":["1","x"]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":{"1":"x"}}]}"#,
        #"{"streams":[{"stream":"x","values":[]}]}"#,
        #"{"streams":{}}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1","x\q"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1","\ud800"]]}]}"#,
        #"{"streams":[{"stream":{"a":"b"},"values":[["1","x"]"#,
        #"[]"#,
        #"{"streams":[1]}"#,
    ])
    func malformedBodiesAre400(body: String) {
        let error = pushError { _ = try PushJSONDecoder.decode(Array(body.utf8)) }
        #expect(error?.status == 400)
        #expect(error?.message.isEmpty == false)
    }

    @Test func timestampErrorsAreClear() {
        #expect(pushError { _ = try decode(#"{"streams":[{"values":[["12a","x"]]}]}"#) }
            == .badRequest(#"invalid push request JSON: timestamp "12a" is not a base-10 integer (expected Unix epoch nanoseconds)"#))
        #expect(pushError { _ = try decode(#"{"streams":[{"values":[[1,"x"]]}]}"#) }
            == .badRequest("invalid push request JSON at byte 24: the timestamp must be a string of Unix epoch nanoseconds, got number"))
        #expect(pushError { _ = try PushJSONDecoder.decode([]) } == .badRequest("EOF"))
    }

    @Test func decodesLegacyShape() throws {
        let body = #"{"streams":[{"labels":"{foo=\"bar\"}","entries":[{"ts":"2018-12-18T08:28:06.801064-04:00","line":"baz"},{"line":"no ts","structuredMetadata":{"k":"v\n"}}]}]}"#
        let request = try PushJSONDecoder.decodeLegacy(Array(body.utf8))
        #expect(request.content == [PushStreamContent(labels: #"{foo="bar"}"#, entries: [
            PushEntryContent(timestamp: 1_545_136_086_801_064_000, line: "baz"),
            PushEntryContent(timestamp: PushProtobufDecoder.missingTimestamp, line: "no ts", metadata: [LabelPair("k", "v\n")]),
        ])])
        let viaBody = try PushBodyDecoder.decode(body: Array(body.utf8), contentType: "application/json",
                                                 contentEncoding: nil, version: .legacy)
        #expect(viaBody.content == request.content)
    }
}
