import AsyncHTTPClient
public import FjordStorage
import Foundation
import NIOCore
import NIOHTTP1

/// An ``ObjectStore`` on an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, moto, ...): requests signed with AWS
/// Signature V4, path-style or virtual-host style URLs, multipart upload above
/// ``S3Configuration/multipartThreshold``, retries with exponential backoff and a deadline per request.
///
/// Uses AsyncHTTPClient's process-wide shared client (no shutdown needed). Keys follow ``ObjectKey`` rules, so a
/// store copied between the filesystem and S3 keeps its keys.
public final class S3ObjectStore: ObjectStore {
    public let config: S3Configuration
    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let backoff: S3Backoff
    let client: HTTPClient

    public init(config: S3Configuration) {
        self.config = config
        self.endpoint = S3Endpoint(config)
        self.signer = SigV4Signer(credentials: config.credentials, region: config.region)
        self.backoff = S3Backoff(minNanos: config.minBackoffNanos, maxNanos: config.maxBackoffNanos)
        self.client = HTTPClient.shared
    }

    /// Largest response body accepted (objects are chunks and index segments of a few MiB).
    static let maxResponseBytes = 1 << 30

    // MARK: - ObjectStore

    public func put(_ key: String, _ data: [UInt8]) async throws {
        try ObjectKey.validate(key)
        if data.count > config.multipartThreshold {
            try await multipartPut(key, data)
            return
        }
        let response = try await send("PUT", key: key, body: data)
        guard response.status == 200 else { throw failure(response, "PUT", key) }
    }

    public func get(_ key: String) async throws -> [UInt8] {
        try ObjectKey.validate(key)
        let response = try await send("GET", key: key)
        if response.status == 404 { throw ObjectStoreError(.notFound, key: key) }
        guard response.status == 200 else { throw failure(response, "GET", key) }
        return response.body
    }

    public func get(_ key: String, range: Range<Int>) async throws -> [UInt8] {
        try ObjectKey.validate(key)
        guard range.lowerBound >= 0, !range.isEmpty else {
            throw ObjectStoreError(.invalidRange, key: key, message: "\(range)")
        }
        let response = try await send("GET", key: key,
                                      headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")])
        switch response.status {
        case 206: return response.body
        case 200: // a server that ignores Range sends the whole object
            let body = response.body
            guard range.lowerBound < max(body.count, 1) else {
                throw ObjectStoreError(.invalidRange, key: key, message: "\(range) of an object of \(body.count) bytes")
            }
            return Array(body[range.lowerBound..<min(range.upperBound, body.count)])
        case 404: throw ObjectStoreError(.notFound, key: key)
        case 416: throw ObjectStoreError(.invalidRange, key: key, message: "\(range)")
        default: throw failure(response, "GET", key)
        }
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        try ObjectKey.validatePrefix(prefix)
        var results: [ObjectInfo] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try await send("GET", key: "", query: query)
            guard response.status == 200 else { throw failure(response, "LIST", prefix) }
            results += S3XML.listEntries(response.body).map { ObjectInfo(key: $0.key, size: $0.size) }
            token = S3XML.value("IsTruncated", in: response.body) == "true"
                ? S3XML.value("NextContinuationToken", in: response.body) : nil
        } while token != nil
        return results.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func delete(_ key: String) async throws {
        try ObjectKey.validate(key)
        let response = try await send("DELETE", key: key)
        guard response.status == 204 || response.status == 200 || response.status == 404 else {
            throw failure(response, "DELETE", key)
        }
    }

    public func exists(_ key: String) async throws -> Bool {
        try ObjectKey.validate(key)
        let response = try await send("HEAD", key: key)
        switch response.status {
        case 200: return true
        case 404: return false
        default: throw failure(response, "HEAD", key)
        }
    }

    /// Creates the bucket (for tests and first runs); an existing bucket owned by the caller is fine.
    public func createBucket() async throws {
        let response = try await send("PUT", key: "")
        guard response.status == 200 || response.status == 409 else { throw failure(response, "CREATE BUCKET", config.bucket) }
    }

    // MARK: - Requests

    /// A finished response: status, headers, whole body.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Sends one signed request, retrying network errors, 5xx and 429 with backoff.
    func send(_ method: String, key: String, query: [(String, String)] = [], headers: [(String, String)] = [],
              body: [UInt8] = []) async throws -> Reply {
        let payloadHash = body.isEmpty ? Crypto.emptyPayloadHash : Crypto.hex(Crypto.sha256(body))
        let path = endpoint.path(key: key)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let reply = try await sendOnce(method, path: path, query: query, headers: headers, body: body,
                                               payloadHash: payloadHash)
                if S3Backoff.retryable(status: reply.status), attempt <= config.maxRetries {
                    try await Task.sleep(nanoseconds: UInt64(backoff.delay(attempt: attempt, random: Double.random(in: 0...1))))
                    continue
                }
                return reply
            } catch let error as CancellationError {
                throw error
            } catch {
                guard attempt <= config.maxRetries, !Task.isCancelled else {
                    throw ObjectStoreError(.io, key: key.isEmpty ? config.bucket : key,
                                           message: "S3 \(method) failed after \(attempt) attempts: \(error)")
                }
                try await Task.sleep(nanoseconds: UInt64(backoff.delay(attempt: attempt, random: Double.random(in: 0...1))))
            }
        }
    }

    private func sendOnce(_ method: String, path: String, query: [(String, String)], headers: [(String, String)],
                          body: [UInt8], payloadHash: String) async throws -> Reply {
        var signed = [("Host", endpoint.host)] + headers
        let now = Int64(Date().timeIntervalSince1970)
        signed += signer.sign(SignableRequest(method: method, encodedPath: path, query: query, headers: signed,
                                              payloadHash: payloadHash),
                              amzDate: SigV4Signer.amzDate(unixSeconds: now))
        var request = HTTPClientRequest(url: endpoint.url(path: path, query: query))
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signed { request.headers.add(name: name, value: value) }
        if !body.isEmpty || method == "PUT" || method == "POST" {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .nanoseconds(config.requestTimeoutNanos))
        var bytes = try await response.body.collect(upTo: S3ObjectStore.maxResponseBytes)
        return Reply(status: Int(response.status.code), headers: response.headers,
                     body: bytes.readBytes(length: bytes.readableBytes) ?? [])
    }

    /// An error naming the operation, the status and S3's error code and message.
    func failure(_ reply: Reply, _ operation: String, _ key: String) -> ObjectStoreError {
        let code = S3XML.value("Code", in: reply.body) ?? ""
        let message = S3XML.value("Message", in: reply.body) ?? ""
        return ObjectStoreError(.io, key: key, message: "S3 \(operation) status \(reply.status) \(code) \(message)"
            .trimmingCharacters(in: .whitespaces))
    }
}
