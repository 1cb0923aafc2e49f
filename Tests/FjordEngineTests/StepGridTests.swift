import FjordEngine
import Testing

@Suite struct StepGridTests {
    @Test func alignsStartDownAndEndUpLikeTheQueryFrontend() {
        let grid = StepGrid.range(start: base + 7 * second, end: base + 1807 * second, step: 60 * second, align: true)
        #expect(grid.start == base)
        #expect(grid.end == base + 1860 * second)
        #expect(grid.count == 32)
    }

    @Test func keepsTimesWhenAlignmentIsOff() {
        let grid = StepGrid.range(start: base + 7 * second, end: base + 127 * second, step: 60 * second, align: false)
        #expect(grid.start == base + 7 * second)
        #expect(grid.count == 3)
        #expect(grid.time(2) == base + 127 * second)
    }

    @Test func alignmentIsIdempotent() {
        let once = StepGrid.aligned(start: base + 150 * second, end: base + 3750 * second, step: 300 * second)
        let twice = StepGrid.aligned(start: once.start, end: once.end, step: 300 * second)
        #expect(once == twice)
        #expect(once.start == base)
        #expect(once.end == base + 3900 * second)
    }

    @Test func emptyWhenEndIsBeforeStart() {
        let grid = StepGrid.range(start: base + 120 * second, end: base, step: 60 * second, align: false)
        #expect(grid.count == 0)
    }

    @Test func windowExcludesItsStartAndIncludesItsEnd() {
        let grid = StepGrid.instant(at: base + 600 * second)
        let window = grid.window(0, range: 300 * second, offset: 60 * second)
        #expect(window.after == base + 240 * second)
        #expect(window.through == base + 540 * second)
        let bounds = grid.sampleBounds(range: 300 * second, offset: 60 * second)
        #expect(bounds.after == window.after && bounds.through == window.through)
    }

    @Test func outputTimestampAddsTheOffsetBackInMilliseconds() {
        let grid = StepGrid.range(start: base, end: base + 120 * second, step: 60 * second, align: false)
        #expect(grid.outputMillis(1, offset: 3600 * second) == (base + 60 * second) / 1_000_000)
    }

    @Test func splitGridsConcatenateToTheWholeGrid() {
        let whole = StepGrid.range(start: base, end: base + 7200 * second, step: 600 * second, align: true)
        let first = StepGrid.range(start: base, end: base + 3000 * second, step: 600 * second, align: true)
        let later = StepGrid.range(start: base + 3600 * second, end: base + 7200 * second, step: 600 * second,
                                   align: true)
        let times = (0..<first.count).map(first.time) + (0..<later.count).map(later.time)
        #expect(times == (0..<whole.count).map(whole.time))
    }
}

@Suite struct StepGridWindowTests {
    @Test func findsTheFirstWindowHoldingATime() {
        let grid = StepGrid.range(start: base, end: base + 3600 * second, step: 600 * second, align: false)
        // Windows of 60 s before each step: (t−60s, t].
        #expect(grid.firstWindow(containing: base, range: 60 * second, offset: 0) == 0)
        #expect(grid.firstWindow(containing: base + 599 * second, range: 60 * second, offset: 0) == 1)
        #expect(grid.firstWindow(containing: base + 500 * second, range: 60 * second, offset: 0) == nil)
        #expect(grid.firstWindow(containing: base + 3601 * second, range: 60 * second, offset: 0) == nil)
        #expect(grid.firstWindow(containing: base - 30 * second, range: 60 * second, offset: 0) == 0)
        #expect(grid.firstWindow(containing: base - 60 * second, range: 60 * second, offset: 0) == nil)
        // With an offset the windows move back in time.
        #expect(grid.firstWindow(containing: base + 500 * second, range: 60 * second, offset: 100 * second) == 1)
    }
}
