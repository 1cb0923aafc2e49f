import FjordModel

/// The query-string and form parameters of one request as Go's `r.Form` holds them: each name maps to its values
/// in order; `first(_:)` is Go's `Form.Get`.
public struct FormParameters: Sendable, Hashable {
    public var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) {
        self.values = values
    }

    /// Go's `r.Form.Get(name)`: the first value, or `""` when the parameter is absent.
    public func first(_ name: String) -> String {
        values[name]?.first ?? ""
    }

    /// Every value of `name` in order (`r.Form[name]`).
    public func all(_ name: String) -> [String] {
        values[name] ?? []
    }

    /// Go's `ParseForm` merge for POST: body values come first, then the URL's query values.
    public static func merging(body: FormParameters, query: FormParameters) -> FormParameters {
        var merged = body.values
        for (name, list) in query.values { merged[name, default: []].append(contentsOf: list) }
        return FormParameters(merged)
    }

    /// Parses `application/x-www-form-urlencoded` text or a raw query string (without `?`) like Go's
    /// `url.ParseQuery`: pairs split on `&`, `+` is a space, `%XX` escapes. Like Go, it keeps every good pair and
    /// reports the first problem (`invalid semicolon separator in query`, `invalid URL escape "%zz"`) as a 400 error
    /// in `error`.
    public static func parseURLEncoded(_ text: some Collection<UInt8>) -> (parameters: FormParameters, error: LokiAPIError?) {
        var result: [String: [String]] = [:]
        var firstError: LokiAPIError?
        for part in Array(text).split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if part.contains(UInt8(ascii: ";")) {
                if firstError == nil { firstError = .badRequest("invalid semicolon separator in query") }
                continue
            }
            let equals = part.firstIndex(of: UInt8(ascii: "=")) ?? part.endIndex
            let key = part[part.startIndex..<equals]
            let value = equals < part.endIndex ? part[part.index(after: equals)...] : part[part.endIndex...]
            do {
                let name = try unescape(key)
                let decoded = try unescape(value)
                result[name, default: []].append(decoded)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        return (FormParameters(result), firstError)
    }

    /// Go's `url.QueryUnescape`.
    private static func unescape(_ bytes: ArraySlice<UInt8>) throws(LokiAPIError) -> String {
        let bytes = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "%"):
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else {
                    let bad = String(decoding: bytes[index..<min(index + 3, bytes.count)], as: UTF8.self)
                    throw .badRequest("invalid URL escape \(GoQuote.quote(bad))")
                }
                out.append(high << 4 | low)
                index += 3
            case UInt8(ascii: "+"):
                out.append(UInt8(ascii: " "))
                index += 1
            default:
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
