import FjordLokiAPI
import FjordModel

/// The body of Alertmanager's `POST /api/v2/alerts`: a JSON array of
/// `{"labels":{},"annotations":{},"startsAt":"RFC3339","endsAt":"RFC3339","generatorURL":"..."}`.
public enum AlertmanagerPayload {
    public static func encode(_ alerts: [AlertNotification]) -> [UInt8] {
        var json = JSONBuffer(capacity: 256 * max(1, alerts.count))
        json.append("[")
        for (index, alert) in alerts.enumerated() {
            if index > 0 { json.append(",") }
            json.append("{\"labels\":")
            RulerJSON.labels(alert.labels, into: &json)
            json.append(",\"annotations\":")
            RulerJSON.labels(alert.annotations, into: &json)
            json.append(",\"startsAt\":")
            json.append(string: GoTime.rfc3339Nano(alert.startsAt), .goStandard)
            json.append(",\"endsAt\":")
            json.append(string: GoTime.rfc3339Nano(alert.endsAt), .goStandard)
            if !alert.generatorURL.isEmpty {
                json.append(",\"generatorURL\":")
                json.append(string: alert.generatorURL, .goStandard)
            }
            json.append("}")
        }
        json.append("]")
        return json.bytes
    }
}

/// Loki's `generatorURL` for an alert: `<external_url>/explore?left={"queries":[<query-escaped JSON>]}` where the
/// JSON is `{"expr":"<expr>","queryType":"range"}` (`pkg/ruler/base/ruler.go` `grafanaLinkForExpression`).
public enum GeneratorURL {
    public static func make(externalURL: String, expr: String) -> String {
        var json = JSONBuffer()
        json.append("{\"expr\":")
        json.append(string: expr, .goStandard)
        json.append(",\"queryType\":\"range\"}")
        return externalURL + "/explore?left={\"queries\":[" + queryEscape(json.bytes) + "]}"
    }

    /// Go's `url.QueryEscape`: unreserved bytes kept, space as `+`, everything else `%XX`.
    public static func queryEscape(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Small JSON helpers shared by the ruler's encoders.
enum RulerJSON {
    /// A label set as a JSON object in label order (Go marshals `labels.Labels` this way).
    static func labels(_ labels: Labels, into json: inout JSONBuffer) {
        json.append("{")
        for (index, pair) in labels.enumerated() {
            if index > 0 { json.append(",") }
            json.append(string: pair.name, .goStandard)
            json.append(":")
            json.append(string: pair.value, .goStandard)
        }
        json.append("}")
    }
}
