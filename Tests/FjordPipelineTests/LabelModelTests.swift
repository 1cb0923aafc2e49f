import FjordLogQL
import FjordModel
import Testing
@testable import FjordPipeline

@Suite("Label categories and result labels")
struct LabelModelTests {
    @Test func structuredMetadataJoinsStreamLabels() throws {
        let labels = try labelsAfter([contains("")], "x", stream: ["app": "a"], metadata: ["model": "gpt"])
        #expect(labels == ["app": "a", "model": "gpt"])
    }

    @Test func metadataNamedLikeStreamLabelIsExtracted() throws {
        let labels = try labelsAfter([], "x", stream: ["app": "a", "model": "s"], metadata: ["model": "gpt"])
        #expect(labels == ["app": "a", "model": "s", "model_extracted": "gpt"])
        let filtered = try labelsAfter([contains("x")], "x", stream: ["model": "s"], metadata: ["model": "gpt"])
        #expect(filtered == ["model": "s", "model_extracted": "gpt"])
    }

    @Test func parsedLabelCollidingWithStreamLabelIsExtracted() throws {
        let labels = try labelsAfter([json], #"{"level":"info","msg":"hi"}"#, stream: ["level": "error"])
        #expect(labels == ["level": "error", "level_extracted": "info", "msg": "hi"])
    }

    @Test func parsedLabelCollidingWithMetadataIsExtracted() throws {
        let labels = try labelsAfter([json], #"{"model":"gpt-4o","cache_hit":true}"#, stream: ["app": "l"],
                                     metadata: ["model": "gpt-4o", "cache_hit": "true"])
        #expect(labels == ["app": "l", "model": "gpt-4o", "model_extracted": "gpt-4o", "cache_hit": "true",
                           "cache_hit_extracted": "true"])
    }

    @Test func firstOccurrenceWinsAcrossParsers() throws {
        let labels = try labelsAfter([json, logfmt], #"{"a":"1","b":"x=3 a=2"}"#)
        #expect(labels?["a"] == "1")
        let sameLine = try labelsAfter([logfmt], "a=1 a=2 b=3")
        #expect(sameLine == ["a": "1", "b": "3"])
    }

    @Test func metadataErrorLabelSetsError() throws {
        let labels = try labelsAfter([json], #"{"a":"1"}"#, metadata: ["__error__": "X"])
        #expect(labels == ["a": "1", "__error__": "X"])
    }

    @Test func labelsAreSharedBetweenIdenticalResults() throws {
        let pipeline = try LogPipeline(stages: [logfmt])
        let processor = pipeline.makeProcessor(streamLabels: Labels(["app": "x"]))
        let line = Array("level=info".utf8)
        let first = line.withUnsafeBytes { processor.process(timestamp: 0, line: $0, metadata: Labels()) }
        let second = line.withUnsafeBytes { processor.process(timestamp: 1, line: $0, metadata: Labels()) }
        #expect(first?.labels == Labels(["app": "x", "level": "info"]))
        #expect(first?.labels == second?.labels)
    }

    @Test func decolorizeThenFilterSeesColouredLine() throws {
        // Loki moves line filters ahead of decolorize; a filter matching only the clean text finds nothing.
        let coloured = "\u{1B}[32mINFO\u{1B}[0m task done"
        #expect(try !passes([.decolorize, contains("INFO task")], coloured))
        #expect(try run([.decolorize, contains("INFO")], coloured)?.line == "INFO task done")
    }

    @Test func reorderKeepsFiltersBehindLabelFiltersAndLineFormat() {
        let stages: [PipelineStage] = [logfmt, labelFilter("a", .equal, "1"), contains("x"), .decolorize, contains("y")]
        let order = StageCompiler.reorder(stages).map(\.index)
        #expect(order == [0, 1, 2, 4, 3])
    }
}
