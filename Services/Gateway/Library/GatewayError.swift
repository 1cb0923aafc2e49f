public import Hummingbird
import FjordLokiAPI
import FjordServiceAPI
import NIOCore

/// An error answered to an HTTP client as Loki does: plain text, the message only, with `nosniff`.
public struct GatewayError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String

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
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
