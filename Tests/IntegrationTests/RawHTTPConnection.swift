import Foundation

/// One blocking TCP connection to 127.0.0.1 for sending bytes no HTTP client would (malformed requests, plaintext to
/// a TLS port, slow clients) and reading whatever comes back. Use it off Swift's cooperative pool (own threads).
final class RawHTTPConnection {
    private let descriptor: Int32

    /// `receiveBufferBytes` fixes the socket's receive buffer (no autotuning), for clients that stop reading.
    init(port: Int, timeoutSeconds: Int = 10, receiveBufferBytes: Int32? = nil) throws {
        descriptor = try RawHTTPConnection.connect(port: port, timeoutSeconds: timeoutSeconds,
                                                   receiveBufferBytes: receiveBufferBytes)
    }

    /// A blocking TCP socket connected to 127.0.0.1:`port` with send and receive timeouts.
    static func connect(port: Int, timeoutSeconds: Int, receiveBufferBytes: Int32? = nil) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FjordTestError("socket() failed: errno \(errno)") }
        if var bytes = receiveBufferBytes {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &bytes, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(descriptor)
            throw FjordTestError("connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
        return descriptor
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes`; false when the server closed the connection first.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// How reading ended.
    enum End { case closed, reset, timedOut }

    /// One response, or how the connection ended before a whole one arrived.
    enum Answer {
        case response(status: Int, head: String, body: [UInt8])
        case ended(End)
    }

    /// Changes the receive timeout (the one given at connect applies until then).
    func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads until the server closes (or resets, or nothing arrives within the timeout), at most `limit` bytes.
    func readToEnd(limit: Int = 1 << 20) -> ([UInt8], End) {
        var received: [UInt8] = []
        while received.count < limit {
            if let end = receive(into: &received) { return (received, end) }
        }
        return (received, .timedOut)
    }

    /// Reads one HTTP/1.1 response (head, then a Content-Length body unless it answers a HEAD request), skipping
    /// interim `1xx` answers; nil when the connection ended first.
    func readResponse(toHead: Bool = false) -> (status: Int, head: String, body: [UInt8])? {
        guard case .response(let status, let head, let body) = readAnswer(toHead: toHead) else { return nil }
        return (status, head, body)
    }

    /// Reads one HTTP/1.1 response as ``readResponse(toHead:)`` does, or says how the connection ended first.
    func readAnswer(toHead: Bool = false) -> Answer {
        var received: [UInt8] = []
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = received.firstRange(of: separator) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                if (100..<200).contains(status) {
                    received.removeFirst(end.upperBound)
                    continue
                }
                let declared = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                let length = toHead ? 0 : declared
                while received.count < end.upperBound + length {
                    if let ended = receive(into: &received) { return .ended(ended) }
                }
                return .response(status: status, head: head, body: Array(received[end.upperBound..<(end.upperBound + length)]))
            }
            if let ended = receive(into: &received) { return .ended(ended) }
        }
    }

    /// One `recv` appended to `received`; how the connection ended when nothing came.
    private func receive(into received: inout [UInt8]) -> End? {
        var buffer = [UInt8](repeating: 0, count: 16384)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            received += buffer[0..<count]
            return nil
        }
        if count == 0 { return .closed }
        return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .reset
    }
}
