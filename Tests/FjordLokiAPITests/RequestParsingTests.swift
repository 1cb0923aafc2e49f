import FjordLogQL
import FjordLokiAPI
import FjordModel
import Testing

@Suite struct RequestParsingTests {
    static let second: Int64 = 1_000_000_000
    static let now: Int64 = 1_700_000_000 * second

    static func params(_ pairs: [(String, String)]) -> FormParameters {
        var values: [String: [String]] = [:]
        for (name, value) in pairs { values[name, default: []].append(value) }
        return FormParameters(values)
    }

    @Test func rangeQueryDefaults() throws {
        let request = try RangeQueryRequest.parse(Self.params([("query", "{a=\"b\"}")]), now: Self.now)
        #expect(request.query == "{a=\"b\"}")
        #expect(request.end == Self.now)
        #expect(request.start == Self.now - 3600 * Self.second)
        #expect(request.step == 14 * Self.second)
        #expect(request.interval == 0)
        #expect(request.limit == 100)
        #expect(request.direction == .backward)
    }

    @Test func rangeQueryExplicitValues() throws {
        let request = try RangeQueryRequest.parse(
            Self.params([
                ("query", "x"), ("start", "1600000000"), ("end", "1600003600.5"), ("step", "60s"), ("interval", "0.25"),
                ("limit", "+20"), ("direction", "Forward"),
            ]), now: Self.now)
        #expect(request.start == 1_600_000_000 * Self.second)
        #expect(request.end == 1_600_003_600_500_000_000)
        #expect(request.step == 60 * Self.second)
        #expect(request.interval == 250_000_000)
        #expect(request.limit == 20)
        #expect(request.direction == .forward)
    }

    @Test func equalStartAndEndIsAccepted() throws {
        let request = try RangeQueryRequest.parse(Self.params([("start", "100"), ("end", "100")]), now: Self.now)
        #expect(request.start == request.end)
        #expect(request.step == Self.second)
    }

    @Test(arguments: [
        ([("start", "200"), ("end", "100")], "end timestamp must not be before or equal to start time"),
        ([("limit", "0")], "limit must be a positive value"),
        ([("limit", "-5")], "limit must be a positive value"),
        ([("limit", "ten")], #"strconv.Atoi: parsing "ten": invalid syntax"#),
        ([("limit", "1.5")], #"strconv.Atoi: parsing "1.5": invalid syntax"#),
        ([("direction", "sideways")], "invalid direction 'sideways'"),
        ([("step", "0")], "zero or negative query resolution step widths are not accepted. Try a positive integer"),
        ([("step", "-1m")], #"cannot parse "-1m" to a valid duration"#),
        ([("step", "-60")], "zero or negative query resolution step widths are not accepted. Try a positive integer"),
        ([("step", "five")], #"cannot parse "five" to a valid duration"#),
        (
            [("start", "0"), ("end", "10800"), ("step", "0.5")],
            "exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter"
        ),
        ([("interval", "-1")], "interval must be >= 0"),
        ([("interval", "soon")], #"cannot parse "soon" to a valid duration"#),
        // Loki's order: bounds before limit before direction before step.
        ([("limit", "0"), ("direction", "up"), ("start", "200"), ("end", "100")],
         "end timestamp must not be before or equal to start time"),
        ([("limit", "0"), ("direction", "up")], "limit must be a positive value"),
        ([("direction", "up"), ("step", "0")], "invalid direction 'up'"),
    ])
    func rangeQueryErrors(pairs: [(String, String)], message: String) {
        #expect(throws: LokiAPIError.badRequest(message)) {
            try RangeQueryRequest.parse(Self.params(pairs), now: Self.now)
        }
    }

    @Test func exactly11000PointsIsAllowed() throws {
        let request = try RangeQueryRequest.parse(
            Self.params([("start", "0"), ("end", "11000"), ("step", "1")]), now: Self.now)
        #expect(request.step == Self.second)
    }

    @Test func instantQuery() throws {
        let request = try InstantQueryRequest.parse(
            Self.params([("query", "sum(x)"), ("time", "1600000000"), ("direction", "FORWARD"), ("limit", "7")]),
            now: Self.now)
        #expect(request == InstantQueryRequest(query: "sum(x)", time: 1_600_000_000 * Self.second, limit: 7, direction: .forward))
        let defaults = try InstantQueryRequest.parse(FormParameters(), now: Self.now)
        #expect(defaults.time == Self.now)
        #expect(defaults.limit == 100)
        #expect(defaults.direction == .backward)
    }

    @Test func instantQueryTimeErrorHasNoPrefix() {
        #expect(throws: LokiAPIError.badRequest(#"strconv.ParseInt: parsing "later": invalid syntax"#)) {
            try InstantQueryRequest.parse(Self.params([("time", "later")]), now: Self.now)
        }
    }

    @Test func entriesLimitAppliesToLogQueriesOnly() throws {
        let request = try RangeQueryRequest.parse(Self.params([("limit", "5001")]), now: Self.now)
        let logQuery = Expr.log(LogSelectorExprFixture.selector)
        #expect(throws: LokiAPIError.badRequest(
            "max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)")) {
            try request.validateEntriesLimit(for: logQuery)
        }
        try request.validateEntriesLimit(for: logQuery, maxEntriesLimitPerQuery: 0)
        try request.validateEntriesLimit(for: logQuery, maxEntriesLimitPerQuery: 10_000)
    }

    @Test func instantLogQueryIsRejected() {
        let request = InstantQueryRequest(query: "{a=\"b\"}", time: 0)
        #expect(throws: LokiAPIError.logQueryAsInstant) {
            try request.validate(for: .log(LogSelectorExprFixture.selector))
        }
        #expect(LokiAPIError.logQueryAsInstant.message
            == "log queries are not supported as an instant query type, please change your query to a range query type")
    }

    @Test func labelsAndLabelValues() throws {
        let labels = try LabelsRequest.parse(Self.params([("start", "100"), ("query", "{a=\"b\"}")]), now: Self.now)
        #expect(labels == LabelsRequest(start: 100 * Self.second, end: Self.now, query: "{a=\"b\"}"))
        // Loki does not compare start and end for labels.
        let reversed = try LabelsRequest.parse(Self.params([("start", "200"), ("end", "100")]), now: Self.now)
        #expect(reversed.start > reversed.end)
        let values = try LabelValuesRequest.parse(name: "service", Self.params([]), now: Self.now)
        #expect(values.name == "service")
        #expect(values.start == Self.now - 3600 * Self.second)
    }

    @Test func seriesMatchersAreMergedSortedAndDeduplicated() throws {
        let series = try SeriesRequest.parse(
            Self.params([("match[]", "{b=\"2\"}"), ("match", "{a=\"1\"}"), ("match[]", "{a=\"1\"}")]), now: Self.now)
        #expect(series.groups == ["{a=\"1\"}", "{b=\"2\"}"])
        let all = try SeriesRequest.parse(Self.params([("match[]", "{ }")]), now: Self.now)
        #expect(all.groups.isEmpty)
        let none = try SeriesRequest.parse(FormParameters(), now: Self.now)
        #expect(none.groups.isEmpty)
    }

    @Test func indexStatsUsesRangeRules() throws {
        let stats = try IndexStatsRequest.parse(Self.params([("query", "{a=\"b\"}"), ("start", "100"), ("end", "200")]), now: Self.now)
        #expect(stats == IndexStatsRequest(query: "{a=\"b\"}", start: 100 * Self.second, end: 200 * Self.second))
        #expect(throws: LokiAPIError.badRequest("limit must be a positive value")) {
            try IndexStatsRequest.parse(Self.params([("limit", "-1")]), now: Self.now)
        }
    }

    @Test func volume() throws {
        let instant = try VolumeRequest.parseInstant(
            Self.params([("query", "{a=\"b\"}"), ("limit", "0"), ("targetLabels", "a,b"), ("aggregateBy", "labels")]),
            now: Self.now)
        #expect(instant.limit == 100)
        #expect(instant.targetLabels == ["a", "b"])
        #expect(instant.aggregateBy == .labels)
        #expect(instant.step == nil)
        let range = try VolumeRequest.parseRange(Self.params([("step", "60")]), now: Self.now)
        #expect(range.step == 60 * Self.second)
        #expect(range.aggregateBy == .series)
        #expect(throws: LokiAPIError.badRequest("invalid aggregation option")) {
            try VolumeRequest.parseInstant(Self.params([("aggregateBy", "streams")]), now: Self.now)
        }
        #expect(throws: LokiAPIError.badRequest("limit must be a positive value")) {
            try VolumeRequest.parseInstant(Self.params([("limit", "-3")]), now: Self.now)
        }
    }

    @Test func tail() throws {
        let tail = try TailRequest.parse(
            Self.params([("query", "{a=\"b\"}"), ("delay_for", "5"), ("limit", "10")]), now: Self.now)
        #expect(tail == TailRequest(query: "{a=\"b\"}", limit: 10, start: Self.now - 3600 * Self.second, delayForSeconds: 5))
        #expect(throws: LokiAPIError.badRequest("delay_for can't be greater than 5")) {
            try TailRequest.parse(Self.params([("delay_for", "6")]), now: Self.now)
        }
        // Go converts a negative delay to a huge uint32.
        #expect(throws: LokiAPIError.badRequest("delay_for can't be greater than 5")) {
            try TailRequest.parse(Self.params([("delay_for", "-1")]), now: Self.now)
        }
        #expect(throws: LokiAPIError.badRequest(#"could not parse 'end' parameter: strconv.ParseInt: parsing "z": invalid syntax"#)) {
            try TailRequest.parse(Self.params([("end", "z")]), now: Self.now)
        }
    }

    @Test func formatQuery() {
        #expect(FormatQueryRequest.parse(Self.params([("query", "{a=\"b\"}")])).query == "{a=\"b\"}")
        #expect(FormatQueryRequest.parse(FormParameters()).query == "")
    }

    @Test func encodingFlags() {
        #expect(EncodingFlags.parse(header: nil).isEmpty)
        #expect(EncodingFlags.parse(header: "").isEmpty)
        #expect(EncodingFlags.parse(header: "categorize-labels").categorizesLabels)
        let mixed = EncodingFlags.parse(header: "foo, categorize-labels,categorize-labels")
        #expect(mixed.flags == ["foo", " categorize-labels", "categorize-labels"])
        #expect(mixed.categorizesLabels)
        #expect(!EncodingFlags.parse(header: " categorize-labels").categorizesLabels)
    }

    @Test func urlEncodedParameters() {
        let (parameters, error) = FormParameters.parseURLEncoded(Array("query=%7Ba%3D%22b%22%7D+%7C%3D+x&limit=5&limit=6&flag".utf8))
        #expect(error == nil)
        #expect(parameters.first("query") == "{a=\"b\"} |= x")
        #expect(parameters.all("limit") == ["5", "6"])
        #expect(parameters.first("flag") == "")
        #expect(parameters.values["flag"] == [""])

        let (partial, badEscape) = FormParameters.parseURLEncoded(Array("a=%zz&b=2".utf8))
        #expect(badEscape == LokiAPIError.badRequest(#"invalid URL escape "%zz""#))
        #expect(partial.first("b") == "2")
        let (_, semicolon) = FormParameters.parseURLEncoded(Array("a=1;b=2".utf8))
        #expect(semicolon == LokiAPIError.badRequest("invalid semicolon separator in query"))

        let merged = FormParameters.merging(
            body: FormParameters(["query": ["body"]]), query: FormParameters(["query": ["url"], "limit": ["1"]]))
        #expect(merged.first("query") == "body")
        #expect(merged.all("query") == ["body", "url"])
    }
}

enum LogSelectorExprFixture {
    static let selector = LogSelectorExpr(matchers: [LabelMatcher.equal("a", "b")])
}

@Suite struct QueryParsingTests {
    @Test func parseErrorsKeepLokiText() {
        let request = RangeQueryRequest(query: "sum by (service) ({service=\"api\"})", start: 0, end: 1, step: 1)
        #expect(throws: LokiAPIError.badRequest("parse error at line 1, col 34: syntax error: unexpected )")) {
            try request.parsedQuery()
        }
        let empty = RangeQueryRequest(query: "{}", start: 0, end: 1, step: 1)
        #expect(throws: LokiAPIError.self) { try empty.parsedQuery() }
    }

    @Test func instantQueriesMustBeMetric() throws {
        #expect(throws: LokiAPIError.logQueryAsInstant) {
            try InstantQueryRequest(query: "{app=\"a\"}", time: 0).parsedQuery()
        }
        let expr = try InstantQueryRequest(query: "sum(rate({app=\"a\"}[5m]))", time: 0).parsedQuery()
        guard case .metric = expr else {
            Issue.record("expected a metric expression")
            return
        }
    }

    @Test func labelSelectorsAreValidatedSeriesSelectorsAreNot() throws {
        #expect(try LabelsRequest(start: 0, end: 1).matchers().isEmpty)
        #expect(try LabelsRequest(start: 0, end: 1, query: "{app=\"a\"}").matchers() == [LabelMatcher.equal("app", "a")])
        #expect(throws: LokiAPIError.self) { try LabelsRequest(start: 0, end: 1, query: "{app=~\".*\"}").matchers() }

        let series = SeriesRequest(start: 0, end: 1, groups: ["{app=~\".*\"}", "{b=\"1\"}"])
        #expect(try series.matcherGroups().count == 2)
        #expect(throws: LokiAPIError.badRequest("0 matchers in group: {}")) {
            try SeriesRequest(start: 0, end: 1, groups: ["{a=\"1\"}", "{}"]).matcherGroups()
        }
        #expect(throws: LokiAPIError.self) { try SeriesRequest(start: 0, end: 1, groups: ["{a="]).matcherGroups() }
    }
}
