import FjordLokiAPI
import FjordModel
import Testing

@Suite struct ErrorTests {
    @Test func crossCuttingErrors() {
        #expect(LokiAPIError.noOrgID.status == 401)
        #expect(LokiAPIError.noOrgID.body == Array("no org id\n".utf8))
        #expect(LokiAPIError.clientCancelled.status == 499)
        #expect(LokiAPIError.clientCancelled.body == Array("the request was cancelled by the client".utf8))
        #expect(LokiAPIError.timeout.status == 504)
        #expect(LokiAPIError.timeout.message
            == "request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed")
        #expect(LokiAPIError.tooManyOutstandingRequests == LokiAPIError(status: 429, message: "too many outstanding requests"))
        #expect(LokiAPIError.queryingDisabled.status == 429)
        #expect(LokiAPIError.internalError("boom") == LokiAPIError(status: 500, message: "boom"))
        #expect(LokiAPIError.contentType == "text/plain; charset=utf-8")
        #expect(LokiAPIError.headers.contains { $0.name == "X-Content-Type-Options" && $0.value == "nosniff" })
    }

    @Test func tenantErrors() {
        #expect(LokiAPIError.tenant(.noOrgID) == .noOrgID)
        do {
            try TenantID.validate("bad/id")
            Issue.record("expected a tenant error")
        } catch {
            #expect(LokiAPIError.tenant(error) == .badRequest("tenant ID 'bad/id' contains unsupported character '/'"))
        }
    }

    @Test func queryErrors() {
        #expect(LokiAPIError.queryTooLong(bytes: 131_073).message == "parse error : input size too long (131073 > 131072)")
        #expect(LokiAPIError.maxSeriesReached().message
            == "maximum number of series (500) reached for a single query; consider reducing query cardinality by adding more specific stream selectors, reducing the time range, or aggregating results with functions like sum(), count() or topk()")
        let hour: Int64 = 3_600_000_000_000
        #expect(LokiAPIError.queryTimeRangeTooLong(length: 721 * hour + 1_000_000_000, limit: 721 * hour).message
            == "the query time range exceeds the limit (query length: 721h0m1s, limit: 30d1h)")
        #expect(LokiAPIError.queryTimeRangeTooLong(length: 90_500_000_000, limit: hour).message
            == "the query time range exceeds the limit (query length: 1m30.5s, limit: 1h)")
        #expect(LokiAPIError.rangeIntervalTooLong(range: 2 * 24 * hour, limit: 24 * hour).message
            == "[interval] value exceeds limit: [2d] > [1d]")
        #expect(LokiAPIError.pipelineError(errorType: "JSONParserErr", series: "{app=\"x\"}").message
            == "pipeline error: 'JSONParserErr' for series: '{app=\"x\"}'.\n"
            + "Use a label filter to intentionally skip this error. (e.g | __error__!=\"JSONParserErr\").\n"
            + "To skip all potential errors you can match empty errors.(e.g __error__=\"\")\n"
            + "The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__=\"\" )\n")
        #expect(LokiAPIError.queryReadsTooManyBytes(bytes: 1_610_612_736, limit: 1_073_741_824).message
            == "the query would read too many bytes (query: 1.5 GiB, limit: 1.0 GiB); consider adding more specific stream selectors or reduce the time range of the query")
        #expect(LokiAPIError.queryReadsTooManyBytes(bytes: 9, limit: 15_728_640).message.contains("(query: 9 B, limit: 15 MiB)"))
        #expect(LokiAPIError.legacyMetricQuery.message == "legacy endpoints only support streams result type")
        #expect(LokiAPIError.parse("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER").status == 400)
    }
}
