import FjordRules
import Foundation
import Testing

@Suite struct LocalRuleStoreTests {
    static func makeStore() throws -> (LocalRuleStore, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fjord-rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (LocalRuleStore(directory: directory), directory)
    }

    static let group = RuleGroup(name: "g1", rules: [Rule(kind: .recording("r"), expr: #"sum(rate({a="b"}[1m]))"#)])

    @Test func setListAndDelete() throws {
        let (store, directory) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try store.setGroup(tenant: "fake", namespace: "ns1", group: Self.group)
        var second = Self.group
        second.name = "g2"
        try store.setGroup(tenant: "fake", namespace: "ns1", group: second)
        try store.setGroup(tenant: "fake", namespace: "ns1", group: second)
        #expect(FileManager.default.fileExists(atPath: directory + "/fake/ns1.yaml"))
        #expect(store.namespaces(tenant: "fake").map { $0.groups.map(\.name) } == [["g1", "g2"]])
        #expect(store.load().groups.map(\.key.description) == ["fake/ns1/g1", "fake/ns1/g2"])
        try store.deleteGroup(tenant: "fake", namespace: "ns1", group: "g1")
        #expect(throws: RuleStoreError(.groupNotFound, "group does not exist")) {
            try store.deleteGroup(tenant: "fake", namespace: "ns1", group: "g1")
        }
        try store.deleteGroup(tenant: "fake", namespace: "ns1", group: "g2")
        #expect(!FileManager.default.fileExists(atPath: directory + "/fake/ns1.yaml"))
        #expect(throws: RuleStoreError(.namespaceNotFound, "group namespace does not exist")) {
            try store.deleteNamespace(tenant: "fake", namespace: "ns1")
        }
        #expect(throws: RuleStoreError.self) { try store.setGroup(tenant: "fake", namespace: "../x", group: Self.group) }
    }

    @Test func invalidFilesAreReportedAndSkipped() throws {
        let (store, directory) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/t1", withIntermediateDirectories: true)
        try "groups:\n  - name: ok\n    rules: []\n".write(toFile: directory + "/t1/good.yml", atomically: true, encoding: .utf8)
        try "groups:\n  - name: bad\n    rules:\n      - alert: X\n".write(toFile: directory + "/t1/bad.yaml", atomically: true, encoding: .utf8)
        let snapshot = store.load()
        #expect(snapshot.namespaces["t1"]?.map(\.name) == ["good"])
        #expect(snapshot.errors.map(\.description) == [
            directory + #"/t1/bad.yaml:4: group "bad", rule 1, "X": field 'expr' must be set in rule"#,
        ])
        // A broken namespace file is not overwritten by the API.
        #expect(throws: RuleStoreError.self) { try store.setGroup(tenant: "t1", namespace: "bad", group: Self.group) }
    }
}
