/// The memcached text protocol (`protocol.txt`), as pure functions: building `get`/`set` commands and parsing
/// their answers from a byte buffer that may hold a partial answer.
///
/// Fjord uses the text protocol rather than the meta protocol (`mg`/`ms`, memcached ≥ 1.6) or the deprecated
/// binary protocol: `get k1 k2 …` and `set` are understood by every memcached version and by memcached-compatible
/// proxies, and they are all the results cache needs (see docs/decisions).
public enum MemcachedProtocol {
    /// Longest key memcached accepts.
    public static let maxKeyLength = 250

    /// The answer to one command.
    public enum Answer: Sendable, Hashable {
        /// `get`: the values found, by key.
        case values([String: [UInt8]])
        /// `set`: `STORED`.
        case stored
        /// `set`: `NOT_STORED` (not an error for a cache).
        case notStored
    }

    /// What a command expects back.
    public enum Expectation: Sendable, Hashable {
        case values
        case storage
    }

    /// True when `key` is a valid memcached key: 1–250 bytes, no spaces or control characters.
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = key.utf8
        return !bytes.isEmpty && bytes.count <= maxKeyLength && bytes.allSatisfy { $0 > 0x20 && $0 != 0x7f }
    }

    /// `get <k1> <k2> …\r\n`.
    public static func getCommand(_ keys: [String]) -> [UInt8] {
        Array(("get " + keys.joined(separator: " ") + "\r\n").utf8)
    }

    /// `set <key> 0 <expiration> <bytes>\r\n<value>\r\n`.
    public static func setCommand(key: String, value: [UInt8], expirationSeconds: Int) -> [UInt8] {
        var command = Array("set \(key) 0 \(expirationSeconds) \(value.count)\r\n".utf8)
        command.append(contentsOf: value)
        command.append(contentsOf: [0x0d, 0x0a])
        return command
    }

    /// Parses one answer from the start of `bytes`: nil when more bytes are needed, otherwise the answer and how
    /// many bytes it took.
    public static func parse(_ bytes: UnsafeRawBufferPointer, expecting: Expectation)
        throws(MemcachedError) -> (answer: Answer, consumed: Int)?
    {
        var position = 0
        var values: [String: [UInt8]] = [:]
        while let lineEnd = lineEnd(bytes, from: position) {
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<lineEnd]), as: UTF8.self)
            let next = lineEnd + 2
            if line == "ERROR" || line.hasPrefix("CLIENT_ERROR") || line.hasPrefix("SERVER_ERROR") {
                throw MemcachedError(.server, line)
            }
            switch expecting {
            case .storage:
                switch line {
                case "STORED": return (.stored, next)
                case "NOT_STORED", "EXISTS", "NOT_FOUND": return (.notStored, next)
                default: throw MemcachedError(.protocolViolation, "unexpected answer to set: \(line.prefix(80))")
                }
            case .values:
                if line == "END" { return (.values(values), next) }
                // VALUE <key> <flags> <bytes> [<cas unique>]
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 4, fields[0] == "VALUE", let length = Int(fields[3]), length >= 0 else {
                    throw MemcachedError(.protocolViolation, "unexpected answer to get: \(line.prefix(80))")
                }
                guard bytes.count - next >= length + 2 else { return nil }
                guard bytes[next + length] == 0x0d, bytes[next + length + 1] == 0x0a else {
                    throw MemcachedError(.protocolViolation, "value of \(fields[1]) not followed by CRLF")
                }
                values[String(fields[1])] = Array(UnsafeRawBufferPointer(rebasing: bytes[next..<(next + length)]))
                position = next + length + 2
                continue
            }
        }
        return nil
    }

    /// The index of the next `\r\n` at or after `start`.
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 0x0d, bytes[index + 1] == 0x0a { return index }
            index += 1
        }
        return nil
    }
}
