import FjordAuth
import Hummingbird
public import Logging
import Metrics

/// One log line per denied request (401, 403, 429 from authentication): who (credential or claimed user), from
/// where, what (method, path, requested tenants) and why — never a password, token or `Authorization` value.
/// Logged by `fjord.audit` at `notice`, counted in `fjord_auth_denied_total{status}`.
public struct AuditLog: Sendable {
    let logger: Logger

    public init(logger: Logger = Logger(label: "fjord.audit")) { self.logger = logger }

    func denied(_ request: Request, context: APIRequestContext, status: Int, who: String?, reason: String) {
        Counter(label: "fjord_auth_denied_total", dimensions: [("status", String(status))]).increment()
        var metadata: Logger.Metadata = [
            "status": "\(status)",
            "who": "\(who.map(AuditLog.clean) ?? "anonymous")",
            "remote": "\(context.remoteAddress?.ipAddress ?? "unknown")",
            "method": "\(request.method.rawValue)",
            "path": "\(AuditLog.clean(request.uri.path))",
            "reason": "\(AuditLog.clean(reason))",
        ]
        if let tenants = request.headers[.init("X-Scope-OrgID")!] { metadata["org_id"] = "\(AuditLog.clean(tenants))" }
        logger.notice("request denied", metadata: metadata)
    }

    /// At most 200 printable ASCII characters, so a hostile header cannot forge log lines or flood them.
    static func clean(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(200) {
            out.unicodeScalars.append(scalar.value >= 0x20 && scalar.value < 0x7f ? scalar : "?")
        }
        return text.unicodeScalars.count > 200 ? out + "..." : out
    }
}
