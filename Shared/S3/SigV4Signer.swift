import FjordModel

/// Credentials for AWS Signature Version 4.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Temporary credentials' session token (`x-amz-security-token`), if any.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// A request to sign: the parts AWS Signature V4 covers. Pure value; ``SigV4Signer`` turns it into headers.
public struct SignableRequest: Sendable, Hashable {
    public var method: String
    /// The path as sent on the wire, already URI-encoded (``SigV4Signer/encodePath(_:)``).
    public var encodedPath: String
    /// Query parameters, not encoded; the signer sorts and encodes them.
    public var query: [(String, String)]
    /// Headers to sign (must include `host`); names in any case.
    public var headers: [(String, String)]
    /// Lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadHash: String

    public init(method: String, encodedPath: String, query: [(String, String)] = [], headers: [(String, String)],
                payloadHash: String) {
        self.method = method
        self.encodedPath = encodedPath
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }

    public static func == (lhs: SignableRequest, rhs: SignableRequest) -> Bool {
        lhs.method == rhs.method && lhs.encodedPath == rhs.encodedPath && lhs.payloadHash == rhs.payloadHash
            && lhs.query.elementsEqual(rhs.query, by: ==) && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(encodedPath)
        hasher.combine(payloadHash)
    }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`) in the `Authorization` header, as S3 and S3-compatible stores
/// expect it. Pure: the time comes in as text, so AWS's published examples are reproducible in tests.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to `request` (`Authorization`, `x-amz-date`, `x-amz-content-sha256`, and the session
    /// token when there is one). `amzDate` is `YYYYMMDD'T'HHMMSS'Z'` in UTC. The request's own headers must already
    /// contain `x-amz-date`/`x-amz-content-sha256` if they are to be signed; ``sign(_:amzDate:)`` adds them when absent.
    public func sign(_ request: SignableRequest, amzDate: String) -> [(String, String)] {
        var request = request
        var added: [(String, String)] = []
        let names = Set(request.headers.map { $0.0.lowercased() })
        if !names.contains("x-amz-date") { added.append(("x-amz-date", amzDate)) }
        if !names.contains("x-amz-content-sha256") { added.append(("x-amz-content-sha256", request.payloadHash)) }
        if let token = credentials.sessionToken, !names.contains("x-amz-security-token") {
            added.append(("x-amz-security-token", token))
        }
        request.headers += added
        let (canonical, signedHeaders) = canonicalRequest(request)
        let date = String(amzDate.prefix(8))
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Crypto.hex(Crypto.sha256(Array(canonical.utf8))))"
        let signature = Crypto.hex(Crypto.hmacSHA256(key: signingKey(date: date), Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// The canonical request text and the signed-headers list (exposed for tests).
    public func canonicalRequest(_ request: SignableRequest) -> (text: String, signedHeaders: String) {
        var headers: [String: String] = [:]
        for (name, value) in request.headers {
            let key = name.lowercased()
            let trimmed = SigV4Signer.collapseSpaces(value)
            headers[key] = headers[key].map { $0 + "," + trimmed } ?? trimmed
        }
        let sortedNames = headers.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let canonicalHeaders = sortedNames.map { "\($0):\(headers[$0] ?? "")\n" }.joined()
        let signedHeaders = sortedNames.joined(separator: ";")
        let query = request.query
            .map { (SigV4Signer.encode($0.0, keepSlash: false), SigV4Signer.encode($0.1, keepSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let path = request.encodedPath.isEmpty ? "/" : request.encodedPath
        let text = [request.method, path, query, canonicalHeaders, signedHeaders, request.payloadHash].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
    func signingKey(date: String) -> [UInt8] {
        let dateKey = Crypto.hmacSHA256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), Array(date.utf8))
        let regionKey = Crypto.hmacSHA256(key: dateKey, Array(region.utf8))
        let serviceKey = Crypto.hmacSHA256(key: regionKey, Array(service.utf8))
        return Crypto.hmacSHA256(key: serviceKey, Array("aws4_request".utf8))
    }

    /// URI-encodes an object key for the path: every byte except unreserved characters and `/` (S3 does not
    /// double-encode paths).
    public static func encodePath(_ path: String) -> String { encode(path, keepSlash: true) }

    /// RFC 3986 percent-encoding of everything but `A–Z a–z 0–9 - _ . ~` (and `/` when `keepSlash`), uppercase hex.
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Trims a header value and collapses runs of spaces into one, as the canonical form requires.
    static func collapseSpaces(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for character in value.trimmingSpaces() {
            if character == " " || character == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        return out
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` for Unix seconds.
    public static func amzDate(unixSeconds: Int64) -> String {
        let civil = GoTime.civil(unixSeconds * 1_000_000_000)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(civil.year)\(two(civil.month))\(two(civil.day))T\(two(civil.hour))\(two(civil.minute))\(two(civil.second))Z"
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return view
    }
}
