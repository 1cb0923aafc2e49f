/// A response body ready to send: bytes, content type and status.
public struct EncodedBody: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var bytes: [UInt8]

    public init(status: Int = 200, contentType: String, bytes: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.bytes = bytes
    }

    /// The body as text (for tests and logs).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The content types Loki answers with.
public enum LokiContentType {
    /// Query-path JSON written by Loki itself (log results, labels, series, index stats).
    public static let queryJSON = "application/json; charset=UTF-8"
    /// Metric results re-encoded by the query frontend, and `status/buildinfo`.
    public static let json = "application/json"
    /// `format_query` answers (success and error).
    public static let formatQueryJSON = "application/json; charset=utf-8"
    /// Plain-text bodies (`/ready`, errors).
    public static let plainText = "text/plain; charset=utf-8"
}

/// The `X-Loki-Response-Encoding-Flags` request header: a comma-separated list kept exactly as sent (Loki neither
/// trims nor checks the names), de-duplicated in order. Only `categorize-labels` changes the encoding.
public struct EncodingFlags: Sendable, Hashable {
    /// The header's name.
    public static let headerName = "X-Loki-Response-Encoding-Flags"
    /// The flag that splits stream labels from structured metadata and parsed labels.
    public static let categorizeLabels = "categorize-labels"

    /// Flags in the order they first appear.
    public var flags: [String]

    public init(_ flags: [String] = []) {
        var seen = Set<String>()
        self.flags = flags.filter { seen.insert($0).inserted }
    }

    /// Parses the header value; nil or empty means no flags.
    public static func parse(header: String?) -> EncodingFlags {
        guard let header, !header.isEmpty else { return EncodingFlags() }
        return EncodingFlags(header.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    /// True when `categorize-labels` was requested.
    public var categorizesLabels: Bool { flags.contains(Self.categorizeLabels) }

    public var isEmpty: Bool { flags.isEmpty }
}
