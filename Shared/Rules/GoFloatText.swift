import Foundation

/// Go's `printf` float verbs with a precision (`%.2f`, `%8.3e`, `%.4g`) for alert templates: C's `printf` formats
/// finite numbers the same way; Go spells the specials `NaN`, `+Inf`, `-Inf`. (Shortest forms: ``GoFloat``.)
enum GoFloatText {
    static func printf(_ spec: String, _ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        return String(format: spec, value)
    }
}
