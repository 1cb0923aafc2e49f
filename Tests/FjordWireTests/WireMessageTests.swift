import FjordModel
import FjordServiceAPI
import FjordStorage
@testable import FjordWire
import Testing

@Suite struct WireMessageTests {
    static func roundTrip(_ request: WireRequest) throws -> WireRequest {
        try WireRequest.decode(kind: request.kind, body: request.encodeBody())
    }

    @Test func pushKeepsStreamsEntriesAndMetadata() throws {
        var unordered = EntryBatch()
        unordered.append(timestamp: 50, line: Array("later".utf8))
        unordered.append(timestamp: -3, line: Array("negative and earlier".utf8), metadata: Labels([LabelPair("k", "v")]))
        unordered.append(timestamp: .max, line: [UInt8]())
        let streams = [PushStream(labels: Sample.labels("a"), entries: Sample.batch(count: 100, metadataEvery: 7)),
                       PushStream(labels: Labels([LabelPair("weird name", "väl\"ue\n")]), entries: unordered),
                       PushStream(labels: Labels(), entries: EntryBatch())]
        guard case .push(let tenant, let decoded) = try Self.roundTrip(.push(tenant: "tenant-1", streams: streams)) else {
            Issue.record("not a push")
            return
        }
        #expect(tenant == "tenant-1")
        #expect(decoded.count == 3)
        for (left, right) in zip(streams, decoded) {
            #expect(left.labels == right.labels)
            #expect(left.entries.sameEntries(as: right.entries))
        }
    }

    @Test func selectKeepsMatchersStructurally() throws {
        let matchers = [LabelMatcher.equal("app", "api"), try LabelMatcher(name: "env", kind: .notRegexMatch, value: "dev|test"),
                        try LabelMatcher(name: "x", kind: .notEqual, value: ""), try LabelMatcher(name: "y", kind: .regexMatch, value: ".+")]
        guard case .select(let tenant, let decoded, let start, let end) =
            try Self.roundTrip(.select(tenant: "t", matchers: matchers, start: -5, end: .max)) else {
            Issue.record("not a select")
            return
        }
        #expect(tenant == "t" && start == -5 && end == .max)
        #expect(decoded == matchers)
        #expect(decoded[1].matches("prod") && !decoded[1].matches("dev"))
    }

    @Test func queryAndMetadataRequestsRoundTrip() throws {
        let query = QueryRequest(tenants: ["a", "b"], query: "sum(rate({app=\"x\"}[5m]))", start: 1, end: 2, step: 3,
                                 interval: 4, limit: 5000, direction: .forward, isInstant: true)
        guard case .query(let decodedQuery) = try Self.roundTrip(.query(query)) else { Issue.record("query"); return }
        #expect(decodedQuery == query)
        let metadata = MetadataRequest(tenants: ["a"], start: 10, end: 20, selector: "{app=\"x\"}")
        guard case .labelNames(let names) = try Self.roundTrip(.labelNames(metadata)) else { Issue.record("names"); return }
        #expect(names == metadata)
        let bare = MetadataRequest(tenants: ["a"], start: 10, end: 20)
        guard case .labelValues(let name, let values) = try Self.roundTrip(.labelValues(name: "app", bare)) else {
            Issue.record("values")
            return
        }
        #expect(name == "app" && values == bare && values.selector == nil)
        guard case .indexStats(let stats) = try Self.roundTrip(.indexStats(metadata)) else { Issue.record("stats"); return }
        #expect(stats == metadata)
        let series = SeriesRequest(tenants: ["a"], start: 1, end: 2, selectors: ["{a=\"1\"}", "{b=~\".*\"}"])
        guard case .series(let decodedSeries) = try Self.roundTrip(.series(series)) else { Issue.record("series"); return }
        #expect(decodedSeries == series)
        guard case .flush = try Self.roundTrip(.flush), case .ready = try Self.roundTrip(.ready) else {
            Issue.record("flush/ready")
            return
        }
    }

    @Test func unknownKindsAndTrailingBytesAreRefused() {
        #expect(throws: WireError(.unsupported, "ok is not a request this node understands")) {
            try WireRequest.decode(kind: .ok, body: [])
        }
        #expect(throws: WireError.self) { try WireRequest.decode(kind: .flush, body: [0]) }
        #expect(throws: WireError.self) {
            try WireRequest.decode(kind: .select, body: WireRequest.select(tenant: "t", matchers: [], start: 0, end: 1).encodeBody() + [1])
        }
    }

    @Test func badRegexMatcherIsAMalformedBodyNotACrash() throws {
        var writer = WireWriter()
        writer.string("t")
        writer.count(1)
        writer.string("app")
        writer.u8(2)
        writer.string("(unclosed")
        writer.varint(0)
        writer.varint(1)
        let error = try #require(throws: WireError.self) { try WireRequest.decode(kind: .select, body: writer.take()) }
        #expect(error.code == .malformedBody)
    }

    @Test func selectAnswerSendsStoredBlocksVerbatimAndBatchesDecoded() async throws {
        let stored = CompressedBlock.encode(Sample.batch(count: 500, start: 0, metadataEvery: 5))
        var head = HeadBlock()
        for index in stride(from: 99, through: 0, by: -1) {  // out of order: the snapshot sorts when decoded
            head.append(timestamp: 10_000 + Int64(index), line: Array("head \(index)".utf8))
        }
        let stream = StreamData(labels: Sample.labels("api"), blocks: [stored, head.snapshot()])
        var encoder = WireSelectEncoder(start: .min, end: .max, partBytes: 1 << 20, compressionMinimumBytes: 64)
        #expect(try await encoder.add(stream).isEmpty)
        let part = encoder.finish()
        #expect(part.count < stored.compressedSize + 1_000)
        var decoder = WireSelectDecoder(maxBatchBytes: 1 << 24)
        try decoder.add(part: part)
        let streams = decoder.finish()
        #expect(streams.count == 1)
        let blocks = streams[0].blocks
        #expect(blocks.count == 2)
        let storedCopy = try #require(blocks[0] as? CompressedBlock)
        #expect(Array(storedCopy.bytes) == Array(stored.bytes))
        let batch = try #require(blocks[1] as? BatchBlock)
        #expect(batch.minTime == 10_000 && batch.maxTime == 10_099 && batch.entryCount == 100)
        let merged = try await Sample.read(streams[0])
        let expected = try await Sample.read(stream)
        #expect(merged.sameEntries(as: expected))
    }

    @Test func selectAnswerSplitsIntoPartsAndTrimsBatchesToTheRange() async throws {
        var streams: [StreamData] = []
        for app in 0..<5 {
            let blocks: [any EntryBlock] = (0..<20).map { block in
                BatchBlock(sorted: Sample.batch(count: 50, start: Int64(block) * 1_000, step: 10, prefix: "a\(app)b\(block)"))
            }
            streams.append(StreamData(labels: Sample.labels("app\(app)"), blocks: blocks))
        }
        var encoder = WireSelectEncoder(start: 5_000, end: 15_000, partBytes: 4096, compressionMinimumBytes: 0)
        var parts: [[UInt8]] = []
        for stream in streams { parts += try await encoder.add(stream) }
        parts.append(encoder.finish())
        #expect(parts.count > 5)
        #expect(parts.allSatisfy { $0.count < 4096 + 3000 })
        var decoder = WireSelectDecoder(maxBatchBytes: 1 << 24)
        for part in parts { try decoder.add(part: part) }
        let decoded = decoder.finish()
        #expect(decoded.map(\.labels) == streams.map(\.labels))
        for (sent, received) in zip(streams, decoded) {
            #expect(received.blocks.count == 10)
            let expected = try await Sample.read(sent, start: 5_000, end: 15_000)
            #expect(try await Sample.read(received).sameEntries(as: expected))
        }
    }

    @Test func aBatchBlockKeepsItsLinesForALiteralFilter() async throws {
        let block = BatchBlock(sorted: Sample.batch(count: 20, start: 1_000, step: 10, prefix: "x"))
        let filtered = try await block.decode(.fullIfContaining([Array("x".utf8)]))
        #expect(filtered.hasLines && filtered.count == 20 && filtered.lineBytes == block.batch.lineBytes)
        let sizes = try await block.decode(.timestampsAndSizes)
        #expect(!sizes.hasLines && sizes.count == 20)
    }

    @Test func unsortedBatchBlockIsRefused() throws {
        var writer = WireWriter()
        writer.fixed(UInt32(1))
        writer.labels(Sample.labels("x"))
        writer.fixed(UInt32(1))
        writer.u8(1)
        var batch = EntryBatch()
        batch.append(timestamp: 5, line: Array("b".utf8))
        batch.append(timestamp: 1, line: Array("a".utf8))
        var inner = WireWriter()
        inner.entryBatch(batch)
        writer.byteRun(inner.take())
        var decoder = WireSelectDecoder(maxBatchBytes: 1 << 20)
        #expect(throws: WireError.self) { try decoder.add(part: writer.take()) }
    }

    static func bigStreamsResult() -> QueryResult {
        let streams = (0..<3).map { stream in
            ResultStream(labels: Sample.labels("s\(stream)").setting("level", "info"), streamLabels: Sample.labels("s\(stream)"),
                         entries: (0..<400).map { index in
                             ResultEntry(timestamp: Int64(index), line: Array("entry \(index) of \(stream)".utf8),
                                         structuredMetadata: index % 3 == 0 ? Labels([LabelPair("t", "\(index)")]) : Labels(),
                                         parsed: Labels([LabelPair("level", "info")]))
                         })
        }
        var stats = QueryStatistics()
        stats.totalBytesProcessed = 123_456
        stats.totalLinesProcessed = 789
        stats.resultCacheRequests = 3
        stats.execTimeSeconds = 0.25
        stats.queueTimeSeconds = 1e-9
        return QueryResult(data: .streams(streams), statistics: stats, warnings: ["first", "second ⚠"])
    }

    @Test(arguments: [64, 1024, 1 << 20])
    func streamsResultSurvivesAnyPartSize(partBytes: Int) throws {
        let result = Self.bigStreamsResult()
        let parts = WireQueryCoding.encode(result, partBytes: partBytes)
        if partBytes < 1 << 20 { #expect(parts.count > 3) } else { #expect(parts.count == 1) }
        let decoded = try WireQueryCoding.decode(parts)
        guard case .streams(let sent) = result.data, case .streams(let got) = decoded.data else {
            Issue.record("not streams")
            return
        }
        #expect(got.count == sent.count)
        for (left, right) in zip(sent, got) {
            #expect(left.labels == right.labels && left.streamLabels == right.streamLabels)
            #expect(left.entries.map(\.timestamp) == right.entries.map(\.timestamp))
            #expect(left.entries.map(\.line) == right.entries.map(\.line))
            #expect(left.entries.map(\.structuredMetadata) == right.entries.map(\.structuredMetadata))
            #expect(left.entries.map(\.parsed) == right.entries.map(\.parsed))
        }
        #expect(decoded.statistics == result.statistics)
        #expect(decoded.warnings == result.warnings)
    }

    @Test func metricResultsRoundTrip() throws {
        let matrix = QueryResult(data: .matrix((0..<4).map { series in
            Series(labels: Sample.labels("m\(series)"), points: (0..<300).map {
                SamplePoint(timestampMillis: Int64($0) * 1000, value: Double($0) / 3)
            })
        }))
        guard case .matrix(let series) = try WireQueryCoding.decode(WireQueryCoding.encode(matrix, partBytes: 500)).data,
              case .matrix(let sent) = matrix.data else {
            Issue.record("matrix")
            return
        }
        #expect(series.map(\.labels) == sent.map(\.labels))
        #expect(series.map(\.points) == sent.map(\.points))
        let vector = QueryResult(data: .vector([InstantSample(labels: Sample.labels("v"), timestampMillis: 5, value: .nan),
                                                InstantSample(labels: Labels(), timestampMillis: 5, value: -.infinity)]))
        guard case .vector(let samples) = try WireQueryCoding.decode(WireQueryCoding.encode(vector, partBytes: 10)).data else {
            Issue.record("vector")
            return
        }
        #expect(samples.count == 2 && samples[0].value.isNaN && samples[1].value == -.infinity && samples[0].labels == Sample.labels("v"))
        let scalar = QueryResult(data: .scalar(timestampMillis: 42, value: 2.5), warnings: ["w"])
        guard case .scalar(let time, let value) = try WireQueryCoding.decode(WireQueryCoding.encode(scalar, partBytes: 10)).data else {
            Issue.record("scalar")
            return
        }
        #expect(time == 42 && value == 2.5)
        let empty = QueryResult(data: .streams([]))
        guard case .streams(let none) = try WireQueryCoding.decode(WireQueryCoding.encode(empty, partBytes: 10)).data else {
            Issue.record("empty")
            return
        }
        #expect(none.isEmpty)
    }

    @Test func queryResultWithoutItsLastPartIsRefused() {
        let parts = WireQueryCoding.encode(Self.bigStreamsResult(), partBytes: 256)
        #expect(throws: WireError.self) { try WireQueryCoding.decode(Array(parts.dropLast())) }
        #expect(throws: WireError.self) { try WireQueryCoding.decode(parts + [parts[0]]) }
    }

    @Test func metadataAnswersRoundTrip() throws {
        let names = (0..<1000).map { "label_\($0)" }
        let parts = WireMetadataCoding.encodeNames(names, partBytes: 1000)
        #expect(parts.count > 5)
        #expect(try WireMetadataCoding.decodeNames(parts) == names)
        #expect(try WireMetadataCoding.decodeNames(WireMetadataCoding.encodeNames([], partBytes: 10)) == [])
        let sets = (0..<200).map { Sample.labels("a\($0)") }
        #expect(try WireMetadataCoding.decodeLabelSets(WireMetadataCoding.encodeLabelSets(sets, partBytes: 300)) == sets)
        let stats = ServiceIndexStats(streams: 1, chunks: 22, bytes: 1 << 40, entries: 333)
        #expect(try WireMetadataCoding.decodeStats(WireMetadataCoding.encodeStats(stats)) == stats)
        #expect(try WireMetadataCoding.decodeReadiness(WireMetadataCoding.encodeReadiness(nil)) == nil)
        #expect(try WireMetadataCoding.decodeReadiness(WireMetadataCoding.encodeReadiness("WAL replay")) == "WAL replay")
    }

    @Test func helloAndErrorBodiesRoundTrip() throws {
        let hello = WireHello(role: "ingester", node: "ingester-2", maxFrameBytes: 1 << 22)
        #expect(try WireHello.decode(hello.encode()) == hello)
        #expect(throws: WireError.self) { try WireHello.decode(WireHello(role: "x", node: "y", maxFrameBytes: 10).encode()) }
        let service = WireError(ServiceError.tooManyRequests("Ingestion rate limit exceeded for user t"))
        let decoded = try WireErrorBody.decode(WireErrorBody.encode(service))
        #expect(decoded == service)
        #expect(decoded.serviceError() == ServiceError.tooManyRequests("Ingestion rate limit exceeded for user t"))
        #expect(WireError(.timeout, "late").serviceError() == .timeout)
        #expect(WireError(.unavailable, "down").serviceError(peer: "10.0.0.1:9095").message == "10.0.0.1:9095: down")
        #expect(WireError(.unavailable, "down").serviceError().status == 503)
    }
}
