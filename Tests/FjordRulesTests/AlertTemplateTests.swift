import FjordModel
import FjordRules
import Testing

@Suite struct AlertTemplateTests {
    let data = TemplateData(labels: Labels(["app": "oneiric", "level": "error"]), value: 1.3333333333333333,
                            externalLabels: Labels(["cluster": "eu-1"]), externalURL: "http://fjord:3100")

    func expand(_ text: String) throws -> String { try AlertTemplate(text, name: "__alert_A").execute(data) }

    @Test func variablesAndFields() throws {
        #expect(try expand("{{ $value }}") == "1.3333333333333333")
        #expect(try expand("{{ $labels.app }} / {{.Labels.level}}") == "oneiric / error")
        #expect(try expand("{{ $externalLabels.cluster }} {{ $externalURL }}") == "eu-1 http://fjord:3100")
        #expect(try expand("{{ $externalLabels }}") == "map[cluster:eu-1]")
        #expect(try expand("{{ $labels.missing }}") == "<no value>")
        #expect(try expand("{{ .Value }}") == "1.3333333333333333")
        #expect(try expand("plain text") == "plain text")
    }

    @Test func functionsAndPipelines() throws {
        #expect(try expand(#"{{ printf "%.2f" $value }}"#) == "1.33")
        #expect(try expand("{{ $value | humanize }}") == "1.333")
        #expect(try expand(#"{{ $labels.app | toUpper }}"#) == "ONEIRIC")
        #expect(try expand(#"{{ index $labels "level" }}"#) == "error")
        #expect(try expand(#"{{ printf "%s has %d" $labels.app 3 }}"#) == "oneiric has 3")
        #expect(try AlertTemplate("{{ humanize 1234567 }}", name: "x").execute(data) == "1.235M")
        #expect(try AlertTemplate("{{ humanizeDuration 3725 }}", name: "x").execute(data) == "1h 2m 5s")
        #expect(try AlertTemplate("{{ humanizePercentage 0.256 }}", name: "x").execute(data) == "25.6%")
        #expect(try AlertTemplate("{{ humanize1024 2048 }}", name: "x").execute(data) == "2ki")
    }

    @Test func trimMarkersAndComments() throws {
        #expect(try expand("a  {{- $labels.app -}}  b") == "aoneiricb")
        #expect(try expand("x{{/* note */}}y") == "xy")
    }

    @Test func goFloatPrinting() {
        #expect(GoFloat.formatShortest(2) == "2")
        #expect(GoFloat.formatShortest(123456) == "123456")
        #expect(GoFloat.formatShortest(1234567) == "1.234567e+06")
        #expect(GoFloat.formatShortest(0.0001) == "0.0001")
        #expect(GoFloat.formatShortest(0.00001) == "1e-05")
        #expect(GoFloat.formatExponent(1) == "1e+00")
        #expect(GoFloat.formatExponent(1.5) == "1.5e+00")
        #expect(GoFloat.formatExponent(0.025) == "2.5e-02")
        #expect(GoFloat.formatExponent(-1234.5) == "-1.2345e+03")
    }

    @Test func parseErrorsNameTheTemplateAndLine() {
        #expect(throws: TemplateError("template: __alert_A:1: function \"nope\" not defined")) {
            try AlertTemplate("{{ nope $value }}", name: "__alert_A")
        }
        #expect(throws: TemplateError("template: __alert_A:2: undefined variable \"$x\"")) {
            try AlertTemplate("line one\n{{ $x }}", name: "__alert_A")
        }
        #expect(throws: TemplateError("template: __alert_A:1: unclosed action")) {
            try AlertTemplate("{{ $value", name: "__alert_A")
        }
        #expect(throws: TemplateError.self) { try AlertTemplate("{{ if $value }}x{{ end }}", name: "__alert_A") }
    }

    @Test func expandPutsErrorsInPlace() {
        let text = AlertTemplate.expand("{{ $value.x }}", name: "__alert_A", data: data)
        #expect(text.hasPrefix("<error expanding template: template: __alert_A:1: executing"))
    }
}
