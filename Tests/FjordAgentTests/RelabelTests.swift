@testable import FjordAgent
import Testing

@Suite struct RelabelTests {
    func rule(_ action: RelabelRule.Action, source: [String] = [], regex: String = "(.*)", target: String = "",
              replacement: String = "$1", modulus: UInt64 = 0) throws -> RelabelRule {
        var rule = try RelabelRule(regex: regex)
        rule.action = action
        rule.sourceLabels = source
        rule.targetLabel = target
        rule.replacement = replacement
        rule.modulus = modulus
        return rule
    }

    @Test func replaceKeepDrop() throws {
        let labels = ["__meta_docker_container_name": "/api-1", "__meta_docker_container_log_stream": "stdout"]
        let out = Relabeler.process(labels, [
            try rule(.replace, source: ["__meta_docker_container_name"], regex: "/(.*)", target: "container"),
            try rule(.replace, source: ["__meta_docker_container_log_stream"], target: "stream"),
            try rule(.replace, source: ["missing"], regex: "(.+)", target: "never"),
            try rule(.replace, source: ["container", "stream"], regex: "(.*);(.*)", target: "${2}_x", replacement: "$1-$2"),
        ])
        #expect(out?["container"] == "api-1")
        #expect(out?["stream"] == "stdout")
        #expect(out?["never"] == nil)
        #expect(out?["stdout_x"] == "api-1-stdout")
        #expect(Relabeler.process(labels, [try rule(.keep, source: ["__meta_docker_container_name"], regex: "/db.*")]) == nil)
        #expect(Relabeler.process(labels, [try rule(.drop, source: ["__meta_docker_container_name"], regex: "/api.*")]) == nil)
        #expect(Relabeler.process(labels, [try rule(.keep, source: ["__meta_docker_container_name"], regex: "/api.*")]) != nil)
        // An empty result removes the target label.
        #expect(Relabeler.process(["a": "x", "b": ""], [try rule(.replace, source: ["b"], target: "a")])?["a"] == nil)
    }

    @Test func labelmapLabeldropLabelkeep() throws {
        let labels = ["__meta_docker_container_label_app_name": "shop", "__meta_docker_container_label_app_tier": "web",
                      "job": "docker"]
        let mapped = Relabeler.process(labels, [try rule(.labelmap, regex: "__meta_docker_container_label_app_(.+)", replacement: "app_$1")])
        #expect(mapped?["app_name"] == "shop")
        #expect(mapped?["app_tier"] == "web")
        #expect(Relabeler.process(labels, [try rule(.labeldrop, regex: "__meta_.*")]) == ["job": "docker"])
        #expect(Relabeler.process(labels, [try rule(.labelkeep, regex: "job")]) == ["job": "docker"])
    }

    @Test func hashmodMatchesPrometheus() throws {
        // Prometheus: md5("foo") = acbd18db4cc2f85cedef654fccc4a4d8; the last 8 bytes as big-endian uint64 mod 10.
        let digest = MD5.digest(Array("foo".utf8)).map { String(format2($0)) }.joined()
        #expect(digest == "acbd18db4cc2f85cedef654fccc4a4d8")
        let out = Relabeler.process(["a": "foo"], [try rule(.hashmod, source: ["a"], target: "shard", modulus: 10)])
        // 0xedef654fccc4a4d8 % 10
        #expect(out?["shard"] == String(UInt64(0xedef654fccc4a4d8) % 10))
    }

    @Test func goExpand() {
        #expect(GoRegexpExpand.expand("$1-${2}x$$", groups: ["all", "a", "b"], names: [nil, nil, nil]) == "a-bx$")
        #expect(GoRegexpExpand.expand("$1x", groups: ["all", "a"], names: [nil, nil]) == "")
        #expect(GoRegexpExpand.expand("${name}!", groups: ["all", "v"], names: [nil, "name"]) == "v!")
    }
}

private func format2(_ byte: UInt8) -> String {
    let hex = String(byte, radix: 16)
    return hex.count == 1 ? "0" + hex : hex
}
