/// The little XML S3 answers with (listings, multipart uploads, errors): element texts by tag name. S3's responses
/// are flat and machine-written, so a scanner over the bytes suffices; entities are decoded.
enum S3XML {
    /// Texts of every `<tag>…</tag>` in document order.
    static func values(_ tag: String, in xml: [UInt8]) -> [String] {
        let open = Array("<\(tag)>".utf8)
        let close = Array("</\(tag)>".utf8)
        var results: [String] = []
        var index = 0
        while let start = find(open, in: xml, from: index) {
            let contentStart = start + open.count
            guard let end = find(close, in: xml, from: contentStart) else { break }
            results.append(decodeEntities(xml[contentStart..<end]))
            index = end + close.count
        }
        return results
    }

    /// The first `<tag>` text, if any.
    static func value(_ tag: String, in xml: [UInt8]) -> String? {
        let all = values(tag, in: xml)
        return all.first
    }

    /// The `<Contents>` elements of a ListObjectsV2 answer as (key, size).
    static func listEntries(_ xml: [UInt8]) -> [(key: String, size: Int)] {
        let open = Array("<Contents>".utf8)
        let close = Array("</Contents>".utf8)
        var results: [(String, Int)] = []
        var index = 0
        while let start = find(open, in: xml, from: index) {
            guard let end = find(close, in: xml, from: start) else { break }
            let element = Array(xml[start..<end])
            if let key = value("Key", in: element) {
                results.append((key, Int(value("Size", in: element) ?? "") ?? 0))
            }
            index = end + close.count
        }
        return results
    }

    /// Escapes text for an XML element body.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        var index = from
        let first = needle[0]
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    private static func decodeEntities(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else {
                out += rest[amp...]
                return out
            }
            let name = rest[rest.index(after: amp)..<semi]
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if name.hasPrefix("#x"), let code = UInt32(name.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(code) {
                    out.unicodeScalars.append(scalar)
                } else if name.hasPrefix("#"), let code = UInt32(name.dropFirst()), let scalar = Unicode.Scalar(code) {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += rest[amp...semi]
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        return out
    }
}
