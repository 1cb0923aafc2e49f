import FjordTestSupport
import Foundation

/// A live tail opened over a plain blocking socket, for servers that answer right after the upgrade: reads the
/// `101` and the first close frame. HummingbirdWSClient was seen to miss such a close under load (its upgrade never
/// completed although the 101, the close frame and the server's FIN had all been read from the socket), so tests
/// that expect an immediate close use this instead.
enum RawTailHandshake {
    /// What came back: the status line and, when the server closed the WebSocket, its close code and reason.
    struct Answer {
        var statusLine: String
        var closeCode: Int?
        var closeReason: String?
    }

    /// Upgrades `path` (with its query) on 127.0.0.1:`port` and waits at most `seconds` for the close frame. Runs on
    /// its own thread (blocking socket), off Swift's cooperative pool.
    static func open(port: Int, path: String, tenant: String?, headers: [String: String] = [:],
                     seconds: Int = 30) async throws -> Answer {
        try await OffPool.run { try openBlocking(port: port, path: path, tenant: tenant, headers: headers, seconds: seconds) }
    }

    private static func openBlocking(port: Int, path: String, tenant: String?, headers: [String: String],
                                     seconds: Int) throws -> Answer {
        let connection = try RawHTTPConnection(port: port, timeoutSeconds: seconds)
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + (tenant.map { "X-Scope-OrgID: \($0)\r\n" } ?? "")
            + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        guard connection.send(Array(request.utf8)) else { throw FjordTestError("the server closed before the request") }
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(Double(seconds))
        while Date() < deadline {
            // `limit: 1` returns after the first read that brings anything.
            let (bytes, end) = connection.readToEnd(limit: 1)
            received += bytes
            if let answer = parse(received) { return answer }
            if end != .timedOut || bytes.isEmpty { break }
        }
        guard let headEnd = received.firstRange(of: Array("\r\n\r\n".utf8)) else {
            // Closed without an answer (a refused upgrade, see the isolation tests): an empty status line.
            if received.isEmpty { return Answer(statusLine: "", closeCode: nil, closeReason: nil) }
            throw FjordTestError("no answer to the upgrade: \(String(decoding: received, as: UTF8.self))")
        }
        let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
        return Answer(statusLine: head.components(separatedBy: "\r\n").first ?? "", closeCode: nil, closeReason: nil)
    }

    /// The answer once the head and, for a 101, a whole close frame have arrived (nil: read more). Data frames
    /// before the close are skipped.
    static func parse(_ bytes: [UInt8]) -> Answer? {
        guard let headEnd = bytes.firstRange(of: Array("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: bytes[..<headEnd.lowerBound], as: UTF8.self)
        let statusLine = head.components(separatedBy: "\r\n").first ?? ""
        guard statusLine.contains(" 101 ") else { return Answer(statusLine: statusLine) }
        var offset = headEnd.upperBound
        while offset + 2 <= bytes.count {
            let opcode = bytes[offset] & 0x0F
            var length = Int(bytes[offset + 1] & 0x7F)
            var start = offset + 2
            if length == 126 {
                guard start + 2 <= bytes.count else { return nil }
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127 {
                guard start + 8 <= bytes.count else { return nil }
                length = bytes[start..<(start + 8)].reduce(0) { $0 << 8 | Int($1) }
                start += 8
            }
            guard start + length <= bytes.count else { return nil }
            if opcode == 0x8 {
                let payload = Array(bytes[start..<(start + length)])
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
                let reason = payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : nil
                return Answer(statusLine: statusLine, closeCode: code, closeReason: reason)
            }
            offset = start + length
        }
        return nil
    }
}

extension RawTailHandshake.Answer {
    init(statusLine: String) { self.init(statusLine: statusLine, closeCode: nil, closeReason: nil) }
}
