import FjordAgent
import Foundation
import Testing

@Suite struct TailCoreTests {
    @Test func splitterHoldsPartialLines() {
        var splitter = LineSplitter(offset: 100)
        var lines = splitter.append(Array("a\r\nbb\nc".utf8), now: 0)
        #expect(lines.map { String(decoding: $0.line, as: UTF8.self) } == ["a", "bb"])
        #expect(lines.map(\.endOffset) == [103, 106])
        #expect(splitter.hasPartial)
        #expect(splitter.takePartial(now: 4, timeout: 5, force: false) == nil)
        lines = splitter.append(Array("c\n".utf8), now: 4)
        #expect(lines.map { String(decoding: $0.line, as: UTF8.self) } == ["cc"])
        #expect(lines.first?.endOffset == 109)
        _ = splitter.append(Array("tail".utf8), now: 10)
        let partial = splitter.takePartial(now: 15, timeout: 5, force: false)
        #expect(partial.map { String(decoding: $0.line, as: UTF8.self) } == "tail")
        #expect(partial?.endOffset == 113)
        #expect(splitter.readOffset == 113)
    }

    @Test func tailDecisions() {
        func decide(_ open: UInt64?, size: Int64, offset: Int64, path: UInt64?) -> TailDecision {
            TailDecision.decide(TailObservation(openInode: open, openSize: size, offset: offset, pathInode: path))
        }
        #expect(decide(nil, size: 0, offset: 0, path: 7) == .openPath)
        #expect(decide(nil, size: 0, offset: 0, path: nil) == .removed)
        #expect(decide(7, size: 10, offset: 5, path: 7) == .read)
        #expect(decide(7, size: 10, offset: 10, path: 7) == .wait)
        // Renamed away: drain the old inode first, then open the new file.
        #expect(decide(7, size: 10, offset: 5, path: 8) == .read)
        #expect(decide(7, size: 10, offset: 10, path: 8) == .openPath)
        // copytruncate: the open file shrank.
        #expect(decide(7, size: 3, offset: 10, path: 7) == .truncated)
        #expect(decide(7, size: 10, offset: 10, path: nil) == .removed)
    }

    @Test func ackTrackerCommitsContiguousPrefix() {
        var tracker = AckTracker(consumers: 2)
        let start = ResumePoint(key: "f", value: "0", inode: 1)
        tracker.open(source: 1, start: start)
        let seqs = (1...4).map { tracker.read(source: 1, resumeAfter: ResumePoint(key: "f", value: String($0 * 10), inode: 1)) }
        #expect(seqs == [0, 1, 2, 3])
        // Client A acknowledges lines 1-2 (seq 1...2): nothing moves, line 0 is open.
        tracker.acknowledge(AckToken(source: 1, first: 1, last: 2))
        #expect(tracker.committed(source: 1) == start)
        tracker.acknowledge(AckToken(source: 1, first: 0, last: 0))
        #expect(tracker.committed(source: 1) == start) // client B still owes all
        tracker.acknowledge(AckToken(source: 1, first: 0, last: 1))
        #expect(tracker.committed(source: 1)?.value == "20")
        // A dropped entry counts for every client.
        tracker.acknowledge(AckToken(source: 1, first: 3, last: 3), all: true)
        #expect(tracker.committed(source: 1)?.value == "20")
        tracker.acknowledge(AckToken(source: 1, first: 2, last: 2))
        #expect(tracker.committed(source: 1)?.value == "40")
        #expect(!tracker.hasPending(source: 1))
        #expect(tracker.takeChanged().map(\.value) == ["40"])
        #expect(tracker.takeChanged().isEmpty)
    }

    @Test func ackTrackerAcrossRotation() {
        var tracker = AckTracker(consumers: 1)
        tracker.open(source: 1, start: ResumePoint(key: "f", value: "0", inode: 1))
        let old = tracker.read(source: 1, resumeAfter: ResumePoint(key: "f", value: "10", inode: 1))
        tracker.reposition(source: 1, to: ResumePoint(key: "f", value: "0", inode: 2))
        let new = tracker.read(source: 1, resumeAfter: ResumePoint(key: "f", value: "5", inode: 2))
        tracker.acknowledge(AckToken(source: 1, first: new, last: new))
        // The old file's line is still in flight: the position stays on the old inode.
        #expect(tracker.committed(source: 1) == ResumePoint(key: "f", value: "0", inode: 1))
        tracker.acknowledge(AckToken(source: 1, first: old, last: old))
        #expect(tracker.committed(source: 1) == ResumePoint(key: "f", value: "5", inode: 2))
    }

    @Test func positionsFileRoundTrip() throws {
        let points = ["/var/log/a.log": ResumePoint(key: "/var/log/a.log", value: "123", inode: 77),
                      "journal-j": ResumePoint(key: "journal-j", value: "s=abc;i=1")]
        let text = PositionsFile.encode(points)
        #expect(try PositionsFile.decode(text) == points)
        // Promtail's own file.
        let promtail = try PositionsFile.decode("positions:\n  /var/log/syslog: \"4096\"\n")
        #expect(promtail["/var/log/syslog"] == ResumePoint(key: "/var/log/syslog", value: "4096"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-pos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state/positions.yaml").path
        try PositionsFile.writeAtomically(text, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp"))
    }

    @Test func globs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-glob-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["x.log", "y.log", "z.gz", "a/n.log", "a/b/m.log"] {
            FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: Data())
        }
        let root = directory.path
        #expect(FileGlob.expand(root + "/*.log") == [root + "/x.log", root + "/y.log"])
        #expect(FileGlob.expand(root + "/{x.log,z.gz}") == [root + "/x.log", root + "/z.gz"])
        #expect(FileGlob.expand(root + "/**/*.log") == [root + "/a/b/m.log", root + "/a/n.log", root + "/x.log", root + "/y.log"])
        #expect(FileGlob.expand(root + "/*", exclude: root + "/*.gz") == [root + "/x.log", root + "/y.log"])
    }
}
