import FjordStorage
import Foundation
import Testing

/// A fresh directory under the system temporary directory, removed by `cleanUp()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-storage-\(UUID().uuidString)").path
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ObjectStoreTests {
    enum Kind: String, CaseIterable { case filesystem, memory }

    private func withStore(_ kind: Kind, _ body: (any ObjectStore) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(MemoryObjectStore())
        case .filesystem:
            let directory = TemporaryDirectory()
            defer { directory.cleanUp() }
            try await body(try FilesystemObjectStore(root: directory.path))
        }
    }

    @Test(arguments: Kind.allCases)
    func putGetListDelete(kind: Kind) async throws {
        try await withStore(kind) { store in
            try await store.put("t/chunks/aa/1", Array("one".utf8))
            try await store.put("t/chunks/ab/2", Array("two!".utf8))
            try await store.put("t/index/x", [])
            try await store.put("u/chunks/aa/1", [1])
            #expect(try await store.get("t/chunks/aa/1") == Array("one".utf8))
            #expect(try await store.get("t/index/x") == [])
            try await store.put("t/chunks/aa/1", Array("replaced".utf8))
            #expect(try await store.get("t/chunks/aa/1") == Array("replaced".utf8))
            #expect(try await store.list(prefix: "t/chunks/").map(\.key) == ["t/chunks/aa/1", "t/chunks/ab/2"])
            #expect(try await store.list(prefix: "t/chunks/a").map(\.size) == [8, 4])
            #expect(try await store.list(prefix: "t/chunks/ab").map(\.key) == ["t/chunks/ab/2"])
            #expect(try await store.list(prefix: "t").count == 3)
            #expect(try await store.list(prefix: "").count == 4)
            #expect(try await store.list(prefix: "nothing/").isEmpty)
            #expect(try await store.exists("t/chunks/ab/2"))
            #expect(try await !store.exists("t/chunks/ab"))
            try await store.delete("t/chunks/ab/2")
            try await store.delete("t/chunks/ab/2")
            #expect(try await !store.exists("t/chunks/ab/2"))
            await #expect(throws: ObjectStoreError(.notFound, key: "t/chunks/ab/2")) { try await store.get("t/chunks/ab/2") }
        }
    }

    @Test(arguments: Kind.allCases)
    func rangeReads(kind: Kind) async throws {
        try await withStore(kind) { store in
            let data = (0..<100).map { UInt8($0) }
            try await store.put("k", data)
            #expect(try await store.get("k", range: 10..<20) == Array(data[10..<20]))
            #expect(try await store.get("k", range: 90..<200) == Array(data[90..<100]))
            await #expect(throws: ObjectStoreError.self) { try await store.get("k", range: 100..<101) }
            await #expect(throws: ObjectStoreError.self) { try await store.get("k", range: 5..<5) }
        }
    }

    @Test(arguments: Kind.allCases)
    func rejectsUnsafeKeys(kind: Kind) async throws {
        try await withStore(kind) { store in
            for key in ["", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", ".fjord-tmp/x", "a\\b", "a\u{0}b", "..", "."] {
                await #expect(throws: ObjectStoreError.self, "key \(key.debugDescription)") { try await store.put(key, [1]) }
                await #expect(throws: ObjectStoreError.self) { try await store.get(key) }
            }
            await #expect(throws: ObjectStoreError.self) { try await store.list(prefix: "../") }
            #expect(throws: Never.self) { try ObjectKey.validate("tenant.with.dots/chunks/..a/b..") }
        }
    }

    @Test func filesystemWritesAreAtomicAndLeaveNoTemporaryFiles() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let store = try FilesystemObjectStore(root: directory.path)
        let big = [UInt8](repeating: 7, count: 3 << 20)
        // Concurrent writers of the same key: a reader only ever sees one whole version.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for value in 0..<8 {
                group.addTask { try await store.put("a/b/same", [UInt8](repeating: UInt8(value), count: 1 << 20)) }
            }
            group.addTask {
                for _ in 0..<20 {
                    if let data = try? await store.get("a/b/same") {
                        #expect(data.count == 1 << 20 && Set(data).count == 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        try await store.put("a/big", big)
        #expect(try await store.get("a/big") == big)
        let temporary = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/" + ObjectKey.reservedTemporaryDirectory)
        #expect(temporary.isEmpty)
        // The temporary directory never shows up in listings; deleting the last object removes empty directories.
        #expect(try await store.list(prefix: "").map(\.key) == ["a/b/same", "a/big"])
        try await store.delete("a/b/same")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/a/b"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/a"))
        // A store opened again on the same root sees the data.
        let reopened = try FilesystemObjectStore(root: directory.path + "/")
        #expect(try await reopened.get("a/big").count == big.count)
    }
}
