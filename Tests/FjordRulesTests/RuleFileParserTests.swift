import FjordModel
import FjordRules
import Testing

/// Rule files: accepted shapes, and invalid files rejected with the file, the line and the reason.
@Suite struct RuleFileParserTests {
    static let seed = """
        groups:
          - name: oneiric
            interval: 30s
            rules:
              - alert: HighErrorRate
                expr: sum(rate({app="oneiric"} | json | level="error" [5m])) > 1
                for: 5m
                labels:
                  severity: page
                annotations:
                  summary: "{{ $labels.app }}: {{ $value }} errors/s"
              - record: oneiric:errors:rate5m
                expr: sum(rate({app="oneiric"} | json | level="error" [5m]))
        """

    @Test func parsesTheSeedRules() throws {
        let groups = try RuleFileParser.parseFile(Self.seed, file: "rules/fake/oneiric.yaml")
        #expect(groups.count == 1)
        let group = try #require(groups.first)
        #expect(group.name == "oneiric")
        #expect(group.intervalNanos == 30_000_000_000)
        #expect(group.rules.count == 2)
        #expect(group.rules[0].kind == .alerting("HighErrorRate"))
        #expect(group.rules[0].forNanos == 300_000_000_000)
        #expect(group.rules[0].labels == Labels(["severity": "page"]))
        #expect(group.rules[1].kind == .recording("oneiric:errors:rate5m"))
    }

    @Test func renderedYAMLParsesBackToTheSameGroups() throws {
        let groups = try RuleFileParser.parseFile(Self.seed, file: "f")
        let text = RuleYAML.file(groups)
        #expect(try RuleFileParser.parseFile(text, file: "f") == groups)
        #expect(text.hasPrefix("groups:\n- name: oneiric\n  interval: 30s\n  rules:\n  - alert: HighErrorRate\n"))
        let single = RuleYAML.group(groups[0])
        #expect(try RuleFileParser.parseGroup(single) == groups[0])
        let listing = RuleYAML.namespaces([RuleNamespace(name: "ns1", groups: groups)])
        #expect(listing.hasPrefix("ns1:\n"))
    }

    @Test func emptyFileHasNoGroups() throws {
        #expect(try RuleFileParser.parseFile("", file: "f").isEmpty)
        #expect(try RuleFileParser.parseFile("groups: []\n", file: "f").isEmpty)
    }

    static func problems(_ yaml: String, file: String = "rules/fake/bad.yaml") -> [String] {
        do {
            _ = try RuleFileParser.parseFile(yaml, file: file)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func logQLThatDoesNotParseIsRejectedWithLine() {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: Broken
                    expr: sum(rate({app="oneiric"} [5m]) > 
            """
        let problems = Self.problems(yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix(#"rules/fake/bad.yaml:5: group "g", rule 1, "Broken": could not parse expression for alert 'Broken' in group 'g': parse error"#) == true)
    }

    @Test func logQueriesAreRejected() {
        let yaml = """
            groups:
              - name: g
                rules:
                  - record: logs
                    expr: '{app="oneiric"} |= "error"'
            """
        #expect(Self.problems(yaml) == [
            #"rules/fake/bad.yaml:5: group "g", rule 1, "logs": could not parse expression for record 'logs' in group 'g': only sample expression supported"#,
        ])
    }

    @Test func ruleShapeProblems() {
        let yaml = """
            groups:
              - name: g
                rules:
                  - alert: A
                    record: b
                    expr: sum(rate({a="b"}[1m]))
                  - expr: sum(rate({a="b"}[1m]))
                  - alert: NoExpr
                  - record: bad-name
                    expr: sum(rate({a="b"}[1m]))
                    for: 5m
                  - alert: BadLabel
                    expr: sum(rate({a="b"}[1m]))
                    labels:
                      0bad: x
                    annotations:
                      summary: "{{ nope }}"
                  - alert: Unknown
                    expr: sum(rate({a="b"}[1m]))
                    severity: page
                  - alert: BadFor
                    expr: sum(rate({a="b"}[1m]))
                    for: 5 minutes
            """
        let problems = Self.problems(yaml, file: "f.yaml")
        #expect(problems.contains(#"f.yaml:4: group "g", rule 1, "A": only one of 'record' and 'alert' must be set"#))
        #expect(problems.contains(#"f.yaml:7: group "g", rule 2, "": one of 'record' or 'alert' must be set"#))
        #expect(problems.contains(#"f.yaml:8: group "g", rule 3, "NoExpr": field 'expr' must be set in rule"#))
        #expect(problems.contains(#"f.yaml:11: group "g", rule 4, "bad-name": invalid field 'for' in recording rule"#))
        #expect(problems.contains(#"f.yaml:9: group "g", rule 4, "bad-name": invalid recording rule name: bad-name"#))
        #expect(problems.contains(#"f.yaml:15: group "g", rule 5, "BadLabel": invalid label name: 0bad"#))
        #expect(problems.contains(#"f.yaml:17: group "g", rule 5, "BadLabel": invalid template in annotation "summary": template: __alert_BadLabel:1: function "nope" not defined"#))
        #expect(problems.contains(#"f.yaml:20: group "g", rule 6, "Unknown": field severity not found in type rulefmt.RuleNode"#))
        #expect(problems.contains(#"f.yaml:23: for: unknown unit " minutes" in duration "5 minutes""#))
    }

    @Test func groupProblems() {
        let yaml = """
            groups:
              - name: g
                rules: []
              - name: g
                interval: 0s
              - rules: []
            extra: 1
            """
        let problems = Self.problems(yaml, file: "f.yaml")
        #expect(problems.contains("f.yaml:7: field extra not found in type rulefmt.RuleGroups"))
        #expect(problems.contains("f.yaml:5: interval must be greater than 0"))
        #expect(problems.contains("f.yaml:6: group 3: Groupname must not be empty"))
    }

    @Test func duplicateGroupNames() {
        let yaml = """
            groups:
              - name: g
                rules: []
              - name: g
                rules: []
            """
        #expect(Self.problems(yaml, file: "f.yaml") == [#"f.yaml:4: groupname: "g" is repeated in the same file (first on line 2)"#])
    }

    @Test func badYAMLNamesTheLine() {
        let problems = Self.problems("groups:\n  - name: g\n    rules: [\n", file: "f.yaml")
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("f.yaml:") == true)
        #expect(problems.first?.contains("invalid YAML") == true)
    }

    @Test func uploadedGroups() throws {
        let group = try RuleFileParser.parseGroup("name: g\nrules:\n  - record: r\n    expr: sum(rate({a=\"b\"}[1m]))\n")
        #expect(group.rules.count == 1)
        #expect(throws: RuleFileErrors([RuleFileError(file: "", line: 0, reason: "unable to decoded rule group")])) {
            try RuleFileParser.parseGroup("- not a mapping")
        }
        #expect(throws: RuleFileErrors([RuleFileError(file: "", line: 1, reason: "invalid rules config: rule group 'g' has no rules")])) {
            try RuleFileParser.parseGroup("name: g\nrules: []\n")
        }
    }
}
