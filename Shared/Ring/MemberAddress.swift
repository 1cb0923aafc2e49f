/// A member's network address, `host:port`, as written in the membership file.
///
/// `host` is a DNS name (`ingester-1.fjord.svc`), an IPv4 address (`10.0.0.7`) or an IPv6 address in brackets
/// (`[fd00::7]`, stored without the brackets); `port` is 1–65535.
public struct MemberAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Parses `host:port`; the error text says what is wrong.
    public init(parsing text: String) throws(MemberAddressError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw MemberAddressError(address: text, reason: "empty address") }
        if text.contains("://") { throw MemberAddressError(address: text, reason: "write host:port without a scheme") }
        let hostPart: ArraySlice<UInt8>
        let portPart: ArraySlice<UInt8>
        if bytes[0] == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else {
                throw MemberAddressError(address: text, reason: "missing ']' after the IPv6 address")
            }
            hostPart = bytes[1..<close]
            let rest = bytes[(close + 1)...]
            guard rest.first == UInt8(ascii: ":") else {
                throw MemberAddressError(address: text, reason: "expected ':port' after ']'")
            }
            portPart = rest.dropFirst()
            guard MemberAddress.isIPv6(hostPart) else {
                throw MemberAddressError(address: text, reason: "invalid IPv6 address")
            }
        } else {
            guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else {
                throw MemberAddressError(address: text, reason: "missing ':port'")
            }
            hostPart = bytes[..<colon]
            portPart = bytes[(colon + 1)...]
            if hostPart.contains(UInt8(ascii: ":")) {
                throw MemberAddressError(address: text, reason: "an IPv6 host must be written in brackets, e.g. [fd00::1]:9095")
            }
            if let problem = MemberAddress.hostProblem(hostPart) {
                throw MemberAddressError(address: text, reason: problem)
            }
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw MemberAddressError(address: text, reason: "the port must be a number from 1 to 65535")
        }
        let port = portPart.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard port >= 1, port <= 65535 else {
            throw MemberAddressError(address: text, reason: "the port must be a number from 1 to 65535")
        }
        self.host = String(decoding: hostPart, as: UTF8.self)
        self.port = port
    }

    /// An address from parts the caller already validated.
    public init(host: String, port: Int) {
        precondition((1...65535).contains(port), "MemberAddress: port \(port) out of range")
        self.host = host
        self.port = port
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func < (lhs: MemberAddress, rhs: MemberAddress) -> Bool {
        if lhs.host != rhs.host { return lhs.host.utf8.lexicographicallyPrecedes(rhs.host.utf8) }
        return lhs.port < rhs.port
    }

    /// Why `host` is not a DNS name or IPv4 address, or nil when it is one.
    private static func hostProblem(_ host: ArraySlice<UInt8>) -> String? {
        if host.isEmpty { return "missing host before ':port'" }
        if host.count > 253 { return "the host is longer than 253 characters" }
        let labels = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            if label.isEmpty { return "empty label in host name" }
            if label.count > 63 { return "a host name label is longer than 63 characters" }
            let valid = label.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            }
            if !valid { return "the host may contain only letters, digits, '-', '_' and '.'" }
            if label.first == UInt8(ascii: "-") || label.last == UInt8(ascii: "-") {
                return "a host name label must not start or end with '-'"
            }
        }
        // All-numeric dotted names must be real IPv4 addresses (catches 10.0.0.256 and 10.0.1).
        if host.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }) {
            guard labels.count == 4, labels.allSatisfy({ $0.count <= 3 && $0.reduce(0) { $0 * 10 + Int($1 - 0x30) } <= 255 })
            else { return "invalid IPv4 address" }
        }
        return nil
    }

    /// IPv6 text form: up to eight hex groups of 1–4 digits separated by ':', at most one '::' standing for the
    /// omitted zero groups, and optionally a dotted IPv4 address as the last two groups.
    private static func isIPv6(_ host: ArraySlice<UInt8>) -> Bool {
        let text = Substring(String(decoding: host, as: UTF8.self))
        guard text.utf8.count >= 2, text.utf8.count <= 45 else { return false }
        var head = text
        var tail: Substring = ""
        let compressed: Bool
        if let gap = text.firstRange(of: "::") {
            head = text[..<gap.lowerBound]
            tail = text[gap.upperBound...]
            if tail.firstRange(of: "::") != nil { return false }
            compressed = true
        } else {
            compressed = false
        }
        func groups(_ part: Substring) -> [Substring] {
            part.isEmpty ? [] : part.split(separator: ":", omittingEmptySubsequences: false)
        }
        let all = groups(head) + groups(tail)
        var total = 0
        for (index, group) in all.enumerated() {
            if index == all.count - 1, group.contains(".") {
                guard hostProblem(ArraySlice(group.utf8)) == nil, group.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }) else {
                    return false
                }
                total += 2
                continue
            }
            let isHex = group.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }
            guard (1...4).contains(group.utf8.count), isHex else { return false }
            total += 1
        }
        return compressed ? total <= 7 : total == 8
    }
}

/// A membership address that is not `host:port`.
public struct MemberAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    public var address: String
    public var reason: String

    public init(address: String, reason: String) {
        self.address = address
        self.reason = reason
    }

    public var description: String { "bad address \"\(address)\": \(reason)" }
}
