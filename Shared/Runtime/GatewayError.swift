public import Hummingbird
public import FjordLokiAPI
public import FjordServiceAPI
import NIOCore

/// An error answered to an HTTP client of the public API (gateway, all-in-one, ruler) as Loki does: plain text, the message only, with `nosniff`.
public struct GatewayError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// Extra response headers (`WWW-Authenticate` on 401).
    public var headers = HTTPFields()

    public init(status: Int, message: String) {
        self.status = HTTPResponse.Status(code: status)
        self.message = message
    }

    public init(_ error: ServiceError) {
        self.init(status: error.status, message: error.message)
    }

    public init(_ error: LokiAPIError) {
        self.init(status: error.status, message: String(decoding: error.body, as: UTF8.self))
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
