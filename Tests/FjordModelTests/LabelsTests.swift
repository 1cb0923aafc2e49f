import FjordModel
import FjordRegex
import Testing

@Suite struct LabelsTests {
    @Test func canonicalStringSortsAndQuotes() {
        let labels = Labels(["job": "x", "app": "a\"b", "service.name": "svc"])
        #expect(labels.canonicalString == #"{app="a\"b", job="x", "service.name"="svc"}"#)
        #expect(labels["job"] == "x")
        #expect(labels["missing"] == nil)
    }

    @Test func mergingPrefersOther() {
        let base = Labels(["a": "1", "c": "3"])
        let merged = base.merging(Labels(["b": "2", "c": "x"]))
        #expect(merged.canonicalString == #"{a="1", b="2", c="x"}"#)
    }

    @Test func matchers() throws {
        let labels = Labels(["service": "db", "level": "error"])
        #expect(try LabelMatcher(name: "service", kind: .regexMatch, value: "db|redis").matches(labels))
        #expect(try !LabelMatcher(name: "service", kind: .regexMatch, value: "d").matches(labels))
        #expect(try LabelMatcher(name: "absent", kind: .equal, value: "").matches(labels))
        #expect(try LabelMatcher(name: "level", kind: .notRegexMatch, value: "debug|info").matches(labels))
        #expect(throws: RegexError.self) { try LabelMatcher(name: "x", kind: .regexMatch, value: "(") }
    }

    @Test func tenantIDs() throws {
        #expect(try TenantID.parseHeader("b|a|a") == ["a", "b"])
        #expect(throws: TenantError.self) { try TenantID.parseHeader("bad/tenant") }
    }
}
