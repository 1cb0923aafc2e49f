import Foundation

/// lcnorm's `normalize` for a raw HTTP response of Loki's query API.
extension NormalizedAnswer {
    /// The response is a 200 whose body does not have Loki's shape.
    public struct ShapeError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Normalises the response to a case of kind `kind` (`range`, `instant`, `labels`, `label_values`, `series`).
    /// `query` decides whether a vector keeps the server's order (``Lcnorm/isValueSorted(_:)``); `base` is BASE in
    /// Unix nanoseconds.
    public init(httpStatus: Int, body data: Data, kind: String, query: String, base: Int64) throws {
        self = try Self.normalize(httpStatus: httpStatus, body: data, kind: kind, query: query, base: base)
    }

    private static func normalize(httpStatus: Int, body data: Data, kind: String, query: String,
                                  base: Int64) throws -> NormalizedAnswer {
        guard httpStatus == 200 else {
            return NormalizedAnswer(status: httpStatus, errorText: String(decoding: data, as: UTF8.self))
        }
        guard let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any]
        else {
            return NormalizedAnswer(status: -1,
                                    errorText: "non-JSON 200 response: " + String(decoding: data.prefix(200), as: UTF8.self))
        }
        let times = TimeNormalizer(baseSeconds: base / 1_000_000_000)
        func shape(_ what: String) -> ShapeError {
            ShapeError(description: "response does not have the Loki shape (\(what)): "
                + String(decoding: data.prefix(300), as: UTF8.self))
        }
        switch kind {
        case "labels", "label_values":
            let names = try optionalList(json["data"], of: String.self, shape("data is not a list of strings"))
            return NormalizedAnswer(body: .names(names.map(times.text).sorted {
                $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
            }))
        case "series":
            let sets = try optionalList(json["data"], of: [String: String].self, shape("data is not a list of label sets"))
            return NormalizedAnswer(body: .series(sets.map(times.labels).sorted {
                Lcnorm.labelsKey($0).utf8.lexicographicallyPrecedes(Lcnorm.labelsKey($1).utf8)
            }))
        default:
            break
        }
        let payload = json["data"] as? [String: Any] ?? [:]
        let result = payload["result"]
        let baseMillis = base / 1_000_000
        let body: Body
        switch payload["resultType"] as? String {
        case "streams":
            let streams = try optionalList(result, of: [String: Any].self, shape("streams"))
            body = Self.streams(try streams.map { stream in
                let labels = stream["stream"] as? [String: String] ?? [:]
                let entries = try (stream["values"] as? [[Any]] ?? []).map { pair -> (Int64, String) in
                    guard pair.count >= 2, let time = (pair[0] as? String).flatMap({ Int64($0) }),
                          let line = pair[1] as? String else { throw shape("stream entry \(pair)") }
                    return (time, line)
                }
                return (labels, entries)
            }, base: base, times: times)
        case "matrix":
            let series = try optionalList(result, of: [String: Any].self, shape("matrix"))
            body = Self.matrix(try series.map { item in
                let points = try (item["values"] as? [[Any]] ?? []).map { pair -> (Int64, String) in
                    guard pair.count == 2, let time = millis(pair[0]), let value = pair[1] as? String else {
                        throw shape("matrix point \(pair)")
                    }
                    return (time, value)
                }
                return (item["metric"] as? [String: String] ?? [:], points)
            }, baseMillis: baseMillis, times: times)
        case "vector":
            let samples = try optionalList(result, of: [String: Any].self, shape("vector"))
            body = Self.vector(try samples.map { item in
                guard let pair = item["value"] as? [Any], pair.count == 2, let time = millis(pair[0]),
                      let value = pair[1] as? String else { throw shape("vector sample \(item)") }
                return (item["metric"] as? [String: String] ?? [:], time, value)
            }, baseMillis: baseMillis, times: times, valueSorted: Lcnorm.isValueSorted(query))
        case "scalar":
            guard let pair = result as? [Any], pair.count == 2, let value = pair[1] as? String else {
                throw shape("scalar")
            }
            if let time = millis(pair[0]) {
                body = Self.scalar(timeMillis: time, value: value, baseMillis: baseMillis)
            } else {
                body = .scalar(time: nil, value: value)
            }
        default:
            throw shape("unknown resultType \(payload["resultType"] ?? "none")")
        }
        let warnings = (json["warnings"] as? [String] ?? []).sorted {
            $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars)
        }
        return NormalizedAnswer(body: body, warnings: warnings)
    }

    /// `data or []`: a missing or null value is an empty list.
    private static func optionalList<T>(_ value: Any?, of: T.Type, _ error: ShapeError) throws -> [T] {
        if value == nil || value is NSNull { return [] }
        guard let list = value as? [T] else { throw error }
        return list
    }

    /// `int(round(float(t) * 1000))` for a JSON time in seconds; nil when it does not fit.
    private static func millis(_ value: Any) -> Int64? {
        guard let seconds = (value as? NSNumber)?.doubleValue ?? (value as? String).flatMap(Double.init) else {
            return nil
        }
        let millis = (seconds * 1000).rounded()
        guard millis.isFinite, abs(millis) < 9.2e18 else { return nil }
        return Int64(millis)
    }
}
