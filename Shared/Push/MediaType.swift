/// Go's `mime.ParseMediaType`, reduced to what the push endpoint needs: the lower-cased media type, or Go's error
/// text (`mime: no media type`, `mime: expected slash after first token`, …) for a malformed header.
enum MediaType {
    /// Returns the media type (`application/json`) of a `Content-Type` value, parameters validated and dropped.
    static func parse(_ header: String) -> Result<String, PushError> {
        let bytes = Array(header.utf8)
        let semicolon = bytes.firstIndex(of: 0x3B) ?? bytes.count
        let base = trimSpace(bytes[0..<semicolon])
        let mediaType = String(decoding: base.map(lowercase), as: UTF8.self)
        if let error = checkMediaType(Array(base)) { return .failure(.badRequest(error)) }
        var rest = bytes[semicolon...]
        var seen: [String: ArraySlice<UInt8>] = [:]
        while !rest.isEmpty {
            rest = rest.drop(while: isSpace)
            if rest.isEmpty { break }
            guard let (key, value, remainder) = consumeParameter(rest) else {
                if trimSpace(rest).elementsEqual([0x3B]) { break } // a trailing ';' is allowed
                return .failure(.badRequest("mime: invalid media parameter"))
            }
            if let previous = seen[key], previous != value {
                return .failure(.badRequest("mime: duplicate parameter name"))
            }
            seen[key] = value
            rest = remainder
        }
        return .success(mediaType)
    }

    private static func checkMediaType(_ text: [UInt8]) -> String? {
        let (type, rest) = consumeToken(text[...])
        if type.isEmpty { return "mime: no media type" }
        if rest.isEmpty { return nil }
        guard rest.first == 0x2F else { return "mime: expected slash after first token" }
        let (subtype, after) = consumeToken(rest.dropFirst())
        if subtype.isEmpty { return "mime: expected token after slash" }
        if !after.isEmpty { return "mime: unexpected content after media subtype" }
        return nil
    }

    /// `;` spaces token spaces `=` spaces value, as Go's `consumeMediaParam`.
    private static func consumeParameter(
        _ text: ArraySlice<UInt8>
    ) -> (String, ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        var rest = text.drop(while: isSpace)
        guard rest.first == 0x3B else { return nil }
        rest = rest.dropFirst().drop(while: isSpace)
        let (name, afterName) = consumeToken(rest)
        guard !name.isEmpty else { return nil }
        rest = afterName.drop(while: isSpace)
        guard rest.first == 0x3D else { return nil }
        rest = rest.dropFirst().drop(while: isSpace)
        guard let (value, afterValue) = consumeValue(rest) else { return nil }
        return (String(decoding: name.map(lowercase), as: UTF8.self), value, afterValue)
    }

    private static func consumeValue(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        guard text.first == 0x22 else {
            let (token, rest) = consumeToken(text)
            return token.isEmpty ? nil : (token, rest)
        }
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let byte = text[index]
            if byte == 0x22 { return (text[text.index(after: text.startIndex)..<index], text[(index + 1)...]) }
            if byte == 0x0D || byte == 0x0A { return nil }
            if byte == 0x5C, index + 1 < text.endIndex, isSpecial(text[index + 1]) { index += 1 }
            index += 1
        }
        return nil
    }

    private static func consumeToken(_ text: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, ArraySlice<UInt8>) {
        let end = text.firstIndex { !isTokenByte($0) } ?? text.endIndex
        return (text[..<end], text[end...])
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F && !isSpecial(byte) }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x5C, 0x22, 0x2F, 0x5B, 0x5D, 0x3F, 0x3D: return true
        default: return false
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    private static func lowercase(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

    private static func trimSpace(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var trimmed = text.drop(while: isSpace)
        while let last = trimmed.last, isSpace(last) { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
