@testable import FjordEngine
import FjordLogQL
import FjordModel
import Testing

@Suite struct StreamPruningTests {
    private let info = Labels(["job": "x", "level": "info"])
    private let error = Labels(["job": "x", "level": "error"])
    private let noLevel = Labels(["job": "x"])

    private func rejects(_ query: String, _ labels: Labels) throws -> Bool {
        StreamPruning.rejectsEveryLine(try LogQLParser.parseLogSelector(query).pipeline, labels: labels)
    }

    @Test func anEqualityFilterOnAStreamLabelIsDecidedByTheStream() throws {
        let query = #"{job="x"} | json | __error__="" | level="error""#
        #expect(try rejects(query, info))
        #expect(try !rejects(query, error))
        #expect(try rejects(#"{job="x"} | logfmt | level!="info""#, info))
        #expect(try rejects(#"{job="x"} |= "a" | regexp "(?P<x>.)" | line_format "{{.x}}" | level="error""#, info))
    }

    @Test func labelsTheStreamLacksAreLeftToThePipeline() throws {
        #expect(try !rejects(#"{job="x"} | json | level="error""#, noLevel))
        #expect(try !rejects(#"{job="x"} | json | __error__!="""#, info))
    }

    @Test func andOrAndOtherFilterKinds() throws {
        #expect(try rejects(#"{job="x"} | json | level="error" and latency > 5"#, info))
        #expect(try !rejects(#"{job="x"} | json | level="error" or latency > 5"#, info))
        #expect(try rejects(#"{job="x"} | json | level="error" or level="warn""#, info))
        #expect(try !rejects(#"{job="x"} | json | level=~"err.*""#, info))
        #expect(try !rejects(#"{job="x"} | json | latency > 5"#, info))
    }

    @Test func stagesThatChangeStreamLabelsStopTheAnalysis() throws {
        #expect(try !rejects(#"{job="x"} | label_format level="error" | level="error""#, info))
        #expect(try !rejects(#"{job="x"} | drop level | level="error""#, info))
        #expect(try !rejects(#"{job="x"} | keep job | level="error""#, info))
        #expect(try !rejects(#"{job="x"} | unpack | level="error""#, info))
        // A filter before such a stage still decides.
        #expect(try rejects(#"{job="x"} | level="error" | label_format level="error""#, info))
    }
}
