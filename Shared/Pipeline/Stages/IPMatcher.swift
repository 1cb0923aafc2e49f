import FjordModel

/// An IPv4 or IPv6 address as Go's `net/netip.Addr` sees it: IPv4 and IPv4-mapped IPv6 are different families.
struct IPAddress: Sendable, Equatable, Comparable {
    var isV4: Bool
    var high: UInt64
    var low: UInt64

    static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.isV4 != rhs.isV4 { return lhs.isV4 }
        if lhs.high != rhs.high { return lhs.high < rhs.high }
        return lhs.low < rhs.low
    }

    var bitLength: Int { isV4 ? 32 : 128 }

    /// Go's `netip.ParseAddr` (without zones): dotted IPv4 with no leading zeros, or IPv6 with `::` and an
    /// optional trailing IPv4.
    static func parse(_ text: UnsafeRawBufferPointer) -> IPAddress? {
        for byte in text {
            if byte == 0x2e { return parseV4(text) }
            if byte == 0x3a { return parseV6(text) }
            if byte == 0x25 { return nil }
        }
        return nil
    }

    static func parse(_ text: String) -> IPAddress? {
        Bytes.withUTF8(text) { parse($0) }
    }

    private static func parseV4Fields(_ text: UnsafeRawBufferPointer) -> UInt32? {
        var value: UInt32 = 0
        var field: UInt32 = 0
        var digits = 0
        var fields = 0
        for (index, byte) in text.enumerated() {
            if Bytes.isDigit(byte) {
                if digits == 1 && field == 0 { return nil }  // leading zero
                field = field * 10 + UInt32(byte - 0x30)
                digits += 1
                if field > 255 { return nil }
            } else if byte == 0x2e {
                if digits == 0 || index == text.count - 1 || fields == 3 { return nil }
                value = value << 8 | field
                fields += 1
                field = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, fields == 3 else { return nil }
        return value << 8 | field
    }

    private static func parseV4(_ text: UnsafeRawBufferPointer) -> IPAddress? {
        guard let value = parseV4Fields(text) else { return nil }
        return IPAddress(isV4: true, high: 0, low: UInt64(value))
    }

    private static func parseV6(_ text: UnsafeRawBufferPointer) -> IPAddress? {
        var words = [UInt16](repeating: 0, count: 8)
        var wordIndex = 0
        var ellipsis = -1
        var index = 0
        let count = text.count
        if count >= 2, text[0] == 0x3a, text[1] == 0x3a {
            ellipsis = 0
            index = 2
            if index == count { return IPAddress(isV4: false, high: 0, low: 0) }
        }
        while wordIndex < 8 {
            var offset = 0
            var accumulator: UInt32 = 0
            while index + offset < count {
                guard let digit = Bytes.hexValue(text[index + offset]) else { break }
                accumulator = accumulator << 4 + digit
                if offset > 3 || accumulator > 0xffff { return nil }
                offset += 1
            }
            if offset == 0 { return nil }
            if index + offset < count, text[index + offset] == 0x2e {
                if ellipsis < 0 && wordIndex != 6 { return nil }
                if wordIndex + 2 > 8 { return nil }
                guard let v4 = parseV4Fields(UnsafeRawBufferPointer(rebasing: text[index...])) else { return nil }
                words[wordIndex] = UInt16(v4 >> 16)
                words[wordIndex + 1] = UInt16(v4 & 0xffff)
                wordIndex += 2
                index = count
                break
            }
            words[wordIndex] = UInt16(accumulator)
            wordIndex += 1
            index += offset
            if index == count { break }
            if text[index] != 0x3a || index + 1 == count { return nil }
            index += 1
            if text[index] == 0x3a {
                if ellipsis >= 0 { return nil }
                ellipsis = wordIndex
                index += 1
                if index == count { break }
            }
        }
        if index != count { return nil }
        if wordIndex < 8 {
            if ellipsis < 0 { return nil }
            let shift = 8 - wordIndex
            var j = wordIndex - 1
            while j >= ellipsis {
                words[j + shift] = words[j]
                j -= 1
            }
            for k in ellipsis..<(ellipsis + shift) { words[k] = 0 }
        } else if ellipsis >= 0 {
            return nil
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for k in 0..<4 { high = high << 16 | UInt64(words[k]) }
        for k in 4..<8 { low = low << 16 | UInt64(words[k]) }
        return IPAddress(isV4: false, high: high, low: low)
    }

    /// The address with only the first `bits` bits kept.
    func masked(_ bits: Int) -> IPAddress {
        if isV4 {
            let mask: UInt64 = bits == 0 ? 0 : (UInt64(0xffff_ffff) << UInt64(32 - bits)) & 0xffff_ffff
            return IPAddress(isV4: true, high: 0, low: low & mask)
        }
        let highMask: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : UInt64.max << UInt64(64 - bits))
        let lowMask: UInt64 = bits <= 64 ? 0 : (bits == 128 ? .max : UInt64.max << UInt64(128 - bits))
        return IPAddress(isV4: false, high: high & highMask, low: low & lowMask)
    }
}

/// The `ip("…")` matcher of line and label filters (Loki's `ipFilter`): a single address, a range `a-b` or a
/// CIDR prefix, IPv4 or IPv6.
struct IPMatcher: Sendable {
    enum Kind: Sendable {
        case single(IPAddress)
        case prefix(IPAddress, bits: Int)
        case range(IPAddress, IPAddress)
    }

    let kind: Kind

    /// Parses the pattern; throws Loki's `ip: invalid pattern: "<p>"`.
    init(pattern: String) throws(PipelineError) {
        if let address = IPAddress.parse(pattern) {
            kind = .single(address)
            return
        }
        if let slash = pattern.lastIndex(of: "/"), let address = IPAddress.parse(String(pattern[..<slash])) {
            let bitsText = Array(pattern[pattern.index(after: slash)...].utf8)
            // Go rejects signs and leading zeros here.
            let digitsOnly = !bitsText.isEmpty && bitsText.allSatisfy(Bytes.isDigit)
            let leadingZero = bitsText.count > 1 && bitsText[0] == 0x30
            if digitsOnly, !leadingZero, bitsText.count <= 3,
               let bits = Int(String(decoding: bitsText, as: UTF8.self)), bits <= address.bitLength
            {
                kind = .prefix(address.masked(bits), bits: bits)
                return
            }
        }
        if let hyphen = pattern.firstIndex(of: "-"),
           let from = IPAddress.parse(String(pattern[..<hyphen])),
           let to = IPAddress.parse(String(pattern[pattern.index(after: hyphen)...])),
           from.isV4 == to.isV4, !(to < from)
        {
            kind = .range(from, to)
            return
        }
        throw PipelineError(message: "ip: invalid pattern: \(GoQuote.quote(pattern))")
    }

    func contains(_ address: IPAddress) -> Bool {
        switch kind {
        case .single(let single): return single == address
        case .prefix(let prefix, let bits):
            return prefix.isV4 == address.isV4 && address.masked(bits) == prefix
        case .range(let from, let to):
            return from.isV4 == address.isV4 && !(address < from) && !(to < address)
        }
    }

    /// Loki's scan for addresses inside arbitrary text: at each position a digit followed by a dot within three
    /// bytes starts an IPv4 candidate, hex digits followed by `:` (or `::` + hex) an IPv6 one; the candidate is the
    /// longest run of address characters; after a failed candidate the scan skips past it.
    func matchesText(_ line: UnsafeRawBufferPointer) -> Bool {
        let count = line.count
        if count == 0 { return false }
        var index = 0
        while index < count {
            if index + 3 < count, IPMatcher.ipv4Hint(line, index) {
                let length = IPMatcher.span(line, from: index, v6: false)
                if let address = IPAddress.parse(UnsafeRawBufferPointer(rebasing: line[index..<(index + length)])),
                   contains(address)
                {
                    return true
                }
                index += length + 1
                continue
            }
            if index + 4 < count, IPMatcher.ipv6Hint(line, index) {
                let length = IPMatcher.span(line, from: index, v6: true)
                if let address = IPAddress.parse(UnsafeRawBufferPointer(rebasing: line[index..<(index + length)])),
                   contains(address)
                {
                    return true
                }
                index += length + 1
                continue
            }
            index += 1
        }
        return false
    }

    private static func ipv4Hint(_ line: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        Bytes.isDigit(line[i]) && (line[i + 1] == 0x2e || line[i + 2] == 0x2e || line[i + 3] == 0x2e)
    }

    @inline(__always)
    private static func isHex(_ byte: UInt8) -> Bool { Bytes.hexValue(byte) != nil }

    private static func ipv6Hint(_ line: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        let colon: UInt8 = 0x3a
        if line[i] == colon && line[i + 1] == colon && isHex(line[i + 2]) { return true }
        if isHex(line[i]) && line[i + 1] == colon { return true }
        if isHex(line[i]) && isHex(line[i + 1]) && line[i + 2] == colon { return true }
        if isHex(line[i]) && isHex(line[i + 1]) && isHex(line[i + 2]) && line[i + 3] == colon { return true }
        return isHex(line[i]) && isHex(line[i + 1]) && isHex(line[i + 2]) && isHex(line[i + 3]) && line[i + 4] == colon
    }

    private static func span(_ line: UnsafeRawBufferPointer, from start: Int, v6: Bool) -> Int {
        var index = start
        while index < line.count {
            let byte = line[index]
            let ok = v6 ? (isHex(byte) || byte == 0x3a || byte == 0x2e) : (Bytes.isDigit(byte) || byte == 0x2e)
            if !ok { break }
            index += 1
        }
        return index - start
    }
}
