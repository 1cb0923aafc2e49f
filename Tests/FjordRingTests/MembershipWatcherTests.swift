import Foundation
import FjordRing
import Synchronization
import Testing

@Suite("Membership reloading")
struct MembershipWatcherTests {
    static func file(_ ids: [Int]) -> String {
        "ingesters:\n" + ids.map { "  - id: ingester-\($0)\n    address: 127.0.0.1:\(9000 + $0)\n" }.joined()
    }

    /// A fake file whose content the test sets.
    final class FakeFile: Sendable {
        let content = Mutex<String?>(nil)
        func set(_ text: String?) { content.withLock { $0 = text } }
        func read(_ path: String) throws -> [UInt8] {
            guard let text = content.withLock({ $0 }) else { throw CocoaError(.fileNoSuchFile) }
            return Array(text.utf8)
        }
    }

    @Test("a changed file publishes a new snapshot; same bytes or same members do not")
    func reloads() throws {
        let fake = FakeFile()
        fake.set(Self.file([1, 2, 3]))
        let watcher = try MembershipWatcher(path: "members.yaml", readFile: { try fake.read($0) })
        #expect(watcher.snapshot.generation == 1)
        #expect(watcher.snapshot.ring.instances.count == 3)
        guard case .unchanged = watcher.reload() else { Issue.record("expected unchanged"); return }

        fake.set("# a comment\n" + Self.file([1, 2, 3]))
        guard case .unchanged = watcher.reload() else { Issue.record("a comment is not a change"); return }
        #expect(watcher.snapshot.generation == 1)

        fake.set(Self.file([1, 2, 3, 4]))
        guard case .updated(let snapshot) = watcher.reload() else { Issue.record("expected an update"); return }
        #expect(snapshot.generation == 2)
        #expect(snapshot.ring.instances.map(\.id) == ["ingester-1", "ingester-2", "ingester-3", "ingester-4"])
        #expect(watcher.snapshot.generation == 2)
        #expect(watcher.lastError == nil)
    }

    @Test("a bad or missing file keeps the old ring and reports why")
    func badFileKeepsRing() throws {
        let fake = FakeFile()
        fake.set(Self.file([1, 2]))
        let watcher = try MembershipWatcher(path: "members.yaml", readFile: { try fake.read($0) })

        fake.set(Self.file([1, 2]) + "  - id: ingester-1\n    address: 127.0.0.1:9100\n")
        guard case .rejected(let error) = watcher.reload() else { Issue.record("expected a rejection"); return }
        #expect(error.message == "members.yaml: line 6: duplicate ingester id \"ingester-1\" (first listed on line 2)")
        #expect(watcher.lastError == error)
        #expect(watcher.snapshot.generation == 1)
        #expect(watcher.snapshot.ring.instances.count == 2)
        // The same bad bytes are not parsed (or reported) again.
        guard case .unchanged = watcher.reload() else { Issue.record("expected unchanged"); return }

        fake.set(nil)
        guard case .rejected(let missing) = watcher.reload() else { Issue.record("expected a rejection"); return }
        #expect(missing.message.hasPrefix("cannot read membership file members.yaml: "))
        #expect(watcher.snapshot.ring.instances.count == 2)

        fake.set(Self.file([2, 3]))
        guard case .updated(let snapshot) = watcher.reload() else { Issue.record("expected an update"); return }
        #expect(snapshot.generation == 2)
        #expect(watcher.lastError == nil)
    }

    @Test("start-up needs a valid file")
    func startup() {
        #expect(throws: MembershipError.self) {
            try MembershipWatcher(path: "/nonexistent/fjord/members.yaml")
        }
        let fake = FakeFile()
        fake.set("ingesters: []\n")
        #expect(throws: MembershipError("members.yaml: no ingesters listed; the ring needs at least one")) {
            try MembershipWatcher(path: "members.yaml", readFile: { try fake.read($0) })
        }
    }

    @Test("the poll loop picks up a real file's change and stops when cancelled")
    func pollLoop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-ring-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("members.yaml").path
        try Self.file([1, 2, 3]).write(toFile: path, atomically: true, encoding: .utf8)
        let watcher = try MembershipWatcher(path: path, pollInterval: .milliseconds(10))
        let (updates, continuation) = AsyncStream.makeStream(of: Int.self)
        let loop = Task {
            await watcher.run { outcome in
                if case .updated(let snapshot) = outcome { continuation.yield(snapshot.ring.instances.count) }
            }
            continuation.finish()
        }
        try Self.file([1, 2, 3, 4]).write(toFile: path, atomically: true, encoding: .utf8)
        var iterator = updates.makeAsyncIterator()
        let count = await iterator.next()
        #expect(count == 4)
        #expect(watcher.snapshot.ring.instances.count == 4)
        loop.cancel()
        #expect(await iterator.next() == nil)
    }
}
