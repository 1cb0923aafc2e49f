/// How to reach one S3-compatible bucket: Loki's `storage_config.aws` block, plus Fjord's request tuning.
public struct S3Configuration: Sendable, Hashable {
    /// `host[:port]` or a full `http(s)://host[:port]` URL; empty means AWS (`s3.<region>.amazonaws.com`).
    public var endpoint: String
    public var bucket: String
    public var region: String
    public var credentials: AWSCredentials
    /// Path-style URLs (`endpoint/bucket/key`) instead of virtual-host style (`bucket.endpoint/key`); most
    /// self-hosted S3-compatible servers need path style.
    public var forcePathStyle: Bool
    /// Plain HTTP when the endpoint names no scheme.
    public var insecure: Bool
    /// Deadline of one HTTP request (each retry has its own).
    public var requestTimeoutNanos: Int64
    /// Retries after the first attempt of a request failing with a network error, 5xx or 429.
    public var maxRetries: Int
    public var minBackoffNanos: Int64
    public var maxBackoffNanos: Int64
    /// Objects larger than this are uploaded in parts.
    public var multipartThreshold: Int
    /// Size of each part but the last (S3 requires at least 5 MiB).
    public var partSize: Int

    public init(endpoint: String = "", bucket: String, region: String = "us-east-1", credentials: AWSCredentials,
                forcePathStyle: Bool = false, insecure: Bool = false, requestTimeoutNanos: Int64 = 30_000_000_000,
                maxRetries: Int = 5, minBackoffNanos: Int64 = 100_000_000, maxBackoffNanos: Int64 = 3_000_000_000,
                multipartThreshold: Int = 16 << 20, partSize: Int = 8 << 20) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region.isEmpty ? "us-east-1" : region
        self.credentials = credentials
        self.forcePathStyle = forcePathStyle
        self.insecure = insecure
        self.requestTimeoutNanos = requestTimeoutNanos
        self.maxRetries = maxRetries
        self.minBackoffNanos = minBackoffNanos
        self.maxBackoffNanos = maxBackoffNanos
        self.multipartThreshold = multipartThreshold
        self.partSize = max(partSize, 5 << 20)
    }
}

/// Where requests for a bucket go: scheme, host header and path prefix, from an ``S3Configuration``. Pure.
public struct S3Endpoint: Sendable, Hashable {
    public var scheme: String
    /// The `Host` header: `host` or `host:port` (the port only when given).
    public var host: String
    /// `/<bucket>` in path style, empty in virtual-host style.
    public var pathPrefix: String

    public init(_ config: S3Configuration) {
        var rest = Substring(config.endpoint)
        var scheme = config.insecure ? "http" : "https"
        if let range = rest.range(of: "://") {
            scheme = String(rest[..<range.lowerBound]).lowercased()
            rest = rest[range.upperBound...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        let base = rest.isEmpty ? "s3.\(config.region).amazonaws.com" : String(rest)
        self.scheme = scheme
        if config.forcePathStyle {
            host = base
            pathPrefix = "/" + SigV4Signer.encode(config.bucket, keepSlash: false)
        } else {
            host = config.bucket + "." + base
            pathPrefix = ""
        }
    }

    /// The encoded request path of `key` (`/` for the bucket itself).
    public func path(key: String) -> String {
        let encoded = "/" + SigV4Signer.encodePath(key)
        if pathPrefix.isEmpty { return key.isEmpty ? "/" : encoded }
        return key.isEmpty ? pathPrefix : pathPrefix + encoded
    }

    /// The full URL of a request.
    public func url(path: String, query: [(String, String)]) -> String {
        let queryText = query.map { "\(SigV4Signer.encode($0.0, keepSlash: false))=\(SigV4Signer.encode($0.1, keepSlash: false))" }
            .joined(separator: "&")
        return "\(scheme)://\(host)\(path)" + (queryText.isEmpty ? "" : "?" + queryText)
    }
}

/// Exponential backoff with full jitter between retries. Pure except for the random jitter source.
public struct S3Backoff: Sendable {
    public var minNanos: Int64
    public var maxNanos: Int64

    public init(minNanos: Int64, maxNanos: Int64) {
        self.minNanos = max(1, minNanos)
        self.maxNanos = max(self.minNanos, maxNanos)
    }

    /// The ceiling of the delay before retry `attempt` (1-based): `min · 2^(attempt−1)`, capped at `max`.
    public func ceiling(attempt: Int) -> Int64 {
        let shift = min(max(attempt - 1, 0), 30)
        let (value, overflow) = minNanos.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? maxNanos : min(value, maxNanos)
    }

    /// A delay in `[ceiling/2, ceiling]`.
    public func delay(attempt: Int, random: Double) -> Int64 {
        let ceiling = ceiling(attempt: attempt)
        return ceiling / 2 + Int64(Double(ceiling / 2) * min(max(random, 0), 1))
    }

    /// Whether a response status is worth retrying (throttling and server errors).
    public static func retryable(status: Int) -> Bool { status == 429 || status >= 500 }
}
