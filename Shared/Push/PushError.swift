/// A push request failed as a whole: the HTTP status Loki answers with and its plain-text body.
///
/// Statuses used: 400 (malformed body, labels, validation), 413 (body or labels too large), 422 (no streams),
/// 429 (tenant rate limit).
public struct PushError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var status: Int
    /// The response body, exactly as Loki words it.
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }

    /// 400 Bad Request.
    public static func badRequest(_ message: String) -> PushError { PushError(status: 400, message: message) }

    /// 413 with Loki's `request body too large: <what> than max (<size> vs <max>)` wording.
    static func tooLarge(_ what: String, size: Int, max: Int) -> PushError {
        PushError(status: 413, message: "request body too large: \(what) than max (\(size) vs \(max))")
    }

    /// 422: the request carried no stream at all.
    public static let noStreams = PushError(
        status: 422, message: "error at least one valid stream is required for ingestion")
}

/// go-humanize's `Bytes`: SI units (`17 MB`), the form Loki uses in a few size messages.
enum HumanBytes {
    static func format(_ bytes: Int) -> String {
        if bytes < 10 { return "\(bytes) B" }
        let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
        var exponent = 0
        var scaled = Double(bytes)
        while scaled >= 1000, exponent < units.count - 1 {
            scaled /= 1000
            exponent += 1
        }
        let rounded = (scaled * 10 + 0.5).rounded(.down) / 10
        if rounded < 10 {
            let tenths = Int((rounded * 10).rounded())
            return "\(tenths / 10).\(tenths % 10) \(units[exponent])"
        }
        return "\(Int(rounded.rounded())) \(units[exponent])"
    }
}
