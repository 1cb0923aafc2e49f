import FjordLokiAPI
import FjordModel
import Foundation

/// Filters of `GET /prometheus/api/v1/rules`: `type` (`alert` or `record`), `file[]` (namespaces), `rule_group[]`,
/// `rule_name[]`. Empty lists do not filter.
public struct PrometheusRulesFilter: Sendable, Hashable {
    public enum RuleType: String, Sendable, Hashable { case alert, record }

    public var type: RuleType?
    public var files: Set<String> = []
    public var groups: Set<String> = []
    public var ruleNames: Set<String> = []

    public init() {}

    /// Parses the query parameters; an unknown `type` is Loki's `not supported value "<type>"`.
    public static func parse(type: String?, files: [String], groups: [String], ruleNames: [String]) throws(RuleEvaluationError) -> PrometheusRulesFilter {
        var filter = PrometheusRulesFilter()
        let lowered = (type ?? "").lowercased()
        if !lowered.isEmpty {
            guard let parsed = RuleType(rawValue: lowered) else {
                throw RuleEvaluationError("not supported value \(GoQuote.quote(lowered))")
            }
            filter.type = parsed
        }
        filter.files = Set(files)
        filter.groups = Set(groups)
        filter.ruleNames = Set(ruleNames)
        return filter
    }

    func keeps(_ rule: Rule) -> Bool {
        if let type, (type == .alert) != rule.isAlerting { return false }
        return ruleNames.isEmpty || ruleNames.contains(rule.name)
    }
}

/// The JSON of the ruler's Prometheus-compatible endpoints, in Loki's shapes (`pkg/ruler/base/api.go`):
/// `{"status":"success","data":...,"errorType":"","error":""}`.
public enum RulerAPIEncoding {
    /// `GET /prometheus/api/v1/rules`: every group (sorted by namespace, then name) with each rule's state.
    public static func rules(_ groups: [RuleGroupState], filter: PrometheusRulesFilter = PrometheusRulesFilter()) -> [UInt8] {
        var json = JSONBuffer(capacity: 1024)
        json.append("{\"status\":\"success\",\"data\":{\"groups\":[")
        var first = true
        let sorted = groups.sorted { ($0.key.namespace, $0.key.group) < ($1.key.namespace, $1.key.group) }
        for state in sorted {
            if !filter.files.isEmpty && !filter.files.contains(state.key.namespace) { continue }
            if !filter.groups.isEmpty && !filter.groups.contains(state.key.group) { continue }
            let kept = state.group.rules.indices.filter { filter.keeps(state.group.rules[$0]) }
            if kept.isEmpty && (filter.type != nil || !filter.ruleNames.isEmpty) { continue }
            if !first { json.append(",") }
            first = false
            json.append("{\"name\":")
            json.append(string: state.key.group, .goStandard)
            json.append(",\"file\":")
            json.append(string: state.key.namespace, .goStandard)
            json.append(",\"rules\":[")
            for (position, index) in kept.enumerated() {
                if position > 0 { json.append(",") }
                rule(index, of: state, into: &json)
            }
            json.append("],\"interval\":")
            json.append(unescaped: seconds(state.intervalNanos))
            json.append(",\"lastEvaluation\":")
            json.append(string: time(state.lastEvaluation), .goStandard)
            json.append(",\"evaluationTime\":")
            json.append(unescaped: float(state.evaluationSeconds))
            json.append(",\"limit\":")
            json.append(decimal: Int64(state.group.limit))
            json.append("}")
        }
        json.append("]},\"errorType\":\"\",\"error\":\"\"}")
        return json.bytes
    }

    /// `GET /prometheus/api/v1/alerts`: every pending or firing alert.
    public static func alerts(_ groups: [RuleGroupState]) -> [UInt8] {
        var json = JSONBuffer(capacity: 512)
        json.append("{\"status\":\"success\",\"data\":{\"alerts\":[")
        var first = true
        let sorted = groups.sorted { ($0.key.namespace, $0.key.group) < ($1.key.namespace, $1.key.group) }
        for state in sorted {
            for index in state.group.rules.indices {
                for alert in state.alerting[index]?.activeAlerts ?? [] {
                    if !first { json.append(",") }
                    first = false
                    self.alert(alert, into: &json)
                }
            }
        }
        json.append("]},\"errorType\":\"\",\"error\":\"\"}")
        return json.bytes
    }

    /// Loki's accepted answer to rule changes: `{"status":"success","data":null,"errorType":"","error":""}`.
    public static let accepted = Array("{\"status\":\"success\",\"data\":null,\"errorType\":\"\",\"error\":\"\"}".utf8)

    /// Loki's `respondInvalidRequest`: `{"status":"error","data":null,"errorType":"bad_data","error":"..."}`.
    public static func badData(_ message: String) -> [UInt8] {
        var json = JSONBuffer()
        json.append("{\"status\":\"error\",\"data\":null,\"errorType\":\"bad_data\",\"error\":")
        json.append(string: message, .goStandard)
        json.append("}")
        return json.bytes
    }

    private static func rule(_ index: Int, of state: RuleGroupState, into json: inout JSONBuffer) {
        let rule = state.group.rules[index]
        let status = state.statuses[index]
        if let alerting = state.alerting[index] {
            json.append("{\"state\":")
            json.append(string: alerting.state.rawValue, .goStandard)
            json.append(",\"name\":")
            json.append(string: rule.name, .goStandard)
            json.append(",\"query\":")
            json.append(string: rule.expr, .goStandard)
            json.append(",\"duration\":")
            json.append(unescaped: seconds(rule.forNanos))
            json.append(",\"keepFiringFor\":")
            json.append(unescaped: seconds(rule.keepFiringForNanos))
            json.append(",\"labels\":")
            RulerJSON.labels(rule.labels, into: &json)
            json.append(",\"annotations\":")
            RulerJSON.labels(rule.annotations, into: &json)
            json.append(",\"alerts\":[")
            for (position, alert) in alerting.activeAlerts.enumerated() {
                if position > 0 { json.append(",") }
                self.alert(alert, into: &json)
            }
            json.append("]")
        } else {
            json.append("{\"name\":")
            json.append(string: rule.name, .goStandard)
            json.append(",\"query\":")
            json.append(string: rule.expr, .goStandard)
            json.append(",\"labels\":")
            RulerJSON.labels(rule.labels, into: &json)
        }
        json.append(",\"health\":")
        json.append(string: status.health.rawValue, .goStandard)
        json.append(",\"lastError\":")
        json.append(string: status.lastError, .goStandard)
        json.append(rule.isAlerting ? ",\"type\":\"alerting\"" : ",\"type\":\"recording\"")
        json.append(",\"lastEvaluation\":")
        json.append(string: time(status.lastEvaluation), .goStandard)
        json.append(",\"evaluationTime\":")
        json.append(unescaped: float(status.evaluationSeconds))
        json.append("}")
    }

    private static func alert(_ alert: ActiveAlert, into json: inout JSONBuffer) {
        json.append("{\"labels\":")
        RulerJSON.labels(alert.labels, into: &json)
        json.append(",\"annotations\":")
        RulerJSON.labels(alert.annotations, into: &json)
        json.append(",\"state\":")
        json.append(string: alert.state.rawValue, .goStandard)
        json.append(",\"activeAt\":")
        json.append(string: GoTime.rfc3339Nano(alert.activeAt), .goStandard)
        json.append(",\"value\":")
        json.append(string: GoFloat.formatExponent(alert.value), .goStandard)
        json.append("}")
    }

    /// Go's `time.Time` in JSON; the zero time before the first evaluation.
    static func time(_ nanos: Int64?) -> String {
        guard let nanos else { return "0001-01-01T00:00:00Z" }
        return GoTime.rfc3339Nano(nanos)
    }

    static func seconds(_ nanos: Int64) -> String { float(Double(nanos) / 1e9) }

    /// A float64 as Go's `encoding/json` writes it: shortest form, exponent only below 1e-6 or from 1e21.
    static func float(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 {
            var text = GoFloat.formatExponent(value)
            if let range = text.range(of: "e-0") { text.replaceSubrange(range, with: "e-") }
            if let range = text.range(of: "e+0") { text.replaceSubrange(range, with: "e+") }
            return text
        }
        return GoFloat.format(value)
    }
}
