import Foundation
import FjordLokiAPI
import Testing

/// Every request real logcli 3.7.6 sent (Tests/FjordPushTests/Fixtures/logcli/requests.jsonl) must parse into the
/// request it means.
@Suite struct LogcliFixtureTests {
    static let now: Int64 = 1_795_332_500_000_000_000

    struct Recorded {
        var path: String
        var parameters: FormParameters
    }

    static func load() throws -> [Recorded] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../FjordPushTests/Fixtures/logcli/requests.jsonl").standardized
        let text = try String(contentsOf: file, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let raw = try #require(object?["path"] as? String)
            let parts = raw.split(separator: "?", maxSplits: 1).map(String.init)
            let (parameters, error) = FormParameters.parseURLEncoded(Array((parts.count > 1 ? parts[1] : "").utf8))
            #expect(error == nil, "\(raw)")
            return Recorded(path: parts[0], parameters: parameters)
        }
    }

    @Test func everyRequestParses() throws {
        let requests = try Self.load()
        #expect(requests.count == 9)
        var seen: Set<String> = []
        for request in requests {
            seen.insert(request.path)
            switch request.path {
            case "/loki/api/v1/query_range":
                let parsed = try RangeQueryRequest.parse(request.parameters, now: Self.now)
                #expect(parsed.start < parsed.end)
                #expect(parsed.step >= 1_000_000_000)
            case "/loki/api/v1/query":
                _ = try InstantQueryRequest.parse(request.parameters, now: Self.now)
            case "/loki/api/v1/labels":
                _ = try LabelsRequest.parse(request.parameters, now: Self.now)
            case "/loki/api/v1/label/service/values":
                _ = try LabelValuesRequest.parse(name: "service", request.parameters, now: Self.now)
            case "/loki/api/v1/series":
                _ = try SeriesRequest.parse(request.parameters, now: Self.now)
            case "/loki/api/v1/index/stats":
                _ = try IndexStatsRequest.parse(request.parameters, now: Self.now)
            case "/loki/api/v1/index/volume":
                _ = try VolumeRequest.parseInstant(request.parameters, now: Self.now)
            default:
                Issue.record("unexpected logcli path \(request.path)")
            }
        }
        #expect(seen.count == 7)
    }

    @Test func logQueryRequestMeansWhatLogcliAsked() throws {
        let requests = try Self.load()
        let first = try RangeQueryRequest.parse(requests[0].parameters, now: Self.now)
        #expect(first == RangeQueryRequest(
            query: #"{service="api"} |= "error""#, start: 1_795_328_831_735_096_644, end: 1_795_332_431_735_096_644,
            step: 14_000_000_000, limit: 30, direction: .backward))

        let export = try RangeQueryRequest.parse(requests[8].parameters, now: Self.now)
        #expect(export == RangeQueryRequest(
            query: #"{service="api"}"#, start: 1_795_305_600_000_000_000, end: 1_795_327_200_000_000_000,
            step: 86_000_000_000, limit: 1000, direction: .forward))
    }

    @Test func metadataRequestsMeanWhatLogcliAsked() throws {
        let requests = try Self.load()
        let instant = try InstantQueryRequest.parse(requests[2].parameters, now: Self.now)
        #expect(instant == InstantQueryRequest(
            query: #"sum(rate({service="api"}[5m]))"#, time: 1_795_332_431_823_412_972, limit: 30, direction: .backward))
        let series = try SeriesRequest.parse(requests[5].parameters, now: Self.now)
        #expect(series.groups == [#"{service="api"}"#])
        #expect(series.end - series.start == 3_600_000_000_000)
        let volume = try VolumeRequest.parseInstant(requests[7].parameters, now: Self.now)
        #expect(volume.limit == 30)
        #expect(volume.query == #"{service="api"}"#)
        #expect(volume.aggregateBy == .series)
    }
}
