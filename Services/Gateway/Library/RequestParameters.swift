import Hummingbird
import NIOCore

/// Query-string and form parameters, decoded like Go's `url.ParseQuery` (`+` is a space, `%XX` escapes), merged the way
/// Loki's `ParseForm` does: URL parameters plus, for POST with `application/x-www-form-urlencoded`, the body's.
public struct RequestParameters: Sendable {
    public private(set) var values: [String: [String]] = [:]

    public init(values: [String: [String]] = [:]) { self.values = values }

    /// First value of `name`, if any.
    public subscript(name: String) -> String? { values[name]?.first }

    /// Decodes `a=1&b=2&a=3` into the multi-map.
    public static func decode(_ text: Substring) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let key: Substring
            let value: Substring
            if let equals = part.firstIndex(of: "=") {
                key = part[..<equals]
                value = part[part.index(after: equals)...]
            } else {
                key = part
                value = ""
            }
            out[unescape(key), default: []].append(unescape(value))
        }
        return out
    }

    /// Reads the parameters of `request`, collecting a form body up to `maxBodyBytes`.
    public static func read(_ request: inout Request, maxBodyBytes: Int = 1 << 20) async throws -> RequestParameters {
        var values = decode(Substring(request.uri.query ?? ""))
        if request.method == .post,
           let type = request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: maxBodyBytes)
            } catch {
                throw GatewayError(status: 413, message: "request body too large")
            }
            // Loki's ParseForm puts body values before URL values.
            for (key, list) in decode(Substring(String(buffer: body))) {
                values[key] = list + (values[key] ?? [])
            }
        }
        return RequestParameters(values: values)
    }

    private static func unescape(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if iterator.count >= 2, let high = hexValue(iterator[iterator.startIndex]),
                   let low = hexValue(iterator[iterator.startIndex + 1]) {
                    bytes.append(high << 4 | low)
                    iterator = iterator.dropFirst(2)
                } else {
                    bytes.append(byte)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
